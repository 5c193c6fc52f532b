"""``/webinars/zoom/webhook/``: Zoom's signed notifications. A valid signature made within five
minutes is accepted once; a wrong, missing or old one is refused (401), the same one again
(a replay within the window) too (409); odd header values are refused, never a server error;
the URL validation challenge is answered exactly as Zoom computes it; ``meeting.ended`` fetches
that session's attendance once Zoom's report is complete (else the sweep does later); a client
sending refused requests is slowed down; nothing is cached."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from tests.events.factories import MeetingFactory, RegistrationFactory, SessionFactory, WebinarFactory
from tests.webinars import test_zoom_client as stub
from tests.webinars.test_zoom_client import WEBHOOK_SECRET
from webinars.models import Meeting, ZoomState

pytestmark = pytest.mark.django_db
zoom_stub = stub.zoom_stub

URL = "/webinars/zoom/webhook/"


def _signed(body: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """Headers as Zoom sends them, computed here independently of the view."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_ZM_REQUEST_TIMESTAMP": stamp, "HTTP_X_ZM_SIGNATURE": f"v0={digest}"}


def _post(client, data: dict | bytes, **headers):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return client.post(URL, body, content_type="application/json", **headers)


def test_the_url_validation_challenge_is_answered(client, zoom_stub):
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
                       "event_ts": 1654503849680}).encode()
    response = _post(client, body, **_signed(body))
    assert response.status_code == 200
    expected = hmac.new(WEBHOOK_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert response.json() == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


@pytest.mark.parametrize("mode", ["unsigned", "other-body", "wrong-secret", "no-timestamp"])
def test_a_bad_signature_is_refused(client, zoom_stub, mode):
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    headers = {
        "unsigned": {},
        "other-body": _signed(body + b" "),
        "wrong-secret": _signed(body, secret="wrong-secret"),
        "no-timestamp": {"HTTP_X_ZM_SIGNATURE": _signed(body)["HTTP_X_ZM_SIGNATURE"]},
    }[mode]
    response = _post(client, body, **headers)
    assert response.status_code == 401 and b"encryptedToken" not in response.content


def test_a_replayed_old_notification_is_refused(client, zoom_stub):
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    old = int(time.time()) - 6 * 60
    assert _post(client, body, **_signed(body, timestamp=old)).status_code == 401
    future = int(time.time()) + 6 * 60
    assert _post(client, body, **_signed(body, timestamp=future)).status_code == 401
    assert _post(client, body, **_signed(body, timestamp=int(time.time()) - 4 * 60)).status_code == 200


def test_meeting_ended_fetches_the_sessions_attendance(client, zoom_stub):
    start = timezone.now() - timedelta(hours=2)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session, zoom_meeting_id="85000000009", zoom_state=ZoomState.SYNCED)
    ana = RegistrationFactory(session=session, email="ana@example.org")
    zoom_stub.meetings["85000000009"] = {}
    zoom_stub.participants["85000000009"] = [
        {"name": "Ana", "user_email": "ana@example.org", "join_time": start.isoformat(),
         "leave_time": (start + timedelta(minutes=50)).isoformat(), "duration": 3000},
    ]
    body = json.dumps({"event": "meeting.ended", "event_ts": 1, "payload": {
        "account_id": "acc-1", "object": {"id": 85000000009, "uuid": "4444AAAiAAAAAiAiAiiAii==", "topic": "x"}}}).encode()
    response = _post(client, body, **_signed(body))
    assert response.status_code == 204
    ana.refresh_from_db()
    assert (ana.attended, ana.attended_minutes) == (True, 50)
    assert Meeting.objects.get(session=session).participants_fetched_at is not None


def test_meeting_ended_right_after_the_end_leaves_the_fetch_for_later(client, zoom_stub):
    """Zoom's report is incomplete for ``ATTENDANCE_DELAY`` after the end: nothing is read (or
    marked) yet; the sweep fetches it once it is due."""
    start = timezone.now() - timedelta(minutes=62)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session, zoom_meeting_id="85000000009", zoom_state=ZoomState.SYNCED)
    zoom_stub.meetings["85000000009"] = {}
    body = json.dumps({"event": "meeting.ended", "payload": {"object": {"id": 85000000009}}}).encode()
    assert _post(client, body, **_signed(body)).status_code == 204
    assert zoom_stub.api_calls() == []
    assert Meeting.objects.get(session=session).participants_fetched_at is None


