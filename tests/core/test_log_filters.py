"""``core.log_filters``: the token of an own-page address is redacted in log records (message,
arguments, exception text), the rest of the path kept; the LOGGING handlers carry the filter;
gunicorn's access log (``gunicorn.conf.py``) redacts the same way."""

from __future__ import annotations

import logging
import runpy
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.log_filters import REDACTED, RedactPrivateLinks, redact

TOKEN = ".eJxTKk4tKkktLklVsgIAJVcE-A:1tSeCr:Et0kEn_-x"
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"/events/registration/{TOKEN}/", f"/events/registration/{REDACTED}/"),
        (f"/sl/events/registration/{TOKEN}/cancel/", f"/sl/events/registration/{REDACTED}/cancel/"),
        (f"/events/registration/{TOKEN}/calendar.ics", f"/events/registration/{REDACTED}/calendar.ics"),
        (f"GET /events/registration/{TOKEN}/?a=1 HTTP/1.1", f"GET /events/registration/{REDACTED}/?a=1 HTTP/1.1"),
        (f"https://site.example/events/registration/{TOKEN}", f"https://site.example/events/registration/{REDACTED}"),
        ("/events/registration/broken/", f"/events/registration/{REDACTED}/"),
        ("/events/registration/link/", "/events/registration/link/"),
        ("/events/registration/link", "/events/registration/link"),
        ("/events/registration/linkx:1/", f"/events/registration/{REDACTED}/"),
        ("/events/some-workshop/registered/", "/events/some-workshop/registered/"),
        ("nothing to see", "nothing to see"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def _record(msg, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args or None, exc_info)


def test_the_filter_redacts_message_and_arguments_and_keeps_the_record():
    flt = RedactPrivateLinks()
    record = _record("%s: %s", "Too Many Requests", f"/events/registration/{TOKEN}/")
    assert flt.filter(record) is True
    assert record.args == ("Too Many Requests", f"/events/registration/{REDACTED}/")
    assert record.getMessage() == f"Too Many Requests: /events/registration/{REDACTED}/"

    inline = _record(f"Forbidden (CSRF cookie not set.): /sl/events/registration/{TOKEN}/")
    flt.filter(inline)
    assert inline.getMessage() == f"Forbidden (CSRF cookie not set.): /sl/events/registration/{REDACTED}/"

    class Request:  # an argument that is not a string, whose text holds the path
        def __str__(self) -> str:
            return f"<WSGIRequest: GET '/events/registration/{TOKEN}/'>"

    flattened = _record("request %s", Request())
    flt.filter(flattened)
    assert TOKEN not in flattened.getMessage() and REDACTED in flattened.getMessage()

    untouched = _record("%d seats left on %s", 3, "/events/x/")
    flt.filter(untouched)
    assert untouched.args == (3, "/events/x/") and untouched.getMessage() == "3 seats left on /events/x/"


def test_mapping_arguments_keep_their_type():
    class Atoms(dict):
        def __getitem__(self, key):
            return super().__getitem__(key) if key in self else "-"

    atoms = Atoms(r=f"GET /events/registration/{TOKEN}/ HTTP/1.1", s=200)
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s %(s)s %(missing)s", (atoms,), None)
    RedactPrivateLinks().filter(record)
    assert type(record.args) is Atoms and atoms["r"].startswith("GET /events/registration/.eJx"), "a copy"
    assert record.getMessage() == f"GET /events/registration/{REDACTED}/ HTTP/1.1 200 -"


def test_exception_text_is_redacted():
    try:
        raise ValueError(f"no page at /events/registration/{TOKEN}/")
    except ValueError:
        record = _record("failed", exc_info=sys.exc_info())
    RedactPrivateLinks().filter(record)
    text = logging.Formatter().format(record)
    assert TOKEN not in text and f"/events/registration/{REDACTED}/" in text


def test_the_logging_handlers_redact():
    for name in ("", "django.request", "django.security.csrf", "django.server"):
        logger = logging.getLogger(name)
        while logger is not None and not logger.handlers:  # the handlers its records reach
            logger = logger.parent
        assert logger is not None, name
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            assert any(isinstance(f, RedactPrivateLinks) for f in handler.filters), (name, handler)
    # Django's own handlers (an unfiltered console in DEBUG) are not on the "django" logger any more.
    assert logging.getLogger("django").handlers == []


def test_gunicorns_access_log_is_redacted(capsys):
    from gunicorn.config import Config

    namespace = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    logger_class = namespace["logger_class"]
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("logger_class", logger_class)
    logger = logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/sl/events/registration/{TOKEN}/cancel/?x=1",
        "PATH_INFO": f"/sl/events/registration/{TOKEN}/cancel/",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://site.example/events/registration/{TOKEN}/",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", f"/events/registration/{TOKEN}/")])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert not [key for key, value in atoms.items() if isinstance(value, str) and TOKEN in value]
    assert atoms["r"] == f"GET /sl/events/registration/{REDACTED}/cancel/?x=1 HTTP/1.1"
    assert atoms["U"] == f"/sl/events/registration/{REDACTED}/cancel/"
    assert atoms["{location}o"] == f"/events/registration/{REDACTED}/"
    logger.access(response, request, environ, timedelta(milliseconds=5))
    for handler in logger.access_log.handlers:
        handler.flush()
    out = capsys.readouterr().out
    assert f"/sl/events/registration/{REDACTED}/cancel/" in out and TOKEN not in out
    assert any(isinstance(f, RedactPrivateLinks) for f in logger.error_log.filters)
    for log in (logger.access_log, logger.error_log):  # gunicorn's loggers are global: leave them as found
        for handler in list(log.handlers):
            log.removeHandler(handler)
