"""The Zoom API client against a local stub of Zoom's documented endpoints (pytest-httpserver):
the account-credentials token (cached until shortly before it expires, fetched again after a
401), the meeting and registrant calls, the paged participants report, and each kind of failure.

``ZoomStub`` and the ``zoom_stub`` fixture are imported by the other Zoom test modules.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from werkzeug import Request, Response

from webinars import zoom

ACCOUNT, CLIENT, SECRET = "acc-1", "client-1", "client-secret-1"
WEBHOOK_SECRET = "webhook-secret-1"


@dataclass
class Fault:
    """Answer the next request whose method and path match with ``status`` (after ``delay`` s)."""

    method: str
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class ZoomStub:
    """The part of Zoom's API the portal uses, in memory. Every request is recorded in ``calls``
    as "METHOD /path"; ``faults`` are answered first, once each."""

    def __init__(self, server) -> None:
        self.server = server
        self.calls: list[str] = []
        self.bodies: list[dict] = []
        self.faults: list[Fault] = []
        self.tokens: list[str] = []
        self.valid_tokens: set[str] = set()
        self.expires_in = 3599
        self.meetings: dict[str, dict] = {}
        self.registrants: dict[str, dict[str, dict]] = {}
        self.participants: dict[str, list[dict]] = {}
        self.page_size_seen: list[str] = []
        # (method, path pattern, callable): run once, in the stub's thread, before that request is answered.
        self.before: list[tuple[str, str, Callable[[], None]]] = []
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.handle)

    @property
    def api_url(self) -> str:
        return self.server.url_for("/v2")

    @property
    def oauth_url(self) -> str:
        return self.server.url_for("/oauth/token")

    def revoke_tokens(self) -> None:
        self.valid_tokens.clear()

    def api_calls(self) -> list[str]:
        return [call for call in self.calls if not call.endswith("/oauth/token")]

    # --- dispatch ----------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        call = f"{request.method} {request.path}"
        self.calls.append(call)
        body = request.get_data()
        self.bodies.append(json.loads(body) if body and request.path != "/oauth/token" else {})
        for hook in list(self.before):
            if hook[0] == request.method and re.fullmatch(hook[1], request.path):
                self.before.remove(hook)
                hook[2]()
        for fault in self.faults:
            if fault.method == request.method and re.fullmatch(fault.path, request.path):
                self.faults.remove(fault)
                if fault.delay:
                    time.sleep(fault.delay)
                return _json({"code": fault.status, "message": "Stub fault."}, fault.status, fault.headers)
        if request.path == "/oauth/token":
            return self.token(request)
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.valid_tokens:
            return _json({"code": 124, "message": "Invalid access token."}, 401)
        path = request.path.removeprefix("/v2")
        if request.method == "POST" and path == "/users/me/meetings":
            meeting_id = str(85_000_000_000 + len(self.meetings) + 1)
            self.meetings[meeting_id] = json.loads(body)
            self.registrants[meeting_id] = {}
            return _json({"id": int(meeting_id), "join_url": f"https://stub.zoom.test/j/{meeting_id}?pwd=ZPWD",
                          "password": "zpass"}, 201)
        match = re.fullmatch(r"/meetings/(\d+)(/registrants(/status)?)?", path)
        if match and match.group(1) not in self.meetings:
            return _json({"code": 3001, "message": "Meeting does not exist."}, 404)
        if match and request.method == "PATCH" and not match.group(2):
            self.meetings[match.group(1)].update(json.loads(body))
            return Response(status=204)
        if match and request.method == "DELETE" and not match.group(2):
            del self.meetings[match.group(1)]
            return Response(status=204)
        if match and request.method == "POST" and match.group(2) and not match.group(3):
            data = json.loads(body)
            registrants = self.registrants[match.group(1)]
            registrant_id = f"reg{len(registrants) + 1}"
            registrants[registrant_id] = {**data, "status": "approved"}
            return _json({"id": int(match.group(1)), "registrant_id": registrant_id,
                          "join_url": f"https://stub.zoom.test/w/{match.group(1)}?tk=TOKEN-{registrant_id}"}, 201)
        if match and request.method == "PUT" and match.group(3):
            data = json.loads(body)
            for item in data["registrants"]:
                self.registrants[match.group(1)][item["id"]]["status"] = data["action"]
            return Response(status=204)
        report = re.fullmatch(r"/report/meetings/(\d+)/participants", path)
        if report and request.method == "GET":
            self.page_size_seen.append(request.args.get("page_size", ""))
            rows = self.participants.get(report.group(1), [])
            start = int(request.args.get("next_page_token") or 0)
            page = rows[start:start + 2]  # two rows a page, to be read across pages
            token = str(start + 2) if start + 2 < len(rows) else ""
            return _json({"page_size": 2, "total_records": len(rows), "next_page_token": token, "participants": page})
        return _json({"code": 404, "message": "No such stub route."}, 404)

    def token(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{CLIENT}:{SECRET}".encode()).decode()
        if (
            request.method != "POST"
            or request.headers.get("Authorization") != expected
            or request.args.get("grant_type") != "account_credentials"
            or request.args.get("account_id") != ACCOUNT
        ):
            return _json({"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, 400)
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        self.valid_tokens.add(token)
        return _json({"access_token": token, "token_type": "bearer", "expires_in": self.expires_in,
                      "scope": "meeting:write:admin"})


def _json(data: dict, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers or {}, content_type="application/json")


@pytest.fixture
def zoom_stub(httpserver, settings) -> ZoomStub:
    """Zoom's API configured and pointed at a fresh stub."""
    stub = ZoomStub(httpserver)
    settings.ZOOM_ACCOUNT_ID, settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET = ACCOUNT, CLIENT, SECRET
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = WEBHOOK_SECRET
    settings.ZOOM_API_URL, settings.ZOOM_OAUTH_URL = stub.api_url, stub.oauth_url
    settings.ZOOM_TIMEOUT = 2
    return stub