def test_the_same_signed_notification_twice_is_refused_the_second_time(client, zoom_stub):
    # a body of its own: no other test's accepted signature (remembered per process) can match
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": uuid.uuid4().hex}}).encode()
    headers = _signed(body)
    assert _post(client, body, **headers).status_code == 200
    second = _post(client, body, **headers)
    assert second.status_code == 409 and b"encryptedToken" not in second.content
    assert _post(client, body, **_signed(body, timestamp=int(time.time()) - 1)).status_code == 200  # a new signature


def test_a_replay_is_refused_while_redis_is_down_and_zoom_still_accepted(client, zoom_stub, settings):
    """The cache's stand-in (``ResilientRedisCache``) remembers in this process meanwhile."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": uuid.uuid4().hex}}).encode()
    headers = _signed(body)
    assert _post(client, body, **headers).status_code == 200
    assert _post(client, body, **headers).status_code == 409


def test_a_cache_that_fails_outright_lets_signed_notifications_through(client, zoom_stub, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(caches["default"], "add", unreachable)
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    assert _post(client, body, **_signed(body)).status_code == 200


@pytest.mark.parametrize("mode", ["superscript-timestamp", "arabic-indic-timestamp", "non-ascii-signature",
                                  "latin1-signature"])
def test_odd_header_values_are_refused_not_a_server_error(client, zoom_stub, mode):
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    signed = _signed(body)
    headers = {
        "superscript-timestamp": {**signed, "HTTP_X_ZM_REQUEST_TIMESTAMP": "\u00b2"},
        "arabic-indic-timestamp": {**signed, "HTTP_X_ZM_REQUEST_TIMESTAMP": "\u0661\u0662\u0663"},
        "non-ascii-signature": {**signed, "HTTP_X_ZM_SIGNATURE": "v0=\u017e" + "a" * 63},
        "latin1-signature": {**signed, "HTTP_X_ZM_SIGNATURE": signed["HTTP_X_ZM_SIGNATURE"][:-1] + "\u00e9"},
    }[mode]
    response = _post(client, body, **headers)
    assert response.status_code == 401 and b"encryptedToken" not in response.content


def test_an_unknown_meeting_or_event_is_accepted_and_ignored(client, zoom_stub):
    for payload in (
        {"event": "meeting.ended", "payload": {"object": {"id": 123}}},
        {"event": "meeting.started", "payload": {"object": {"id": 123}}},
        {"event": "meeting.ended"},
    ):
        body = json.dumps(payload).encode()
        assert _post(client, body, **_signed(body)).status_code == 204
    assert zoom_stub.calls == []


def test_malformed_signed_bodies_are_bad_requests(client, zoom_stub):
    for body in (b"not json", b"[1, 2]", json.dumps({"event": "endpoint.url_validation", "payload": {}}).encode()):
        assert _post(client, body, **_signed(body)).status_code == 400


def test_only_post_and_a_bounded_body(client, zoom_stub):
    assert client.get(URL).status_code == 405
    body = b"{" + b" " * (70 * 1024) + b"}"
    assert _post(client, body, **_signed(body)).status_code == 413


def test_a_client_sending_refused_requests_is_slowed_down(client, zoom_stub, settings):
    settings.RATELIMIT_ENABLED = True
    body = b"{}"
    statuses = [_post(client, body, HTTP_X_ZM_SIGNATURE="v0=bad", HTTP_X_ZM_REQUEST_TIMESTAMP="1").status_code
                for _ in range(21)]
    assert statuses == [401] * 20 + [429]
    assert _post(client, body, **_signed(body)).status_code == 429  # until the window ends


def test_without_a_webhook_secret_there_is_no_webhook(client, settings):
    settings.ZOOM_WEBHOOK_SECRET_TOKEN = ""
    body = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    assert _post(client, body, **_signed(body, secret="")).status_code == 404
