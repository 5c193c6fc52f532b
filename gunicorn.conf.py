"""gunicorn's configuration (``gunicorn -c gunicorn.conf.py``, see the Procfile).

The access log names every request, and the address of one's own registration page holds its
signed token (``/events/registration/<token>/``): ``RedactingLogger`` writes the token as
``[redacted]`` wherever a request line, path, header (a ``Referer``, a redirect's ``Location``)
or environment value of the log format holds one, and redacts gunicorn's error log likewise.
Workers: one sync worker per core this process may run on (``WEB_CONCURRENCY`` sets another
number). ``make bench`` on 2 cores measured a registration (its page and its post, one after
another) at about 5 ms of the workers' CPU with one or two workers, 7 ms with three and 8–11 ms
with five: every further process on the same cores runs each request on caches the others
have just filled with their own, and the bursts the portal exists for are CPU-bound, not
waiting on I/O (PostgreSQL, Redis and Celery share the cores too). Nothing a visitor asks for
holds a worker long: email, Zoom and the rest run in Celery. Everything else (bind address,
where the logs go) stays on the command line.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gunicorn.glogging import Logger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the project's packages

from core.log_filters import RedactPrivateLinks, redact_value  # noqa: E402 — after the path


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        return {key: redact_value(value) for key, value in super().atoms(resp, req, environ, request_time).items()}

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(f, RedactPrivateLinks) for f in self.error_log.filters):
            self.error_log.addFilter(RedactPrivateLinks())


logger_class = RedactingLogger
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
