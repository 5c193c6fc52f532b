"""Secret messages (a sign-in link in the body, ``OutgoingEmail.secret``): their content is shown
to nobody — not in the admin, not in a personal-data export — and is blanked as soon as they
are sent. The allauth side, with a real password reset, is in tests/portal/test_account_emails.py."""

from __future__ import annotations

import smtplib

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox import delivery
from outbox import services as outbox
from outbox.models import OutgoingEmail
from outbox.personal_data import Messages
from tests.conftest import make_user
from tests.outbox.test_outbox import FailingBackend

pytestmark = pytest.mark.django_db

LINK = "https://portal.example/accounts/password/reset/key/1-abc123-secretkey/"


def queue_secret(**extra) -> OutgoingEmail:
    fields = dict(
        to="ana@example.org", subject="Password reset", body_text=f"Follow {LINK}", body_html=f'<a href="{LINK}">Reset</a>',
        headers={"X-Reset": LINK}, attachments=[outbox.Attachment("link.txt", LINK, "text/plain")], secret=True,
    )
    fields.update(extra)
    return outbox.queue_email(**fields)


def test_a_secret_message_is_sent_whole_and_then_blanked_at_once(mailoutbox):
    email = queue_secret()
    assert delivery.deliver(email_id=email.pk) == OutgoingEmail.Status.SENT
    assert LINK in mailoutbox[0].body and mailoutbox[0].extra_headers["X-Reset"] == LINK
    email.refresh_from_db()
    assert (email.body_text, email.body_html, email.attachments, email.headers) == ("", "", [], {})
    assert email.subject == "Password reset" and email.to == "ana@example.org", "the delivery record stays"


def test_an_ordinary_message_keeps_its_body_after_sending(mailoutbox):
    email = outbox.queue_email(to="ana@example.org", subject="Hello", body_text="See you on Tuesday.")
    delivery.deliver(email_id=email.pk)
    assert OutgoingEmail.objects.get(pk=email.pk).body_text == "See you on Tuesday."


def test_a_secret_message_that_failed_to_send_keeps_its_body_for_the_next_attempt(mailoutbox):
    email = queue_secret()
    down = FailingBackend(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    with pytest.raises(delivery.TransientEmailError):
        delivery.deliver(email_id=email.pk, connection=down)
    assert OutgoingEmail.objects.get(pk=email.pk).body_text == f"Follow {LINK}"
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(email_id=email.pk) == OutgoingEmail.Status.SENT
    assert LINK in mailoutbox[0].body


def test_the_database_refuses_a_sent_secret_message_with_a_body():
    email = queue_secret()
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())


def test_the_personal_data_export_leaves_out_a_secret_body():
    queue_secret()
    outbox.queue_email(to="ana@example.org", subject="Hello", body_text="See you on Tuesday.")
    exported = Messages().export("ana@example.org")["outbox_messages"]
    assert LINK not in repr(exported)
    secret = next(m for m in exported if m["secret"])
    assert secret["body_text"] == "hidden: contains a sign-in link" and secret["subject"] == "Password reset"
    assert any(m["body_text"] == "See you on Tuesday." for m in exported), "other messages are exported whole"


@pytest.mark.parametrize("viewer", ["network coordinator", "superuser"])
def test_nobody_sees_a_secret_message_in_the_admin(client, viewer):
    if viewer == "superuser":
        user = make_user("root@example.org", is_staff=True, is_superuser=True)
    else:
        user = make_user("network.coordinator@example.org", is_staff=True, groups=("Network coordinators",))
    client.force_login(user)
    email = queue_secret()
    ordinary = outbox.queue_email(to="bo@example.org", subject="Hello", body_text="See you on Tuesday.")

    page = client.get(f"/admin/outbox/outgoingemail/{email.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "secretkey" not in content
    assert "hidden: contains a sign-in link" in content
    assert "Password reset" in content and "ana@example.org" in content, "the rest of the record is shown"
    assert "See you on Tuesday." in client.get(f"/admin/outbox/outgoingemail/{ordinary.pk}/change/").content.decode()

    listing = client.get("/admin/outbox/outgoingemail/")
    assert listing.status_code == 200 and "Password reset" in listing.content.decode()
    assert "secretkey" not in listing.content.decode()
    searched = client.get("/admin/outbox/outgoingemail/", {"q": "secretkey"})
    assert searched.context["cl"].result_count == 0


def test_a_sent_secret_message_is_not_resent_empty(mailoutbox, django_capture_on_commit_callbacks):
    email = queue_secret()
    delivery.deliver(email_id=email.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.resend(email_ids=[email.pk]) == 0
    assert len(mailoutbox) == 1


def test_message_ids_are_in_the_site_s_domain_without_its_port(settings):
    settings.SITE_URL = "http://portal.example:8000"
    assert delivery.new_message_id().endswith("@portal.example>")
    settings.SITE_URL = "https://portal.example"
    assert delivery.new_message_id().endswith("@portal.example>")
