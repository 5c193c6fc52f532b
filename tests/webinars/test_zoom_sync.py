"""Keeping Zoom in step with the portal, end to end against the stub: a webinar's session gets a
meeting, each confirmed registrant a personal link (emailed, and preferred over the shared link
everywhere), cancelled and switched registrants leave the old meeting, a cancelled session's
meeting is deleted, attendance comes back after the session; Zoom's 429s and 5xx are retried
(the former after its Retry-After), its refusals recorded; a Zoom outage never costs a
registration; and without Zoom configured not one request is made."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from celery.signals import task_prerun, task_retry
from django.db import connections
from django.utils import timezone

from events import services as events_services
from events.models import Registration
from events.signals import join_details_for
from outbox.models import OutgoingEmail
from tests.events.factories import SECRET_URL, MeetingFactory, RegistrationFactory, SessionFactory, WebinarFactory
from tests.mailing.conftest import queued_tasks  # noqa: F401 — the broker fixture
from tests.webinars import test_zoom_client as stub
from tests.webinars.test_zoom_client import Fault, ZoomStub
from webinars import services, tasks, zoom
from webinars.models import Meeting, ZoomRegistrant, ZoomState

pytestmark = pytest.mark.django_db
zoom_stub = stub.zoom_stub


@pytest.fixture
def retries():
    """The countdown of every task retry (Celery's ``task_retry`` signal; eager tasks retry at once)."""
    seen: list[tuple[str, float]] = []

    def record(sender=None, reason=None, **kwargs):
        seen.append((sender.name.rsplit(".", 1)[-1], reason.when))

    task_retry.connect(record, weak=False)
    yield seen
    task_retry.disconnect(record)


@pytest.fixture
def runs():
    """The name of every task run (Celery's ``task_prerun`` signal; without a broker each task
    published runs at once, so this counts what was queued)."""
    seen: list[str] = []

    def record(sender=None, **kwargs):
        seen.append(sender.name.rsplit(".", 1)[-1])

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


@pytest.fixture
def online_session(zoom_stub, django_capture_on_commit_callbacks):
    """A future session of a webinar on Zoom, saved with Zoom configured: its meeting is made."""
    start = timezone.now() + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        return SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(minutes=90), capacity=2)


def _register(email: str, session, name: str = "Ana Novak"):
    return events_services.register(session=session, name=name, email=email, consent_text="ok", language="en")


def test_a_saved_session_gets_a_zoom_meeting_and_zooms_link_fills_the_blank_fields(online_session, zoom_stub):
    assert zoom_stub.api_calls() == ["POST /v2/users/me/meetings"]
    meeting = Meeting.objects.get(session=online_session)
    assert meeting.zoom_meeting_id == "85000000001" and meeting.zoom_state == ZoomState.SYNCED
    assert meeting.join_url == "https://stub.zoom.test/j/85000000001?pwd=ZPWD"
    assert (meeting.meeting_id, meeting.passcode) == ("850 0000 0001", "zpass")
    sent = zoom_stub.meetings["85000000001"]
    assert sent["topic"] == online_session.event.title and sent["duration"] == 90


def test_a_coordinators_link_is_kept(zoom_stub, django_capture_on_commit_callbacks):
    session = SessionFactory(event=WebinarFactory().event)
    MeetingFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
    meeting = Meeting.objects.get(session=session)
    assert meeting.zoom_meeting_id and meeting.join_url == SECRET_URL and meeting.meeting_id == "987 654 321"


