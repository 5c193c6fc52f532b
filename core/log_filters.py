"""Log filters: no secret from a URL in a log line.

The address of one's own registration page, ``/events/registration/<signed token>/`` (and its
``cancel/`` and ``calendar.ics`` below it, under any language prefix), is the key to that
registration: whoever has it sees the join link and can cancel. Django logs the path of refused
requests ("Forbidden (CSRF cookie not set.): /events/registration/…/", "Too Many Requests: …",
"Not Found: …"), ``runserver`` and gunicorn log every request line. ``RedactPrivateLinks``
replaces the token with ``[redacted]`` in a record's message, arguments, exception text and stack,
keeping the rest of the path; ``LOGGING`` attaches it to the handlers, and ``gunicorn.conf.py``
uses ``redact`` for the access log.

Plain text only: no Django, no app (gunicorn's configuration imports this before Django is set
up)."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[redacted]"

# The segment after /events/registration/, except "link" (the page that asks for a new link).
# A signed token holds letters, digits, "-", "_", ":" and "."; anything up to the next "/",
# "?", "#", whitespace or quote is taken, so a broken or tampered token is redacted too.
PRIVATE_LINK = re.compile(r"(/events/registration/)(?!link(?:[/?#\s\"'<>]|$))[^/?#\s\"'<>]+")


def redact(text: str) -> str:
    """``text`` with the token of every own-page address in it replaced by ``[redacted]``."""
    return PRIVATE_LINK.sub(rf"\g<1>{REDACTED}", text) if "/events/registration/" in text else text


def redact_value(value: Any) -> Any:
    """A string redacted; anything else as it is."""
    return redact(value) if isinstance(value, str) else value


class RedactPrivateLinks(logging.Filter):
    """Redacts own-page tokens in every record it sees (attach it to handlers: a logger's filter
    does not see what its children's records propagate). The record is changed, never dropped:
    its message and string arguments are redacted (a mapping of arguments is copied, keeping
    its type); should the formatted message still hold a token (an argument that is not a
    string), the record carries the redacted message with no arguments. Exception text and stack
    are redacted likewise."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        record.args = _redacted_args(record.args)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: left for the handler to report
            return True
        if redact(message) != message:
            record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redacted_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(redact_value(arg) for arg in args)
    if isinstance(args, Mapping):
        if not any(isinstance(value, str) and redact(value) != value for value in args.values()):
            return args
        if not isinstance(args, MutableMapping):
            return {key: redact_value(value) for key, value in args.items()}
        redacted = copy.copy(args)  # the same type (gunicorn's atoms answer "-" for a missing key)
        for key, value in args.items():
            redacted[key] = redact_value(value)
        return redacted
    return args
