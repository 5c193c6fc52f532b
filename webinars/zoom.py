"""A small client for Zoom's REST API (server-to-server OAuth), used when ``ZOOM_ACCOUNT_ID``,
``ZOOM_CLIENT_ID`` and ``ZOOM_CLIENT_SECRET`` are all set; without them nothing here is called.

It does only what the portal needs: create and update a session's meeting (with registration,
so each registrant gets a personal join link), add and cancel a registrant, delete a cancelled
session's meeting, and read the participants report after a session.

Written on the standard library (``urllib.request``) because the six calls and one token grant
need nothing more, and Zoom's SDKs (or ``requests``, not otherwise a dependency of the portal)
would add a dependency for them alone.

- The access token (account-credentials grant) is kept in Django's cache until shortly before it
  expires, so every process and worker shares one; a 401 answer drops it, fetches a new one and
  tries the call once more.
- Errors: ``ZoomRateLimited`` (429, with Zoom's ``Retry-After`` in seconds),
  ``ZoomUnavailable`` (5xx, network errors, timeouts), ``ZoomError`` (any other refusal). Tasks
  retry the first two and record the third.
- A Zoom that does not answer (timeout, refused connection) opens a circuit breaker
  (``core.breaker``): for a few seconds calls fail at once with ``ZoomUnavailable`` instead of
  each waiting ``ZOOM_TIMEOUT``. Without a broker (``make run``) tasks run inside the request
  that queued them, so this is what keeps a hung Zoom from holding a registration up more than
  once per interval.
- Nothing secret is logged: no token, join link or passcode; a log line names the method, the
  path's kind and the status.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.breaker import CircuitBreaker, breaker

logger = logging.getLogger(__name__)

#: Seconds before the token's stated expiry at which a new one is fetched.
TOKEN_MARGIN = 300
#: The page size asked of the participants report (Zoom's maximum).
REPORT_PAGE_SIZE = 300
#: Pages of a participants report read at most (300 × 50: more than any session here has).
MAX_REPORT_PAGES = 50
#: Seconds a Zoom that did not answer is skipped.
BREAKER_INTERVAL = 10.0
#: What "Zoom did not answer" looks like: refused or dropped connections, timeouts, cut-off answers.
NO_ANSWER = (urllib.error.URLError, TimeoutError, socket.timeout, OSError, http.client.HTTPException)


class ZoomError(Exception):
    """Zoom refused the call (a 4xx other than 401-then-401 handling and 429). ``status`` is the
    HTTP status, ``code`` Zoom's error code if it sent one. The message never holds a secret."""

    def __init__(self, message: str, *, status: int = 0, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ZoomUnavailable(ZoomError):
    """Zoom is down or did not answer in time (5xx, network error, timeout): try again later."""


class ZoomRateLimited(ZoomUnavailable):
    """Zoom said "too many requests" (429): try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int, status: int = 429, code: int | None = None) -> None:
        super().__init__(message, status=status, code=code)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ZoomMeeting:
    """What the portal keeps of a created meeting. Private like ``webinars.models.Meeting``."""

    id: str
    join_url: str
    passcode: str

    def __repr__(self) -> str:
        return f"<ZoomMeeting {self.id}>"


@dataclass(frozen=True)
class ZoomRegistrant:
    id: str
    join_url: str

    def __repr__(self) -> str:  # the personal join link stays out of logs and tracebacks
        return f"<ZoomRegistrant {self.id}>"


@dataclass(frozen=True)
class Participant:
    """One row of the participants report (one join of one person; a person who left and came
    back has several)."""

    name: str
    email: str
    join_time: datetime | None
    leave_time: datetime | None
    duration_seconds: int


def is_configured() -> bool:
    """All three server-to-server OAuth credentials are set."""
    return bool(settings.ZOOM_ACCOUNT_ID and settings.ZOOM_CLIENT_ID and settings.ZOOM_CLIENT_SECRET)


def api_breaker() -> CircuitBreaker:
    return breaker(f"Zoom API {urllib.parse.urlsplit(settings.ZOOM_API_URL).netloc}", interval=BREAKER_INTERVAL)


def _token_cache_key() -> str:
    account = f"{settings.ZOOM_OAUTH_URL}\n{settings.ZOOM_ACCOUNT_ID}\n{settings.ZOOM_CLIENT_ID}"
    return "webinars:zoom:token:" + hashlib.sha256(account.encode()).hexdigest()[:24]


# ---------------------------------------------------------------------------------------------
# The API calls
# ---------------------------------------------------------------------------------------------


def create_meeting(*, topic: str, start: datetime, duration_minutes: int, time_zone: str, agenda: str = "") -> ZoomMeeting:
    """A scheduled meeting on the account's own user ("me") with registration required and
    approved automatically: each registrant gets a personal join link. Zoom sends no emails of
    its own (the portal does)."""
    answer = _call("POST", "/users/me/meetings", body=_meeting_body(topic, start, duration_minutes, time_zone, agenda))
    return ZoomMeeting(
        id=str(answer.get("id", "")), join_url=str(answer.get("join_url", "")), passcode=str(answer.get("password", ""))
    )


def update_meeting(
    meeting_id: str, *, topic: str, start: datetime, duration_minutes: int, time_zone: str, agenda: str = ""
) -> None:
    _call("PATCH", f"/meetings/{_id(meeting_id)}", body=_meeting_body(topic, start, duration_minutes, time_zone, agenda))


def delete_meeting(meeting_id: str) -> None:
    """Delete a cancelled session's meeting. Already gone (404) counts as done."""
    try:
        _call("DELETE", f"/meetings/{_id(meeting_id)}", query={"cancel_meeting_reminder": "false"})
    except ZoomError as exc:
        if exc.status != 404 or isinstance(exc, ZoomUnavailable):
            raise


def add_registrant(meeting_id: str, *, email: str, first_name: str, last_name: str = "") -> ZoomRegistrant:
    body = {"email": email, "first_name": first_name[:64] or email.split("@")[0][:64], "last_name": last_name[:64]}
    answer = _call("POST", f"/meetings/{_id(meeting_id)}/registrants", body=body)
    return ZoomRegistrant(id=str(answer.get("registrant_id", "")), join_url=str(answer.get("join_url", "")))


def cancel_registrant(meeting_id: str, registrant_id: str) -> None:
    """Cancel one registration: their personal link stops working. A meeting that is already
    gone (404) counts as done."""
    body = {"action": "cancel", "registrants": [{"id": registrant_id}]}
    try:
        _call("PUT", f"/meetings/{_id(meeting_id)}/registrants/status", body=body)
    except ZoomError as exc:
        if exc.status != 404 or isinstance(exc, ZoomUnavailable):
            raise


def participants_report(meeting_id: str) -> list[Participant]:
    """Every row of a past meeting's participants report, following ``next_page_token``."""
    rows: list[Participant] = []
    token = ""
    for _page in range(MAX_REPORT_PAGES):
        query = {"page_size": str(REPORT_PAGE_SIZE)}
        if token:
            query["next_page_token"] = token
        answer = _call("GET", f"/report/meetings/{_id(meeting_id)}/participants", query=query)
        rows += [_participant(item) for item in answer.get("participants") or [] if isinstance(item, dict)]
        token = str(answer.get("next_page_token") or "")
        if not token:
            break
    return rows


def _meeting_body(topic: str, start: datetime, duration_minutes: int, time_zone: str, agenda: str) -> dict[str, Any]:
    return {
        "topic": topic[:200],
        "type": 2,  # scheduled
        "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": max(1, duration_minutes),
        "timezone": time_zone,
        "agenda": agenda[:2000],
        "settings": {
            "approval_type": 0,  # registration required, approved automatically
            "registration_type": 1,
            "registrants_email_notification": False,
            "registrants_confirmation_email": False,
            "join_before_host": False,
            "waiting_room": False,
        },
    }


def _participant(item: dict[str, Any]) -> Participant:
    try:
        duration = max(0, int(item.get("duration") or 0))
    except (TypeError, ValueError):
        duration = 0
    return Participant(
        name=str(item.get("name") or ""),
        email=str(item.get("user_email") or ""),
        join_time=_parse_time(item.get("join_time")),
        leave_time=_parse_time(item.get("leave_time")),
        duration_seconds=duration,
    )


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _id(meeting_id: str) -> str:
    return urllib.parse.quote(str(meeting_id), safe="")


# ---------------------------------------------------------------------------------------------
# Transport: token, one request, errors
# ---------------------------------------------------------------------------------------------


def access_token(*, fresh: bool = False) -> str:
    """The cached access token, or a new one (account-credentials grant) when there is none,
    it is about to expire, or ``fresh`` (after a 401)."""
    key = _token_cache_key()
    if not fresh:
        token = cache.get(key)
        if token:
            return token
    credentials = base64.b64encode(f"{settings.ZOOM_CLIENT_ID}:{settings.ZOOM_CLIENT_SECRET}".encode()).decode()
    query = urllib.parse.urlencode({"grant_type": "account_credentials", "account_id": settings.ZOOM_ACCOUNT_ID})
    answer = _send(
        "POST", f"{settings.ZOOM_OAUTH_URL}?{query}", data=b"",
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
        what="token",
    )
    token = str(answer.get("access_token") or "")
    if not token:
        raise ZoomError("Zoom's token answer held no access token.")
    try:
        expires_in = int(answer.get("expires_in") or 0)
    except (TypeError, ValueError):
        expires_in = 0
    lifetime = expires_in - TOKEN_MARGIN if expires_in > 2 * TOKEN_MARGIN else expires_in // 2
    if lifetime > 0:
        cache.set(key, token, timeout=lifetime)
    return token


def forget_token() -> None:
    cache.delete(_token_cache_key())


def _call(method: str, path: str, *, body: dict[str, Any] | None = None, query: dict[str, str] | None = None) -> dict:
    """One API call with the shared token; on a 401 a new token and one more try."""
    url = settings.ZOOM_API_URL.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = json.dumps(body).encode() if body is not None else None
    what = f"{method} {_path_kind(path)}"
    for attempt in (1, 2):
        headers = {"Authorization": f"Bearer {access_token(fresh=attempt == 2)}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            return _send(method, url, data=data, headers=headers, what=what)
        except ZoomError as exc:
            if exc.status != 401 or attempt == 2:
                raise
            forget_token()
            logger.info("Zoom refused the token for %s; fetching a new one.", what)
    raise AssertionError("unreachable")  # pragma: no cover


def _path_kind(path: str) -> str:
    """The path with ids replaced, for log lines."""
    return "/".join("{id}" if part.isdigit() or len(part) > 20 else part for part in path.split("/"))


def _send(method: str, url: str, *, data: bytes | None, headers: dict[str, str], what: str) -> dict:
    try:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 — from settings
    except ValueError as exc:  # a malformed URL in the settings
        raise ZoomError(f"Zoom URL not usable for {what}: {exc}") from None

    def call() -> tuple[int, bytes, Any]:
        try:
            with urllib.request.urlopen(request, timeout=settings.ZOOM_TIMEOUT) as response:  # noqa: S310
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:  # Zoom answered: not an outage of the network kind
            with error:
                return error.code, error.read(), error.headers

    def skipped() -> tuple[int, bytes, Any]:
        raise ZoomUnavailable(f"Zoom could not be reached or did not answer in time ({what}).")

    status, raw, response_headers = api_breaker().call(call, fallback=lambda: (0, b"", None), failures=NO_ANSWER)
    if status == 0:
        skipped()
    answer = _json(raw)
    if 200 <= status < 300:
        return answer
    message = str(answer.get("message") or answer.get("reason") or "")[:200]
    code = answer.get("code") if isinstance(answer.get("code"), int) else None
    logger.warning("Zoom answered %s to %s (code %s).", status, what, code)
    text = f"Zoom answered {status} to {what}" + (f": {message}" if message else "")
    if status == 429:
        raise ZoomRateLimited(text, retry_after=_retry_after(response_headers), code=code)
    if status >= 500:
        raise ZoomUnavailable(text, status=status, code=code)
    raise ZoomError(text, status=status, code=code)


def _json(raw: bytes) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _retry_after(headers: Any) -> int:
    """Zoom's ``Retry-After`` in seconds (an HTTP date is read too); 60 when absent."""
    value = (headers.get("Retry-After") if headers is not None else None) or ""
    value = value.strip()
    if value.isdigit():
        return max(1, int(value))
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 60
        return max(1, int((when - datetime.now(UTC)).total_seconds()))
    return 60
