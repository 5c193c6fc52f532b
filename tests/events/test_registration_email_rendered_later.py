"""A registration writes its email as what to render, in its own transaction, and the worker
renders it just before sending: the session's row lock is not held while templates, CSS
inlining and the calendar file are worked out."""

from __future__ import annotations

import pytest
from django.test.signals import template_rendered

from events import services
from outbox import renderers
from outbox.models import OutgoingEmail

from .factories import SessionFactory

pytestmark = pytest.mark.django_db


def _register(session, email="ana@example.org", **kw):
    return services.register(session=session, name="Ana", email=email, consent_text="I agree.", language="en", **kw)


def test_the_row_is_written_with_the_registration_and_holds_what_to_render():
    session = SessionFactory(capacity=1)
    rendered: list[str] = []
    template_rendered.connect(lambda sender, template, **kw: rendered.append(template.name), weak=False,
                              dispatch_uid="rendered-later-test")
    try:
        result = _register(session)
    finally:
        template_rendered.disconnect(dispatch_uid="rendered-later-test")
    row = OutgoingEmail.objects.get(to="ana@example.org")
    assert row.renderer == services.REGISTRATION_EMAIL_RENDERER and row.subject == "" and row.body_text == ""
    assert row.render_args == {"registration_id": result.registration.pk, "session_id": session.pk, "confirmed": True}
    assert not [name for name in rendered if name and name.startswith("emails/")], "nothing rendered under the lock"


def test_delivery_renders_it_once_and_keeps_the_text(mailoutbox, django_capture_on_commit_callbacks):
    session = SessionFactory(capacity=1, event__title="Delavnica")
    with django_capture_on_commit_callbacks(execute=True):
        _register(session)
        _register(session, email="ben@example.org")  # no seat left: the waiting list
    confirmed, waiting = (OutgoingEmail.objects.get(to=to) for to in ("ana@example.org", "ben@example.org"))
    assert (confirmed.status, waiting.status) == ("sent", "sent")
    assert confirmed.renderer == "" and confirmed.render_args == {}
    assert confirmed.subject.startswith("Registration confirmed: Delavnica")
    assert [a["filename"] for a in confirmed.attachments] == ["invite.ics"]
    assert "waiting list" in waiting.subject.lower() and waiting.attachments == []
    assert [m.subject for m in mailoutbox] == [confirmed.subject, waiting.subject]


def test_a_registration_erased_before_its_email_went_out_cancels_the_email(mailoutbox):
    session = SessionFactory(capacity=1)
    result = _register(session)
    row = OutgoingEmail.objects.get(to="ana@example.org")
    result.registration.delete()
    assert renderers.render_pending(row.pk) is False
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.CANCELLED and row.renderer == ""
    assert mailoutbox == []


def test_a_confirmation_overtaken_by_the_session_s_cancellation_is_not_sent(mailoutbox, django_capture_on_commit_callbacks):
    """Queued, not yet sent, when the session is cancelled: the cancellation goes out, the stale
    confirmation (whose calendar file would put the session back) does not."""
    session = SessionFactory(capacity=5)
    _register(session)
    confirmation = OutgoingEmail.objects.get(to="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session)
    confirmation.refresh_from_db()
    assert confirmation.status == OutgoingEmail.Status.CANCELLED
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Cancelled"]


@pytest.mark.parametrize("change", ["promoted", "cancelled", "switched"])
def test_a_registration_email_whose_news_is_stale_renders_to_nothing(change):
    session = SessionFactory(capacity=1)
    _register(session, email="first@example.org")
    waiting = _register(session, email="ana@example.org").registration
    row = OutgoingEmail.objects.get(to="ana@example.org")
    assert row.render_args["confirmed"] is False
    if change == "promoted":
        type(waiting).objects.filter(pk=waiting.pk).update(status="confirmed")
    elif change == "cancelled":
        type(waiting).objects.filter(pk=waiting.pk).update(status="cancelled")
    else:
        type(waiting).objects.filter(pk=waiting.pk).update(session=SessionFactory(event=session.event))
    assert services.render_registration_email(**row.render_args) is None
    type(waiting).objects.filter(pk=waiting.pk).update(status="waitlisted", session=session)
    assert services.render_registration_email(**row.render_args) is not None  # the control: as written


def test_a_message_that_cannot_be_rendered_is_retried_later_then_failed(monkeypatch):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from outbox import delivery

    _register(SessionFactory(capacity=5))
    row = OutgoingEmail.objects.get(to="ana@example.org")

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setitem(renderers._renderers, services.REGISTRATION_EMAIL_RENDERER, broken)
    assert delivery.deliver(email_id=row.pk) == OutgoingEmail.Status.QUEUED
    row.refresh_from_db()
    assert row.attempts == 1 and row.next_attempt_at > timezone.now() and "template missing" in row.last_error
    assert row.renderer, "still to be rendered when it is tried again"
    with time_machine.travel(timezone.now() + delivery.retry_period() + timedelta(minutes=1)):
        assert delivery.deliver(email_id=row.pk) == OutgoingEmail.Status.FAILED
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.FAILED and row.attempts == 2
