"""allauth's emails (password resets, address confirmations) go through the outbox, with links
from ``SITE_URL``, and never to an address without an account (``portal.accounts``)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend

from outbox.models import OutgoingEmail
from outbox.tasks import deliver_email
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
RESET = "/accounts/password/reset/"
RESET_DONE = "/accounts/password/reset/done/"


class SMTPDown(BaseEmailBackend):
    """The SMTP server drops every connection."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def coordinator(db):
    return make_user("ana@library.example", is_staff=True, groups=("Network coordinators",))


def test_with_smtp_down_a_password_reset_answers_and_waits_in_the_outbox(
    client, settings, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.portal.test_account_emails.SMTPDown"
    with django_capture_on_commit_callbacks(execute=True):  # delivery is tried, and fails
        response = client.post(RESET, {"email": coordinator.email})
    assert response.status_code == 302
    assert response["Location"] == RESET_DONE
    message = OutgoingEmail.objects.get(to=coordinator.email)
    assert message.purpose == "account/email/password_reset_key"
    assert message.status == OutgoingEmail.Status.QUEUED, "kept for the next attempt, not lost"
    assert message.attempts == 1 and "SMTPServerDisconnected" in message.last_error
    assert mailoutbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # SMTP is back
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=False):
        deliver_email.apply(args=[message.pk])  # the next attempt, when it is due
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert [m.to for m in mailoutbox] == [[coordinator.email]]
    assert f"{settings.SITE_URL}/accounts/password/reset/key/" in mailoutbox[0].body


def test_a_reset_for_an_unknown_address_sends_nothing_and_answers_the_same(client, coordinator, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(RESET, {"email": "stranger@elsewhere.example"})
        known = client.post(RESET, {"email": coordinator.email})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == RESET_DONE
    assert not OutgoingEmail.objects.filter(to__iexact="stranger@elsewhere.example").exists()
    assert [m.to for m in mailoutbox] == [[coordinator.email]]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_reset_links_come_from_site_url_whatever_the_request_says(client, settings, coordinator, host):
    assert host not in settings.SITE_URL
    response = client.post(RESET, {"email": coordinator.email}, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302
    message = OutgoingEmail.objects.get(to=coordinator.email)
    assert f"{settings.SITE_URL}/accounts/password/reset/key/" in message.body_text
    assert host not in message.body_text and host not in message.subject
    assert "example.com" not in message.body_text + message.subject  # the Sites default


def test_the_reset_link_in_the_outbox_resets_the_password(client, settings, coordinator):
    client.post(RESET, {"email": coordinator.email})
    body = OutgoingEmail.objects.get(to=coordinator.email).body_text
    link = next(word for word in body.split() if word.startswith(f"{settings.SITE_URL}/accounts/password/reset/key/"))
    form = client.get(link.removeprefix(settings.SITE_URL), follow=True)
    assert form.status_code == 200
    done = client.post(form.redirect_chain[-1][0], {"password1": "a new Long passphrase 7", "password2": "a new Long passphrase 7"})
    assert done.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.check_password("a new Long passphrase 7")


def test_a_network_coordinator_never_sees_a_colleague_s_reset_link_in_the_outbox(
    client, settings, coordinator, network_coordinator, mailoutbox
):
    """Whoever may view the outbox could otherwise ask for a colleague's password reset, open the
    message in the admin and follow the link (``OutgoingEmail.secret``)."""
    client.post(RESET, {"email": coordinator.email})  # anybody may ask; the message waits for the worker
    message = OutgoingEmail.objects.get(to=coordinator.email)
    prefix = f"{settings.SITE_URL}/accounts/password/reset/key/"
    key = next(word for word in message.body_text.split() if word.startswith(prefix)).removeprefix(prefix).strip("/")
    assert message.secret and len(key) > 20

    client.force_login(network_coordinator)
    change_page = f"/admin/outbox/outgoingemail/{message.pk}/change/"

    def shown_to_the_network_coordinator() -> str:
        pages = [client.get("/admin/outbox/outgoingemail/"), client.get(change_page),
                 client.get("/admin/outbox/outgoingemail/", {"q": key})]
        assert [page.status_code for page in pages] == [200, 200, 200]
        assert pages[2].context["cl"].result_count == 0, "the search does not look into the body"
        return "".join(page.content.decode() for page in pages[:2])  # the search page echoes the key

    before = shown_to_the_network_coordinator()
    assert key not in before and "/password/reset/key/" not in before
    assert "hidden: contains a sign-in link" in before and message.subject in before

    deliver_email.apply(args=[message.pk])
    assert f"{prefix}{key}/" in mailoutbox[0].body, "its owner gets the link"
    message.refresh_from_db()
    assert message.status == OutgoingEmail.Status.SENT
    assert message.body_text == message.body_html == "" and key not in str(message.__dict__), "gone once sent"
    assert key not in shown_to_the_network_coordinator()


def test_a_reset_asked_for_in_slovenian_names_the_site_in_slovenian(client, coordinator, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sl" + RESET, {"email": coordinator.email})
    (message,) = mailoutbox
    assert message.subject.startswith("[Mreža za občansko znanost] ")
    assert "Mreža za občansko znanost" in message.from_email
    assert "Citizen Science Network" not in message.subject + message.body