def test_a_session_of_another_platform_or_event_kind_never_reaches_zoom(zoom_stub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SessionFactory()  # a workshop
        SessionFactory(event=WebinarFactory(platform="Jitsi").event)
    assert zoom_stub.calls == []


def test_a_move_updates_the_meeting_and_an_unchanged_save_calls_nothing(
    online_session, zoom_stub, django_capture_on_commit_callbacks
):
    new_start = online_session.start + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        events_services.move_session(session=online_session, start=new_start, end=new_start + timedelta(hours=1))
    assert zoom_stub.api_calls()[-1] == "PATCH /v2/meetings/85000000001"
    assert zoom_stub.meetings["85000000001"]["duration"] == 60
    calls = len(zoom_stub.calls)
    with django_capture_on_commit_callbacks(execute=True):
        online_session.refresh_from_db()
        online_session.save()
    assert len(zoom_stub.calls) == calls


@pytest.mark.parametrize("change", ["move", "cancel", "cancel_event"])
def test_a_move_or_a_cancellation_queues_one_meeting_sync(
    change, online_session, zoom_stub, runs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register("ana@example.org", online_session)
    runs.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "move":
            new_start = online_session.start + timedelta(days=1)
            events_services.move_session(session=online_session, start=new_start, end=new_start + timedelta(hours=1))
        elif change == "cancel":
            events_services.cancel_session(session=online_session)
        else:
            events_services.cancel_event(event=online_session.event)
    assert runs.count("sync_meeting") == 1
    expected = "PATCH" if change == "move" else "DELETE"
    assert zoom_stub.api_calls()[-1] == f"{expected} /v2/meetings/85000000001"


def test_a_registrant_gets_a_personal_link_by_email_and_everywhere_after(
    online_session, zoom_stub, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    personal = "https://stub.zoom.test/w/85000000001?tk=TOKEN-reg1"
    assert zoom_stub.registrants["85000000001"]["reg1"] | {"status": "x"} == {
        "email": "ana@example.org", "first_name": "Ana", "last_name": "Novak", "status": "x"
    }
    row = ZoomRegistrant.objects.get(registration=registration)
    assert (row.registrant_id, row.join_url, row.zoom_meeting_id) == ("reg1", personal, "85000000001")
    confirmation, join_link = mailoutbox
    assert "Registration confirmed" in confirmation.subject
    assert "https://stub.zoom.test/j/85000000001" in confirmation.body  # the shared link, known at commit
    assert join_link.subject.startswith("Your link to join") and personal in join_link.body
    assert "https://stub.zoom.test/j/" not in join_link.body
    # The own page and calendar file, and the reminders, give the personal link from now on.
    registration = Registration.objects.select_related("session__event").get(pk=registration.pk)
    assert join_details_for(registration).url == personal
    with time_machine.travel(online_session.start - timedelta(hours=23)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_due_reminders() == 1
    assert personal in mailoutbox[-1].body
    # A second run of the task adds nobody twice and emails nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sync_registrant.delay(registration.pk).get() == "added"
    assert len(zoom_stub.registrants["85000000001"]) == 1 and len(mailoutbox) == 3


def test_registrants_zoom_work_goes_to_celery_after_the_response_a_few_together(
    online_session, zoom_stub, settings, queued_tasks, django_capture_on_commit_callbacks,  # noqa: F811
):
    """A confirmed registration's Zoom task is published by the process's hand-over, after the
    commit and with those of the next few registrations (``core.handover``): the request waits
    for no publish."""
    from outbox.handover import handover as outbox_handover
    from webinars.signals import registrant_handover

    settings.HANDOVER_MS = 60_000  # the thread waits: what it gathered is published by flush()
    queued_tasks.take()
    with django_capture_on_commit_callbacks(execute=True):
        first = _register("ana@example.org", online_session).registration
    with django_capture_on_commit_callbacks(execute=True):
        second = _register("bor@example.org", online_session, name="Bor Kos").registration

    def zoom_tasks() -> list:
        return [task for task in queued_tasks.take() if task[0] == "webinars.tasks.sync_registrant"]

    assert zoom_tasks() == [] and registrant_handover.pending() == 2
    registrant_handover.flush()  # what the thread does when its moment has come
    assert zoom_tasks() == [("webinars.tasks.sync_registrant", (first.pk,)),
                            ("webinars.tasks.sync_registrant", (second.pk,))]
    outbox_handover.flush()  # the confirmations' ids, gathered meanwhile: to this test's broker


def test_without_a_broker_a_registrants_zoom_work_runs_at_once(online_session, zoom_stub, settings,
                                                               django_capture_on_commit_callbacks):
    """Eager tasks (no broker, ``make run``): nothing waits in the hand-over's thread, whatever
    ``HANDOVER_MS`` says; the registrant is added to Zoom in the request, as before."""
    from webinars.signals import registrant_handover

    settings.HANDOVER_MS = 60_000
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    assert registrant_handover.pending() == 0
    assert ZoomRegistrant.objects.filter(registration=registration).exists()


def test_messages_queued_under_the_old_task_names_still_run(
    online_session, zoom_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.add_registrant.delay(registration.pk).get() == "added"
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.cancel_registrant.delay(registration.pk).get()
    assert zoom_stub.registrants["85000000001"]["reg1"]["status"] == "cancel"
    assert not ZoomRegistrant.objects.filter(registration=registration).exists()


def _on_the_tests_connection(func):
    """``func`` for the stub's thread, run on the test's own database connection (as Django's
    live server shares it): what it writes is there when the code waiting for Zoom's answer
    reads again, as a cancellation committed meanwhile would be."""
    shared = connections["default"]

    def run() -> None:
        shared.inc_thread_sharing()
        connections["default"] = shared
        try:
            func()
        finally:
            del connections["default"]
            shared.dec_thread_sharing()

    return run


def _cancel_ana() -> None:
    events_services.cancel_registration(registration=Registration.objects.get(email="ana@example.org"))


def test_a_cancellation_while_zoom_adds_the_registrant_gets_no_join_link(
    online_session, zoom_stub, mailoutbox, django_capture_on_commit_callbacks
):
    zoom_stub.before.append(("POST", r"/v2/meetings/\d+/registrants", _on_the_tests_connection(_cancel_ana)))
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    registration.refresh_from_db()
    assert zoom_stub.before == [] and registration.status == Registration.Status.CANCELLED
    assert not OutgoingEmail.objects.filter(idempotency_key__startswith=f"webinars:join-link:{registration.pk}:").exists()
    assert all("TOKEN-reg1" not in message.body for message in mailoutbox)
    assert any("cancel" in message.subject.lower() for message in mailoutbox)
    # Zoom's registrant was cancelled at once: the personal link does not work.
    assert zoom_stub.registrants["85000000001"]["reg1"]["status"] == "cancel"
    assert not ZoomRegistrant.objects.filter(registration=registration).exists()


def test_a_registrant_zoom_could_not_cancel_then_is_left_for_the_sweep(
    online_session, zoom_stub, mailoutbox, django_capture_on_commit_callbacks
):
    zoom_stub.before.append(("POST", r"/v2/meetings/\d+/registrants", _on_the_tests_connection(_cancel_ana)))
    zoom_stub.faults += [Fault("PUT", r"/v2/meetings/\d+/registrants/status", 503) for _ in range(tasks.MAX_RETRIES + 2)]
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    assert all("TOKEN-reg1" not in message.body for message in mailoutbox)
    assert ZoomRegistrant.objects.get(registration=registration).registrant_id == "reg1"
    zoom_stub.faults.clear()
    ZoomRegistrant.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.zoom_work_due().registrations == [registration.pk]
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_zoom.delay()
    assert zoom_stub.registrants["85000000001"]["reg1"]["status"] == "cancel"
    assert not ZoomRegistrant.objects.filter(registration=registration).exists()


def test_the_waiting_list_is_added_on_promotion_only(online_session, zoom_stub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _register("a@example.org", online_session).registration
        _register("b@example.org", online_session)
        waiting = _register("c@example.org", online_session).registration
    assert waiting.status == "waitlisted" and len(zoom_stub.registrants["85000000001"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        events_services.cancel_registration(registration=first)
    statuses = {r["email"]: r["status"] for r in zoom_stub.registrants["85000000001"].values()}
    assert statuses == {"a@example.org": "cancel", "b@example.org": "approved", "c@example.org": "approved"}
    assert not ZoomRegistrant.objects.filter(registration=first).exists()
    assert ZoomRegistrant.objects.get(registration=waiting).registrant_id == "reg3"


def test_a_switch_leaves_the_old_meeting_for_the_new_one(online_session, zoom_stub, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = SessionFactory(event=online_session.event, start=online_session.start + timedelta(days=7),
                               end=online_session.end + timedelta(days=7))
        registration = _register("ana@example.org", online_session).registration
    with django_capture_on_commit_callbacks(execute=True):
        events_services.switch_registration(registration=registration, session=other)
    assert zoom_stub.registrants["85000000001"]["reg1"]["status"] == "cancel"
    assert zoom_stub.registrants["85000000002"]["reg1"]["status"] == "approved"
    row = ZoomRegistrant.objects.get(registration=registration)
    assert row.zoom_meeting_id == "85000000002" and row.join_url.endswith("TOKEN-reg1")
    registration.refresh_from_db()
    assert join_details_for(registration).url == "https://stub.zoom.test/w/85000000002?tk=TOKEN-reg1"


def test_a_cancelled_session_deletes_its_meeting_and_the_personal_links(
    online_session, zoom_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _register("ana@example.org", online_session)
    with django_capture_on_commit_callbacks(execute=True):
        events_services.cancel_session(session=online_session)
    assert "DELETE /v2/meetings/85000000001" in zoom_stub.api_calls()
    assert zoom_stub.meetings == {} and not ZoomRegistrant.objects.exists()
    assert Meeting.objects.get(session=online_session).zoom_state == ZoomState.DELETED


def test_a_new_meeting_gets_the_registrants_confirmed_before_it(zoom_stub, django_capture_on_commit_callbacks):
    session = SessionFactory(event=WebinarFactory().event)  # saved outside a commit: no task yet
    early = RegistrationFactory(session=session, email="early@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_meeting.delay(session.pk)
    assert ZoomRegistrant.objects.get(registration=early).registrant_id == "reg1"


# --- Failures and retries ------------------------------------------------------------------------


def test_429_is_retried_after_zooms_retry_after(online_session, zoom_stub, retries, django_capture_on_commit_callbacks):
    zoom_stub.faults.append(Fault("POST", r"/v2/meetings/\d+/registrants", 429, {"Retry-After": "7"}))
    with django_capture_on_commit_callbacks(execute=True):
        registration = _register("ana@example.org", online_session).registration
    assert retries == [("sync_registrant", 7)]
    assert ZoomRegistrant.objects.get(registration=registration).registrant_id == "reg1"


def test_5xx_is_retried_with_backoff(zoom_stub, retries, django_capture_on_commit_callbacks):
    zoom_stub.faults += [Fault("POST", "/v2/users/me/meetings", 500), Fault("POST", "/v2/users/me/meetings", 502)]
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(event=WebinarFactory().event)
    assert retries == [("sync_meeting", 30), ("sync_meeting", 60)]
    assert Meeting.objects.get(session=session).zoom_state == ZoomState.SYNCED
    assert zoom_stub.calls.count("POST /v2/users/me/meetings") == 3


def test_a_refusal_is_recorded_and_not_retried(zoom_stub, retries, django_capture_on_commit_callbacks):
    zoom_stub.faults.append(Fault("POST", "/v2/users/me/meetings", 400))
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(event=WebinarFactory().event)
    meeting = Meeting.objects.get(session=session)
    assert meeting.zoom_state == ZoomState.FAILED and "400" in meeting.zoom_error and retries == []
    assert services.zoom_work_due(now=timezone.now() + timedelta(minutes=5)).meetings == []  # until it changes


def test_a_registration_while_zoom_is_down_succeeds_with_the_shared_link(
    zoom_stub, mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory(event=WebinarFactory().event)
    MeetingFactory(session=session, zoom_meeting_id="85000000001", zoom_state=ZoomState.SYNCED)
    zoom_stub.meetings["85000000001"], zoom_stub.registrants["85000000001"] = {}, {}
    zoom_stub.faults += [Fault("POST", r"/v2/meetings/\d+/registrants", 503) for _ in range(tasks.MAX_RETRIES + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        result = _register("ana@example.org", session)
    assert result.created and result.registration.status == "confirmed"
    assert [m.to for m in mailoutbox] == [["ana@example.org"]] and SECRET_URL in mailoutbox[0].body
    assert zoom_stub.registrants["85000000001"] == {}
    # Zoom is back: the sweep finds the registrant who is not in the meeting yet.
    Registration.objects.filter(pk=result.registration.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_zoom.delay().get() == 1
    assert ZoomRegistrant.objects.get(registration=result.registration).registrant_id == "reg1"
    assert "TOKEN-reg1" in mailoutbox[-1].body


def test_a_hung_zoom_costs_one_timeout_not_one_per_retry(zoom_stub, settings):
    settings.ZOOM_TIMEOUT = 0.2
    session = SessionFactory(event=WebinarFactory().event)
    MeetingFactory(session=session, zoom_meeting_id="85000000001", zoom_state=ZoomState.SYNCED)
    zoom_stub.meetings["85000000001"], zoom_stub.registrants["85000000001"] = {}, {}
    zoom.access_token()
    slow = [Fault("POST", r"/v2/meetings/\d+/registrants", 201, delay=0.5) for _ in range(tasks.MAX_RETRIES + 1)]
    zoom_stub.faults += slow
    registration = _register("ana@example.org", session).registration  # its tasks: run below
    began = time.monotonic()
    tasks.sync_registrant.delay(registration.pk)  # as it runs without a broker, in the request
    # One timeout, then the retries fail at once (the breaker): not nine timeouts (1.8 s).
    assert time.monotonic() - began < 1.0
    assert not ZoomRegistrant.objects.filter(registration=registration).exclude(registrant_id="").exists()
    time.sleep(0.6)  # the stub's slow answer ends
    assert zoom_stub.calls.count("POST /v2/meetings/85000000001/registrants") == 1


# --- Attendance -----------------------------------------------------------------------------------


def test_after_the_session_its_attendance_is_recorded_from_the_report(
    online_session, zoom_stub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        came = _register("ana@example.org", online_session).registration
        absent = _register("bor@example.org", online_session, name="Bor").registration
    start = online_session.start
    zoom_stub.participants["85000000001"] = [
        {"name": "Ana", "user_email": "ANA@example.org", "join_time": start.isoformat(),
         "leave_time": (start + timedelta(minutes=30)).isoformat(), "duration": 1800},
        {"name": "Ana (phone)", "user_email": "ana@example.org", "join_time": (start + timedelta(minutes=20)).isoformat(),
         "leave_time": (start + timedelta(minutes=45)).isoformat(), "duration": 1500},
        {"name": "Guest", "user_email": "", "join_time": start.isoformat(),
         "leave_time": (start + timedelta(minutes=5)).isoformat(), "duration": 300},
    ]
    with time_machine.travel(online_session.end + timedelta(minutes=20)):
        work = services.zoom_work_due()
        assert work.attendance == [online_session.pk]
        assert tasks.fetch_participants.delay(online_session.pk).get() == 3
        assert services.zoom_work_due().attendance == []
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attended, came.attended_minutes) == (True, 45)
    assert (absent.attended, absent.attended_minutes) == (False, None)
    assert zoom_stub.calls.count("GET /v2/report/meetings/85000000001/participants") == 2


def _ended_session(zoom_stub, *, ended_ago: timedelta):
    start = timezone.now() - ended_ago - timedelta(hours=1)
    session = SessionFactory(event=WebinarFactory().event, start=start, end=start + timedelta(hours=1))
    MeetingFactory(session=session, zoom_meeting_id="85000000009", zoom_state=ZoomState.SYNCED)
    zoom_stub.meetings["85000000009"] = {}
    registration = RegistrationFactory(session=session, email="ana@example.org")
    zoom_stub.participants["85000000009"] = [
        {"name": "Ana", "user_email": "ana@example.org", "join_time": start.isoformat(),
         "leave_time": (start + timedelta(minutes=40)).isoformat(), "duration": 2400},
    ]
    return session, registration


def test_attendance_is_not_read_before_zooms_report_is_complete(zoom_stub):
    session, registration = _ended_session(zoom_stub, ended_ago=timedelta(minutes=3))
    assert tasks.fetch_participants.delay(session.pk).get() == 0
    assert services.zoom_work_due().attendance == []
    assert zoom_stub.api_calls() == []
    with time_machine.travel(session.end + services.ATTENDANCE_DELAY + timedelta(seconds=1)):
        assert services.zoom_work_due().attendance == [session.pk]
        assert tasks.sweep_zoom.delay().get() == 1
    registration.refresh_from_db()
    assert (registration.attended, registration.attended_minutes) == (True, 40)
    assert Meeting.objects.get(session=session).participants_fetched_at is not None


def test_an_empty_report_marks_nobody_absent_and_is_read_again(zoom_stub):
    session, registration = _ended_session(zoom_stub, ended_ago=timedelta(minutes=20))
    rows = zoom_stub.participants.pop("85000000009")
    assert tasks.fetch_participants.delay(session.pk).get() == 0
    assert zoom_stub.api_calls() == ["GET /v2/report/meetings/85000000009/participants"]
    registration.refresh_from_db()
    assert registration.attended is None
    assert Meeting.objects.get(session=session).participants_fetched_at is None
    assert services.zoom_work_due().attendance == [session.pk]  # the sweep asks again
    zoom_stub.participants["85000000009"] = rows
    assert tasks.sweep_zoom.delay().get() == 1
    registration.refresh_from_db()
    assert (registration.attended, registration.attended_minutes) == (True, 40)
    assert services.zoom_work_due().attendance == []


# --- Not configured -------------------------------------------------------------------------------


def test_without_zoom_configured_not_one_request_is_made(
    httpserver, settings, mailoutbox, django_capture_on_commit_callbacks
):
    stub = ZoomStub(httpserver)
    settings.ZOOM_API_URL, settings.ZOOM_OAUTH_URL = stub.api_url, stub.oauth_url
    settings.ZOOM_ACCOUNT_ID = settings.ZOOM_CLIENT_ID = settings.ZOOM_CLIENT_SECRET = ""
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(event=WebinarFactory().event, capacity=1)
        MeetingFactory(session=session)
        other = SessionFactory(event=session.event, start=session.start + timedelta(days=1),
                               end=session.end + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        ana = _register("ana@example.org", session).registration
        _register("bor@example.org", session)
        events_services.cancel_registration(registration=ana)
    with django_capture_on_commit_callbacks(execute=True):
        events_services.switch_registration(registration=Registration.objects.get(email="bor@example.org"),
                                            session=other)
        events_services.move_session(session=other, start=other.start + timedelta(hours=1),
                                     end=other.end + timedelta(hours=1))
        events_services.cancel_session(session=session)
        assert tasks.sweep_zoom.delay().get() == 0
        assert tasks.fetch_participants.delay(session.pk).get() == 0
    assert stub.calls == []
    assert not ZoomRegistrant.objects.exists()
    assert any(SECRET_URL in m.body for m in mailoutbox)
