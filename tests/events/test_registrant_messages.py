"""Writing to registrants: placeholders filled in per registrant and language, {join_link} and
unknown placeholders refused, recipients chosen by status, sending exactly once per registration
however often a batch runs, cancelling while queued, a test copy to the author only, follow-ups
with one text for attendees and another for those who did not attend, and the admin's scoping."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from uuid import uuid4

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from events import messaging, tasks
from events.models import Event, RegistrantMessage, Registration
from events.services import manage_url
from outbox import services as outbox
from outbox.models import OutgoingEmail

from .factories import EventFactory, MeetingFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

LJUBLJANA = zoneinfo.ZoneInfo("Europe/Ljubljana")
Kind, State = RegistrantMessage.Kind, RegistrantMessage.State


@pytest.fixture
def session():
    start = datetime(2030, 3, 4, 10, 0, tzinfo=LJUBLJANA)
    return SessionFactory(start=start, end=start + timedelta(minutes=90), event__title_en="Soil Day",
                          event__title_sl="Dan prsti")


def _message(for_session, **fields) -> RegistrantMessage:
    values = {
        "event": for_session.event, "session": for_session, "kind": Kind.MESSAGE, "recipients": ["confirmed"],
        "subject_en": "News", "body_en": "Hello {name}.",
    }
    values.update(fields)
    return RegistrantMessage.objects.create(**values)


def _send_all(message: RegistrantMessage, batch_size: int = 200) -> None:
    chain = messaging.start_sending(message_id=message.pk)
    while chain is not None:
        chain = messaging.send_batch(message_id=message.pk, chain=chain, batch_size=batch_size)


def _emails(message: RegistrantMessage) -> dict[str, OutgoingEmail]:
    return {e.to: e for e in OutgoingEmail.objects.filter(group=message.outbox_group)}


# --- Placeholders ------------------------------------------------------------------------------------


@time_machine.travel(datetime(2030, 2, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC")), tick=False)
def test_placeholders_are_filled_in_for_each_registrant_in_their_language_and_time_zone(session):
    # The clock stands still: a manage link is signed with the second it was made in, and the
    # expected one is made after the message.
    ana = RegistrationFactory(session=session, name="Ana *Novak*", email="ana@example.org", language="sl")
    bob = RegistrationFactory(session=session, name="Bob", email="bob@example.org", language="en",
                              time_zone="America/New_York")
    message = _message(
        session,
        subject_en="About your session", subject_sl="O vašem terminu",
        body_en="Hello {name}, see you {session_time}. [Your page]({manage_link})",
        body_sl="Pozdravljeni, {name}, vidimo se {session_time}. Vaša stran: {manage_link}",
    )
    _send_all(message)
    emails = _emails(message)
    assert set(emails) == {"ana@example.org", "bob@example.org"}

    ana_email = emails["ana@example.org"]
    assert ana_email.subject == "O vašem terminu" and ana_email.language == "sl"
    assert "Pozdravljeni, Ana *Novak*, vidimo se ponedeljek, 4. marca 2030, 10.00–11.30 CET (UTC+1)." in (
        ana_email.body_text
    )
    assert manage_url(ana) in ana_email.body_text and "/sl/" in manage_url(ana)
    assert "<em>" not in ana_email.body_html  # the name stays a name, not Markdown

    bob_email = emails["bob@example.org"]
    assert bob_email.subject == "About your session"
    # Bob's own zone: 10:00 in Ljubljana is 04:00 in New York.
    assert "Hello Bob, see you Monday, 4 March 2030, 04:00–05:30 EST (UTC-5)." in bob_email.body_text
    assert f'href="{manage_url(bob)}"' in bob_email.body_html
    assert "{" not in bob_email.body_text + ana_email.body_text


def test_a_registrant_whose_language_is_empty_gets_the_other_marked_with_its_language(session):
    RegistrationFactory(session=session, email="sl@example.org", language="sl")
    message = _message(session, subject_en="Only English", body_en="Dear {name}, only in English.")
    _send_all(message)
    email = _emails(message)["sl@example.org"]
    assert email.subject == "Only English"
    assert '<div lang="en"' in email.body_html and "only in English" in email.body_text
    assert '<html lang="sl">' in email.body_html  # the layout is still in Slovenian


def _join_link_cast(session) -> dict[str, Registration]:
    waiting = Registration.Status.WAITLISTED
    return {
        "confirmed": RegistrationFactory(session=session, email="c@example.org"),
        "waiting": RegistrationFactory(session=session, email="w@example.org", status=waiting, confirmed_at=None),
        "cancelled": RegistrationFactory(session=session, email="x@example.org",
                                         status=Registration.Status.CANCELLED),
        # Recorded as not attending, and no longer holding a seat (put back on the waiting list).
        "absent": RegistrationFactory(session=session, email="a@example.org", status=waiting, confirmed_at=None,
                                      attended=False),
    }


def test_the_join_link_goes_only_to_confirmed_registrants_with_their_meeting(session):
    url = "https://zoom.example/j/42?pwd=x"
    MeetingFactory(session=session, join_url=url)
    people = _join_link_cast(session)
    message = _message(session, body_en="Join here: {join_link}")
    _send_all(message)
    emails = _emails(message)
    assert set(emails) == {"c@example.org"}
    assert url in emails["c@example.org"].body_text and len(people) == 4
    assert url not in "".join(
        f"{e.body_text}{e.body_html}" for e in OutgoingEmail.objects.exclude(to="c@example.org")
    )


def test_the_join_link_is_never_filled_in_for_someone_without_a_seat(session):
    """Even a message whose recipients were stored without the form's check (waiting, absent)
    gives those without a seat their own page instead of the meeting."""
    url = "https://zoom.example/j/42?pwd=x"
    MeetingFactory(session=session, join_url=url)
    people = _join_link_cast(session)
    message = _message(session, recipients=["confirmed", "waitlisted", "absent"], body_en="Join here: {join_link}")
    _send_all(message)
    emails = _emails(message)
    assert set(emails) == {"c@example.org", "w@example.org", "a@example.org"}  # never the cancelled one
    assert url in emails["c@example.org"].body_text
    for key, address in (("waiting", "w@example.org"), ("absent", "a@example.org")):
        email = emails[address]
        assert url not in email.body_text and "zoom.example" not in email.body_html
        assert f"Join here: {manage_url(people[key])}" in email.body_text


def test_placeholder_rules():
    event = EventFactory(mode=Event.Mode.ONLINE)
    allowed = messaging.placeholder_problems(
        texts=["{name} {session_time} {manage_link} {join_link}"], kind=Kind.MESSAGE, recipients=["confirmed"],
        event=event,
    )
    assert allowed == []
    [unknown] = messaging.placeholder_problems(texts=["Hi {first_name}"], kind=Kind.MESSAGE,
                                               recipients=["confirmed"], event=event)
    assert "{first_name}" in unknown
    [waiting] = messaging.placeholder_problems(texts=["{join_link}"], kind=Kind.MESSAGE,
                                               recipients=["confirmed", "waitlisted"], event=event)
    assert "confirmed registrants alone" in waiting
    assert messaging.placeholder_problems(texts=["{join_link}"], kind=Kind.FOLLOW_UP, recipients=[], event=event)
    in_person = EventFactory(mode=Event.Mode.IN_PERSON)
    assert messaging.placeholder_problems(texts=["{join_link}"], kind=Kind.MESSAGE, recipients=["confirmed"],
                                          event=in_person)


# --- The admin form --------------------------------------------------------------------------------


def _post_data(session, **fields) -> dict:
    data = {
        "event": session.event_id, "session": session.pk, "kind": "message", "recipients": ["confirmed"],
        "subject_en": "News", "subject_sl": "", "body_en": "Hello {name}", "body_sl": "",
        "recording_url": "", "slides_url": "", "absent_subject_en": "", "absent_subject_sl": "",
        "absent_body_en": "", "absent_body_sl": "",
    }
    data.update(fields)
    return data


def test_the_join_link_is_refused_for_waiting_list_recipients_and_nothing_is_stored(
    network_coordinator_client, session
):
    response = network_coordinator_client.post(
        reverse("admin:events_registrantmessage_add"),
        _post_data(session, recipients=["confirmed", "waitlisted"], body_en="Join: {join_link}"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "confirmed registrants alone" in str(errors["body_en"])
    assert not RegistrantMessage.objects.exists()


def test_an_unknown_placeholder_is_refused(network_coordinator_client, session):
    response = network_coordinator_client.post(
        reverse("admin:events_registrantmessage_add"), _post_data(session, body_sl="Živjo {ime}")
    )
    assert response.status_code == 200
    assert "Unknown placeholder {ime}" in str(response.context["adminform"].form.errors["body_sl"])
    assert not RegistrantMessage.objects.exists()


def test_a_valid_message_is_saved_as_a_draft_by_its_author(network_coordinator_client, network_coordinator, session):
    response = network_coordinator_client.post(
        reverse("admin:events_registrantmessage_add"), _post_data(session, recipients=["confirmed", "absent"])
    )
    assert response.status_code == 302
    message = RegistrantMessage.objects.get()
    assert message.state == State.DRAFT and message.created_by == network_coordinator
    assert message.recipients == ["confirmed", "absent"]


def test_the_session_must_belong_to_the_event(network_coordinator_client, session):
    other = EventFactory()
    response = network_coordinator_client.post(
        reverse("admin:events_registrantmessage_add"), _post_data(session, event=other.pk)
    )
    assert response.status_code == 200 and not RegistrantMessage.objects.exists()


# --- Recipients ------------------------------------------------------------------------------------


def test_recipients_are_chosen_by_status(session):
    confirmed = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITLISTED, confirmed_at=None)
    cancelled = RegistrationFactory(session=session, status=Registration.Status.CANCELLED)
    came = RegistrationFactory(session=session, attended=True)
    absent = RegistrationFactory(session=session, attended=False)
    other_session = RegistrationFactory(session=SessionFactory(event=session.event))

    def chosen(recipients, **fields):
        return set(messaging.recipients(_message(session, recipients=recipients, **fields)))

    assert chosen(["confirmed"]) == {confirmed, came, absent}
    assert chosen(["waitlisted"]) == {waiting}
    assert chosen(["confirmed", "waitlisted"]) == {confirmed, waiting, came, absent}
    assert chosen(["attended"]) == {came}
    assert chosen(["absent"]) == {absent}
    assert chosen([]) == set()
    assert cancelled not in chosen(["confirmed", "waitlisted", "attended", "absent"])
    assert chosen(["confirmed"], session=None) == {confirmed, came, absent, other_session}


# --- Sending: exactly once, cancelling, counts --------------------------------------------------------


def test_each_registrant_gets_it_exactly_once_when_the_send_task_runs_twice(session):
    people = [RegistrationFactory(session=session) for _ in range(5)]
    message = _message(session)
    chain = messaging.start_sending(message_id=message.pk)
    assert tasks.send_registrant_message_batch(message.pk, str(chain)) is False  # eager: the whole chain ran
    assert tasks.send_registrant_message_batch(message.pk, str(chain)) is False  # a duplicate: nothing
    message.refresh_from_db()
    assert message.state == State.SENT and message.total_recipients == 5
    keys = OutgoingEmail.objects.filter(group=message.outbox_group).values_list("idempotency_key", flat=True)
    assert sorted(keys) == sorted(message.idempotency_key(p.pk) for p in people)

    # A batch that runs again from the start after a crash (its cursor lost) writes nothing twice.
    RegistrantMessage.objects.filter(pk=message.pk).update(state=State.QUEUED, cursor=0, chain=(token := uuid4()))
    messaging.send_batch(message_id=message.pk, chain=token, batch_size=2)
    assert OutgoingEmail.objects.filter(group=message.outbox_group).count() == 5


def test_batches_resume_where_they_stopped(session):
    for _ in range(5):
        RegistrationFactory(session=session)
    message = _message(session)
    chain = messaging.start_sending(message_id=message.pk)
    following = messaging.send_batch(message_id=message.pk, chain=chain, batch_size=2)
    assert following is not None and OutgoingEmail.objects.count() == 2
    assert messaging.send_batch(message_id=message.pk, chain=chain, batch_size=2) is None  # spent token
    RegistrantMessage.objects.filter(pk=message.pk).update(chain_queued_at=timezone.now() - timedelta(minutes=5))
    assert messaging.stalled_message_ids() == [message.pk]
    resumed = messaging.resume_chain(message_id=message.pk)
    assert resumed == following
    while resumed is not None:
        resumed = messaging.send_batch(message_id=message.pk, chain=resumed, batch_size=2)
    assert OutgoingEmail.objects.count() == 5


def test_cancelling_while_queued_sends_no_more_and_the_counts_show_it(
    network_coordinator_client, network_coordinator, session
):
    for _ in range(5):
        RegistrationFactory(session=session)
    message = _message(session, created_by=network_coordinator)
    chain = messaging.start_sending(message_id=message.pk, by=network_coordinator)
    following = messaging.send_batch(message_id=message.pk, chain=chain, batch_size=2)
    sent = OutgoingEmail.objects.filter(group=message.outbox_group).first()
    sent.status, sent.sent_at = OutgoingEmail.Status.SENT, timezone.now()
    sent.save()

    response = network_coordinator_client.post(reverse("admin:events_registrantmessage_cancel", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == State.CANCELLED and message.chain is None
    assert messaging.send_batch(message_id=message.pk, chain=following, batch_size=2) is None
    assert outbox.count_by_status(group=message.outbox_group) == {
        "queued": 0, "sending": 0, "sent": 1, "failed": 0, "cancelled": 1,
    }
    page = network_coordinator_client.get(reverse("admin:events_registrantmessage_change", args=[message.pk]))
    assert "1 sent, 0 queued, 0 failed, 1 cancelled, of 5" in page.content.decode()
    listing = network_coordinator_client.get(reverse("admin:events_registrantmessage_changelist"))
    assert "1 sent, 0 queued, 0 failed, 1 cancelled, of 5" in listing.content.decode()


def test_who_cancels_after_their_copy_was_written_does_not_get_it(session):
    """A registration cancelled while the message waits in the outbox: its copy (with the join
    link) is cancelled; the others' copies, a copy already sent and other events' messages stay."""
    from events import services

    MeetingFactory(session=session, join_url="https://zoom.example/j/42?pwd=x")
    ana = RegistrationFactory(session=session, email="ana@example.org")
    bor = RegistrationFactory(session=session, email="bor@example.org")
    other_date = RegistrationFactory(session=SessionFactory(event=session.event), email="ana@example.org")
    whole_event = _message(session, session=None, body_en="Join here: {join_link}")
    this_date = _message(session, body_en="Hello {name}")
    sent_earlier = _message(session, body_en="Earlier")
    for message in (whole_event, this_date, sent_earlier):
        _send_all(message)
    OutgoingEmail.objects.filter(idempotency_key=sent_earlier.idempotency_key(ana.pk)).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now()
    )
    elsewhere = _message(SessionFactory(), body_en="Another event")
    RegistrationFactory(session=elsewhere.session, email="ana@example.org")
    _send_all(elsewhere)

    services.cancel_registration(registration=ana)

    def status(message, registration):
        return OutgoingEmail.objects.get(idempotency_key=message.idempotency_key(registration.pk)).status

    Status = OutgoingEmail.Status
    assert status(whole_event, ana) == status(this_date, ana) == Status.CANCELLED
    assert status(sent_earlier, ana) == Status.SENT
    assert status(whole_event, bor) == status(this_date, bor) == Status.QUEUED
    assert status(whole_event, other_date) == Status.QUEUED  # the same person's other registration
    assert outbox.count_by_status(group=elsewhere.outbox_group)["queued"] == 1


def test_who_cancels_while_the_message_is_being_written_gets_nothing(session):
    people = [RegistrationFactory(session=session) for _ in range(3)]
    message = _message(session)
    chain = messaging.start_sending(message_id=message.pk)
    chain = messaging.send_batch(message_id=message.pk, chain=chain, batch_size=1)  # the first one written
    from events import services

    services.cancel_registration(registration=people[0])
    services.cancel_registration(registration=people[1])  # not written yet: later batches skip them
    while chain is not None:
        chain = messaging.send_batch(message_id=message.pk, chain=chain, batch_size=1)
    assert outbox.count_by_status(group=message.outbox_group) == {
        "queued": 1, "sending": 0, "sent": 0, "failed": 0, "cancelled": 1,
    }
    assert OutgoingEmail.objects.get(group=message.outbox_group, status="queued").to == people[2].email


def test_a_draft_has_nothing_to_cancel(session):
    registration = RegistrationFactory(session=session)
    _message(session)  # a draft: nothing in the outbox
    assert messaging.cancel_messages_to(registration) == 0


def test_sending_from_the_admin_queues_everyone_and_is_audited(
    network_coordinator_client, network_coordinator, session, django_capture_on_commit_callbacks
):
    for _ in range(3):
        RegistrationFactory(session=session)
    message = _message(session)
    with django_capture_on_commit_callbacks(execute=True):
        response = network_coordinator_client.post(reverse("admin:events_registrantmessage_send", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == State.SENT
    assert OutgoingEmail.objects.filter(group=message.outbox_group).count() == 3
    entry = AuditEntry.objects.get(action="registrants_messaged")
    assert entry.actor == network_coordinator and entry.detail["recipients"] == 3
    # A second press sends nothing more.
    network_coordinator_client.post(reverse("admin:events_registrantmessage_send", args=[message.pk]))
    assert OutgoingEmail.objects.filter(group=message.outbox_group).count() == 3


def test_a_test_goes_only_to_the_coordinator_and_is_not_counted(
    network_coordinator_client, network_coordinator, session
):
    RegistrationFactory(session=session, email="registrant@example.org")
    message = _message(session, subject_sl="Novica", body_sl="Pozdravljeni, {name}.")
    response = network_coordinator_client.post(reverse("admin:events_registrantmessage_test", args=[message.pk]))
    assert response.status_code == 302
    emails = list(OutgoingEmail.objects.all())
    assert {e.to for e in emails} == {network_coordinator.email}
    assert sorted(e.subject for e in emails) == ["[Preizkus] Novica", "[Test] News"]  # each in its language
    assert all(e.group == "" for e in emails)
    message.refresh_from_db()
    assert message.state == State.DRAFT
    assert sum(outbox.count_by_status(group=message.outbox_group).values()) == 0


def test_the_change_page_previews_both_languages(network_coordinator_client, session):
    message = _message(session, body_en="Hello {name}", subject_sl="Novica", body_sl="Živjo {name}")
    page = network_coordinator_client.get(reverse("admin:events_registrantmessage_change", args=[message.pk]))
    html = page.content.decode()
    assert 'lang="en"' in html and "Hello Sample Registrant" in html
    assert 'lang="sl"' in html and "Živjo" in html


# --- Follow-up -------------------------------------------------------------------------------------


@pytest.fixture
def past_session():
    start = timezone.now() - timedelta(days=1)
    return SessionFactory(start=start, end=start + timedelta(hours=1))


def test_a_follow_up_sends_attendees_one_text_and_those_who_did_not_attend_another(past_session):
    came = RegistrationFactory(session=past_session, email="came@example.org", attended=True)
    RegistrationFactory(session=past_session, email="absent@example.org", attended=False)
    RegistrationFactory(session=past_session, email="waiting@example.org", status=Registration.Status.WAITLISTED)
    message = _message(
        past_session, kind=Kind.FOLLOW_UP, recipients=[], subject_en="Thank you", body_en="Thanks for coming, {name}.",
        absent_subject_en="Sorry we missed you", absent_body_en="Here is what you missed.",
        recording_url="https://video.example/rec", slides_url="https://slides.example/deck",
    )
    _send_all(message)
    emails = _emails(message)
    assert set(emails) == {"came@example.org", "absent@example.org"}
    present, absent = emails["came@example.org"], emails["absent@example.org"]
    assert present.subject == "Thank you" and "Thanks for coming" in present.body_text
    assert absent.subject == "Sorry we missed you" and "what you missed" in absent.body_text
    for email in (present, absent):
        assert "https://video.example/rec" in email.body_text and "https://slides.example/deck" in email.body_text
    assert "/events/feedback/" in present.body_text and "/events/feedback/" not in absent.body_text
    assert came.public_id  # the link is the registrant's own (tests/events/test_feedback.py follows it)


def test_a_follow_up_without_recorded_attendance_goes_to_the_confirmed_and_not_to_absentees(past_session):
    RegistrationFactory(session=past_session, email="confirmed@example.org")
    RegistrationFactory(session=past_session, email="waiting@example.org", status=Registration.Status.WAITLISTED)
    message = _message(past_session, kind=Kind.FOLLOW_UP, recipients=[], body_en="Thanks.")
    _send_all(message)
    assert set(_emails(message)) == {"confirmed@example.org"}


def test_a_follow_up_needs_a_session_that_has_ended(network_coordinator_client, session):
    response = network_coordinator_client.post(
        reverse("admin:events_registrantmessage_add"), _post_data(session, kind="follow_up", recipients=[])
    )
    assert "has not ended yet" in str(response.context["adminform"].form.errors["session"])


def test_the_session_action_opens_a_follow_up_for_that_session(network_coordinator_client, past_session):
    response = network_coordinator_client.post(
        reverse("admin:events_session_changelist"),
        {"action": "send_follow_up", "_selected_action": [past_session.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:events_registrantmessage_add"))
    page = network_coordinator_client.get(response["Location"])
    form = page.context["adminform"].form
    assert str(form["session"].value()) == str(past_session.pk) and form["kind"].value() == "follow_up"


# --- Who may write to whom -------------------------------------------------------------------------


def test_partner_coordinators_write_only_to_their_own_events(
    client, coordinator_a, coordinator_b, partner_a, partner_b
):
    own = SessionFactory()
    own.event.organisers.add(partner_a)
    RegistrationFactory(session=own)
    message = _message(own)
    client.force_login(coordinator_b)
    change = reverse("admin:events_registrantmessage_change", args=[message.pk])
    assert client.get(change).status_code in (302, 403, 404)
    assert client.post(reverse("admin:events_registrantmessage_send", args=[message.pk])).status_code in (403, 404)
    assert not OutgoingEmail.objects.exists()
    add_page = client.get(reverse("admin:events_registrantmessage_add"))
    assert own.event.title not in add_page.content.decode()

    client.force_login(coordinator_a)
    assert client.get(reverse("admin:events_registrantmessage_change", args=[message.pk])).status_code == 200
    assert own.event.title in client.get(reverse("admin:events_registrantmessage_add")).content.decode()


def test_the_message_list_costs_the_same_queries_whatever_the_number_of_rows(network_coordinator_client, session):
    url = reverse("admin:events_registrantmessage_changelist")
    message = _message(session)
    messaging.start_sending(message_id=message.pk)
    network_coordinator_client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        network_coordinator_client.get(url)
    for _ in range(4):
        messaging.start_sending(message_id=_message(SessionFactory()).pk)
    with CaptureQueriesContext(connection) as five:
        network_coordinator_client.get(url)
    assert len(five) == len(one)


def test_a_follow_ups_change_page_previews_both_texts_and_counts_its_recipients(
    network_coordinator_client, past_session
):
    RegistrationFactory(session=past_session, attended=True)
    RegistrationFactory(session=past_session, attended=False)
    message = _message(past_session, kind=Kind.FOLLOW_UP, recipients=[], body_en="Thanks, {name}.",
                       absent_subject_en="Missed you", absent_body_en="Sorry, {name}.")
    html = network_coordinator_client.get(
        reverse("admin:events_registrantmessage_change", args=[message.pk])
    ).content.decode()
    assert "Thanks, Sample Registrant." in html and "Sorry, Sample Registrant." in html
    assert "It goes to 2 registrants now." in html and "1 of them did not attend" in html
