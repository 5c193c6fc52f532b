"""gunicorn's configuration (``gunicorn -c gunicorn.conf.py``, see the Procfile).

The access log names every request, and the address of one's own registration page holds its
signed token (``/events/registration/<token>/``): ``RedactingLogger`` writes the token as
``[redacted]`` wherever a request line, path, header (a ``Referer``, a redirect's ``Location``)
or environment value of the log format holds one, and redacts gunicorn's error log likewise.
Workers: one sync worker per core this process may use, two at least, so that one slow
request never holds the whole site (``WEB_CONCURRENCY`` sets another number; a container's CPU
quota counts, not the host's cores). ``make bench`` on 2 cores measured a registration (its page and its post, one after
another) at about 5 ms of the workers' CPU with one or two workers, 7 ms with three and 8–11 ms
with five: every further process on the same cores runs each request on caches the others
have just filled with their own, and the bursts the portal exists for are CPU-bound, not
waiting on I/O (PostgreSQL, Redis and Celery share the cores too). Nothing a visitor asks for
holds a worker long (email and Zoom calls run in Celery); like any sync workers they belong
behind a buffering proxy (nginx), which keeps slow clients off them. Everything else (bind
address, where the logs go) stays on the command line.
"""

from __future__ import annotations

import gc
import math
import os
import sys
from pathlib import Path
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


def cores() -> int:
    """The cores this process may use: its CPU affinity (the machine's cores where that is not
    known), fewer where a cgroup v2 quota at the root of the process's view allows less, as a
    container's ``--cpus`` does. A quota set elsewhere (systemd's ``CPUQuota=`` on a host, cgroup
    v1) is not read: set ``WEB_CONCURRENCY`` there."""
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return count


workers = int(os.environ.get("WEB_CONCURRENCY") or 0) or max(2, cores())  # 0 or unset: by the cores


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the portal, its objects so far (Django's, the apps', the
    settings') are left out of the garbage collector's full collections (``gc.freeze``): they
    live as long as the worker, and a full collection that walked them all held the worker for
    50–137 ms about once a minute (``make bench``, 30 Nov: 176,000–198,000 tracked objects, of
    which about 129,000 are there when the worker starts); with them frozen, 6–29 ms (a full
    collection still runs, more often, over what the worker made since). A pause of 100 ms in
    the minute after an announcement is a hundred registrations waiting behind it. What is
    garbage already is collected first: once frozen it would never be freed."""
    gc.collect()
    gc.freeze()