START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def _create(**overrides) -> zoom.ZoomMeeting:
    details = {"topic": "Counting birds", "start": START, "duration_minutes": 90, "time_zone": "Europe/Ljubljana"}
    return zoom.create_meeting(**{**details, **overrides})


# --- Configuration and the token --------------------------------------------------------------


def test_configured_only_with_all_three_credentials(settings):
    settings.ZOOM_ACCOUNT_ID, settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET = ACCOUNT, CLIENT, ""
    assert not zoom.is_configured()
    settings.ZOOM_CLIENT_SECRET = SECRET
    assert zoom.is_configured()


def test_the_token_is_granted_once_and_cached_until_shortly_before_it_expires(zoom_stub):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _create()
        zoom.add_registrant("85000000001", email="ana@example.org", first_name="Ana")
        assert zoom_stub.tokens == ["token-1"]  # one grant for two calls
        traveller.shift(timedelta(seconds=3599 - zoom.TOKEN_MARGIN - 5))
        _create()
        assert zoom_stub.tokens == ["token-1"]
        traveller.shift(timedelta(seconds=10))  # within the margin before expiry: a new one
        _create()
    assert zoom_stub.tokens == ["token-1", "token-2"]
    assert zoom_stub.calls.count("POST /oauth/token") == 2


def test_a_401_fetches_a_new_token_and_tries_once_more(zoom_stub):
    _create()
    zoom_stub.revoke_tokens()  # Zoom no longer takes the cached token
    _create()
    assert zoom_stub.tokens == ["token-1", "token-2"]
    assert zoom_stub.calls == [
        "POST /oauth/token", "POST /v2/users/me/meetings",
        "POST /v2/users/me/meetings", "POST /oauth/token", "POST /v2/users/me/meetings",
    ]


def test_a_second_401_is_an_error_not_a_loop(zoom_stub):
    zoom_stub.faults += [Fault("POST", "/v2/users/me/meetings", 401), Fault("POST", "/v2/users/me/meetings", 401)]
    with pytest.raises(zoom.ZoomError) as error:
        _create()
    assert error.value.status == 401 and not isinstance(error.value, zoom.ZoomUnavailable)
    assert zoom_stub.calls.count("POST /v2/users/me/meetings") == 2


def test_wrong_credentials_are_a_refusal(zoom_stub, settings):
    settings.ZOOM_CLIENT_SECRET = "wrong"
    with pytest.raises(zoom.ZoomError) as error:
        _create()
    assert error.value.status == 400 and "wrong" not in str(error.value)
    assert zoom_stub.api_calls() == []


# --- The calls ------------------------------------------------------------------------------------


def test_create_and_update_a_meeting(zoom_stub):
    meeting = _create()
    assert meeting.id == "85000000001" and meeting.join_url.startswith("https://stub.zoom.test/j/")
    assert meeting.passcode == "zpass" and "zpass" not in repr(meeting)
    sent = zoom_stub.meetings[meeting.id]
    assert sent["start_time"] == "2030-03-04T09:00:00Z" and sent["duration"] == 90 and sent["type"] == 2
    assert sent["settings"]["approval_type"] == 0  # registration required, approved automatically
    assert sent["settings"]["registrants_email_notification"] is False  # the portal sends its own
    zoom.update_meeting(meeting.id, topic="Counting owls", start=START + timedelta(days=1), duration_minutes=60,
                        time_zone="Europe/Ljubljana")
    assert zoom_stub.meetings[meeting.id]["topic"] == "Counting owls"
    assert zoom_stub.meetings[meeting.id]["start_time"] == "2030-03-05T09:00:00Z"


