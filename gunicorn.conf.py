"""gunicorn's configuration (``gunicorn -c gunicorn.conf.py``, see the Procfile).

The access log names every request, and the address of one's own registration page holds its
signed token (``/events/registration/<token>/``): ``RedactingLogger`` writes the token as
``[redacted]`` wherever a request line, path, header (a ``Referer``, a redirect's ``Location``)
or environment value of the log format holds one, and redacts gunicorn's error log likewise.
Everything else (bind address, workers, where the logs go) stays on the command line.
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
