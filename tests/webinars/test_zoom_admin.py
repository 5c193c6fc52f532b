"""The session's meeting on the session's admin page: the join link, meeting ID and passcode
inline (one, never deleted), what Zoom's API does with them (not configured / in step / refused),
a changed link sent to confirmed registrants; the meetings' own page is off the admin index.
And the Zoom registrants in a person's data export and erasure."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import personal_data
from events.models import Event
from tests.events.factories import SECRET_URL, MeetingFactory, RegistrationFactory, SessionFactory, WebinarFactory
from tests.events.test_admin import _change_form_data
from tests.webinars import test_zoom_client as stub
from webinars.models import Meeting, ZoomRegistrant, ZoomState
from webinars.personal_data import ZoomRegistrants

pytestmark = pytest.mark.django_db
zoom_stub = stub.zoom_stub

NEW_URL = "https://zoom.example/j/111222333?pwd=NEWPWD"


def _url(session) -> str:
    return reverse("admin:events_session_change", args=[session.pk])


def test_the_meeting_is_edited_on_the_sessions_page_and_a_new_link_reaches_registrants(
    network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks
):
    session = SessionFactory(event=WebinarFactory().event)
    RegistrationFactory(session=session, email="ana@example.org")
    response = network_coordinator_client.get(_url(session))
    html = response.content.decode()
    assert 'name="meeting-0-join_url"' in html and 'name="meeting-0-passcode"' in html
    assert "Zoom&#x27;s API is not configured: the join link entered here is sent to registrants." in html
    assert 'name="meeting-0-DELETE"' not in html
    data = _change_form_data(response)
    data.update({"meeting-0-join_url": NEW_URL, "meeting-0-meeting_id": "111 222 333", "meeting-0-passcode": "p1"})
    with django_capture_on_commit_callbacks(execute=True):
        assert network_coordinator_client.post(_url(session), data).status_code == 302
    meeting = Meeting.objects.get(session=session)
    assert (meeting.join_url, meeting.meeting_id, meeting.passcode) == (NEW_URL, "111 222 333", "p1")
    assert [m.to for m in mailoutbox] == [["ana@example.org"]] and NEW_URL in mailoutbox[0].body
    # Saved again unchanged: nobody is emailed again.
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.get(_url(session))
        assert network_coordinator_client.post(_url(session), _change_form_data(response)).status_code == 302
    assert len(mailoutbox) == 1


def test_with_zoom_configured_the_page_shows_the_sync_state(network_coordinator_client, zoom_stub):
    session = SessionFactory(event=WebinarFactory().event)
    meeting = MeetingFactory(session=session, zoom_meeting_id="85000000001", zoom_state=ZoomState.FAILED,
                             zoom_error="Zoom answered 400 to POST /users/me/meetings: Invalid field.")
    html = network_coordinator_client.get(_url(session)).content.decode()
    assert "Refused by Zoom" in html and "Invalid field." in html and "not configured" not in html
    Meeting.objects.filter(pk=meeting.pk).update(zoom_state=ZoomState.SYNCED, zoom_error="")
    html = network_coordinator_client.get(_url(session)).content.decode()
    assert "In step with Zoom" in html
    assert zoom_stub.calls == []  # showing the page asks Zoom nothing


def test_an_in_person_sessions_page_has_no_meeting(network_coordinator_client):
    session = SessionFactory(event__mode=Event.Mode.IN_PERSON)
    assert 'name="meeting-0-join_url"' not in network_coordinator_client.get(_url(session)).content.decode()


def test_the_resend_action_is_on_the_sessions_list(network_coordinator_client, mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(event=WebinarFactory().event)
    MeetingFactory(session=session)
    RegistrationFactory(session=session, email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(
            reverse("admin:events_session_changelist"),
            {"action": "resend_join_link", "_selected_action": [session.pk]},
            follow=True,
        )
    assert "Join link queued for 1 people." in response.content.decode()
    assert [m.to for m in mailoutbox] == [["ana@example.org"]] and SECRET_URL in mailoutbox[0].body


def test_the_meetings_own_page_is_not_on_the_admin_index(network_coordinator_client):
    html = network_coordinator_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:webinars_meeting_changelist") not in html
    assert reverse("admin:events_session_changelist") in html


# --- Personal data ----------------------------------------------------------------------------------


def _zoom_registrant(email: str) -> ZoomRegistrant:
    registration = RegistrationFactory(session=SessionFactory(event=WebinarFactory().event), email=email)
    return ZoomRegistrant.objects.create(registration=registration, zoom_meeting_id="85000000001",
                                         registrant_id="reg1", join_url="https://stub.zoom.test/w/1?tk=T")


def test_a_persons_zoom_registration_is_exported_and_erased(settings):
    settings.ZOOM_ACCOUNT_ID = settings.ZOOM_CLIENT_ID = settings.ZOOM_CLIENT_SECRET = ""
    mine, other = _zoom_registrant("ana@example.org"), _zoom_registrant("bor@example.org")
    assert any(isinstance(holder, ZoomRegistrants) for holder in personal_data.holders())
    exported = ZoomRegistrants().export("ana@example.org")["zoom_registrants"]
    assert [(row["registrant_id"], row["join_url"]) for row in exported] == [("reg1", mine.join_url)]
    erasure = ZoomRegistrants().erase("ana@example.org")
    assert erasure.counts == {"Zoom registrants deleted": 1}
    assert list(ZoomRegistrant.objects.all()) == [other]


def test_with_zoom_configured_an_erased_registrant_is_cancelled_in_zoom(
    zoom_stub, django_capture_on_commit_callbacks
):
    row = _zoom_registrant("ana@example.org")
    zoom_stub.meetings["85000000001"] = {}
    zoom_stub.registrants["85000000001"] = {"reg1": {"email": "ana@example.org", "status": "approved"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert ZoomRegistrants().erase("ana@example.org").counts == {"Zoom registrants cancelled": 1}
        # The registrations' own holder anonymises the registration in the same transaction.
        type(row.registration).objects.filter(pk=row.registration_id).update(email="anonymised-1@invalid")
    assert zoom_stub.registrants["85000000001"]["reg1"]["status"] == "cancel"
    assert not ZoomRegistrant.objects.exists()