def test_add_and_cancel_a_registrant(zoom_stub):
    meeting = _create()
    registrant = zoom.add_registrant(meeting.id, email="ana@example.org", first_name="Ana", last_name="Novak")
    assert registrant.id == "reg1" and registrant.join_url.endswith("tk=TOKEN-reg1")
    assert "TOKEN" not in repr(registrant)
    assert zoom_stub.registrants[meeting.id]["reg1"]["email"] == "ana@example.org"
    zoom.cancel_registrant(meeting.id, registrant.id)
    assert zoom_stub.registrants[meeting.id]["reg1"]["status"] == "cancel"
    assert zoom_stub.bodies[-1] == {"action": "cancel", "registrants": [{"id": "reg1"}]}


def test_cancelling_in_a_deleted_meeting_counts_as_done(zoom_stub):
    meeting = _create()
    zoom.delete_meeting(meeting.id)
    zoom.cancel_registrant(meeting.id, "reg1")
    zoom.delete_meeting(meeting.id)
    assert zoom_stub.calls[-1] == f"DELETE /v2/meetings/{meeting.id}"


def test_the_participants_report_is_read_across_pages(zoom_stub):
    zoom_stub.participants["123"] = [
        {"name": "Ana", "user_email": "ana@example.org", "join_time": "2030-03-04T09:01:00Z",
         "leave_time": "2030-03-04T09:31:00Z", "duration": 1800},
        {"name": "Ana", "user_email": "ana@example.org", "join_time": "2030-03-04T09:40:00Z",
         "leave_time": "2030-03-04T10:00:00Z", "duration": 1200},
        {"name": "Bor", "user_email": "", "join_time": "2030-03-04T09:00:00Z",
         "leave_time": "2030-03-04T09:10:00Z", "duration": 600},
    ]
    rows = zoom.participants_report("123")
    assert zoom_stub.calls.count("GET /v2/report/meetings/123/participants") == 2
    assert zoom_stub.page_size_seen == ["300", "300"]
    assert [(r.name, r.email, r.duration_seconds) for r in rows] == [
        ("Ana", "ana@example.org", 1800), ("Ana", "ana@example.org", 1200), ("Bor", "", 600),
    ]
    assert rows[0].join_time == datetime(2030, 3, 4, 9, 1, tzinfo=UTC)
    assert rows[0].leave_time == datetime(2030, 3, 4, 9, 31, tzinfo=UTC)


# --- Failures -------------------------------------------------------------------------------------


def test_429_is_rate_limited_with_zooms_retry_after(zoom_stub):
    zoom_stub.faults.append(Fault("POST", "/v2/users/me/meetings", 429, {"Retry-After": "7"}))
    with pytest.raises(zoom.ZoomRateLimited) as error:
        _create()
    assert error.value.retry_after == 7 and isinstance(error.value, zoom.ZoomUnavailable)
    assert _create().id  # and the next call goes through: a 429 is not an outage


def test_5xx_is_unavailable(zoom_stub):
    zoom_stub.faults.append(Fault("POST", "/v2/users/me/meetings", 503))
    with pytest.raises(zoom.ZoomUnavailable) as error:
        _create()
    assert error.value.status == 503 and not isinstance(error.value, zoom.ZoomRateLimited)


def test_other_4xx_is_a_refusal(zoom_stub):
    with pytest.raises(zoom.ZoomError) as error:
        zoom.update_meeting("999", topic="x", start=START, duration_minutes=5, time_zone="UTC")
    assert error.value.status == 404 and error.value.code == 3001
    assert not isinstance(error.value, zoom.ZoomUnavailable)


def test_a_timeout_is_unavailable_and_zoom_is_then_skipped_for_a_while(zoom_stub, settings):
    settings.ZOOM_TIMEOUT = 0.2
    zoom.access_token()  # the grant itself answers in time
    zoom_stub.faults.append(Fault("POST", "/v2/users/me/meetings", 201, delay=0.6))
    began = time.monotonic()
    with pytest.raises(zoom.ZoomUnavailable):
        _create()
    assert time.monotonic() - began < 0.55  # did not wait for the slow answer
    calls = len(zoom_stub.calls)
    with pytest.raises(zoom.ZoomUnavailable):  # the breaker is open: no request at all
        _create()
    time.sleep(0.5)  # let the stub's slow handler finish before comparing
    assert len(zoom_stub.calls) == calls


def test_a_closed_port_is_unavailable(settings):
    settings.ZOOM_ACCOUNT_ID, settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET = ACCOUNT, CLIENT, SECRET
    settings.ZOOM_OAUTH_URL = "http://127.0.0.1:9/oauth/token"
    settings.ZOOM_API_URL = "http://127.0.0.1:9/v2"
    with pytest.raises(zoom.ZoomUnavailable):
        _create()
