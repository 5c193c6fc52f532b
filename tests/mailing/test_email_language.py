"""Mailing-list emails in the subscriber's language (issue 11, item 6): the confirmation request,
the approval (and the coordinators' notice), announcements — subject, sender, the list's name in
that language (the other one, marked, where it has none), links and unsubscribe headers to that
language's pages, whatever language the admin or worker that sends them is in."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.utils import translation

from mailing import services, tasks, tokens
from mailing.models import CONSENT_TEXT, CONSENT_VERSION, Subscription
from tests.outbox.test_email_language import OTHER, assert_fallback_marked, assert_in_language, delivered, html_part

from .factories import AnnouncementFactory, MailingListFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

NAME = {"en": "Soil observers", "sl": "Opazovalci tal"}


def list_in(*languages: str, **fields):
    """A mailing list whose name is written in ``languages`` only."""
    names = {f"name_{code}": NAME[code] if code in languages else "" for code in ("en", "sl")}
    return MailingListFactory(**names, **fields)


def request(email: str, lists, language: str):
    """A sign-up on the form of ``language``'s pages."""
    with translation.override(language):
        return services.request_subscription(
            email=email, lists=lists, consent_text=str(CONSENT_TEXT), consent_version=CONSENT_VERSION, source="test"
        )


@pytest.mark.parametrize("language", ["en", "sl"])
def test_the_confirmation_request_is_in_the_language_of_the_sign_up(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    both, other_only = list_in("en", "sl"), list_in(OTHER[language])
    with django_capture_on_commit_callbacks(execute=True):
        request("ana@example.org", [both, other_only], language)
    message = delivered(mailoutbox, "mailing/confirm")
    subject = {
        "en": "Please confirm your subscription · Citizen Science Network",
        "sl": "Prosimo, potrdite naročnino · Mreža za občansko znanost",
    }
    assert message.subject == subject[language]
    assert_in_language(message, language)
    assert ("Pozdravljeni," if language == "sl" else "Hello,") in message.body
    assert f"<li>{NAME[language]}</li>" in html_part(message) and f"- {NAME[language]}\n" in message.body
    assert f'<li><span lang="{OTHER[language]}">{NAME[OTHER[language]]}</span></li>' in html_part(message)
    assert_fallback_marked(message, NAME[OTHER[language]], OTHER[language])
    home = settings.SITE_URL + ("/sl/" if language == "sl" else "/")
    assert f"{home}\n" in message.body and f'href="{home}"' in html_part(message)


def test_the_already_subscribed_note_is_in_the_language_of_the_sign_up(mailoutbox, django_capture_on_commit_callbacks):
    mailing_list = list_in("en", "sl")
    SubscriptionFactory(mailing_list=mailing_list, email="ana@example.org", status="active", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        request("ana@example.org", [mailing_list], "sl")
    message = delivered(mailoutbox, "mailing/confirm")
    assert message.subject == "Že ste na našem poštnem seznamu · Mreža za občansko znanost"
    assert "Ta naslov že prejema te sezname (ali je zanje že zaprosil):" in message.body
    assert f"<li>{NAME['sl']}</li>" in html_part(message)
    assert_in_language(message, "sl")


@pytest.mark.parametrize("language", ["en", "sl"])
def test_approval_is_in_the_subscribers_language_and_coordinators_get_the_default(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    mailing_list = list_in("en", "sl", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = request("ana@example.org", [mailing_list], language)
    mailoutbox.clear()
    # The confirmation link is opened on the other language's pages; the coordinator who
    # approves works in the admin in the other language too.
    with django_capture_on_commit_callbacks(execute=True), translation.override(OTHER[language]):
        services.confirm(token=tokens.confirm_token([s.pk for s in result.to_confirm]))
    notice = delivered(mailoutbox, "mailing/approval_requested")
    assert notice.subject == f"Approval needed: a request to join “{NAME['en']}”"
    assert_in_language(notice, "en")
    with django_capture_on_commit_callbacks(execute=True), translation.override(OTHER[language]):
        services.decide(subscription_ids=[s.pk for s in result.to_confirm], approve=True)
    message = delivered(mailoutbox, "mailing/approved")
    subject = {"en": f"Welcome to “{NAME['en']}”", "sl": f"Dobrodošli na seznamu „{NAME['sl']}“"}
    assert message.subject == subject[language]
    assert_in_language(message, language)
    assert NAME[language] in html_part(message) and NAME[OTHER[language]] not in message.body
    assert_list_headers(message, language)


def test_a_list_named_only_in_slovenian_is_marked_in_the_coordinators_notice(
    mailoutbox, django_capture_on_commit_callbacks
):
    mailing_list = list_in("sl", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        result = request("ana@example.org", [mailing_list], "sl")
        services.confirm(token=tokens.confirm_token([s.pk for s in result.to_confirm]))
    notice = delivered(mailoutbox, "mailing/approval_requested")
    assert_fallback_marked(notice, NAME["sl"], "sl")


def assert_list_headers(message, language: str) -> None:
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    sl = f"<{settings.SITE_URL}/sl/mailing-list/unsubscribe/"
    assert unsubscribe.startswith(sl) == (language == "sl"), unsubscribe
    list_id = str(make_header(decode_header(message.message()["List-Id"])))
    assert list_id.startswith(f"{NAME[language]} <"), list_id


@pytest.mark.parametrize("language", ["en", "sl"])
def test_an_announcement_reaches_each_subscriber_in_their_language(
    language, client, mailoutbox, django_capture_on_commit_callbacks
):
    mailing_list = list_in("en", "sl")
    fallback_list = list_in(OTHER[language])
    for target in (mailing_list, fallback_list):
        SubscriptionFactory(mailing_list=target, email=f"{target.slug}@example.org", language=language)
        announcement = AnnouncementFactory(mailing_list=target)
        chain = services.start_sending(announcement_id=announcement.pk)
        # The batch task runs in a worker, whose language is the other one.
        with django_capture_on_commit_callbacks(execute=True), translation.override(OTHER[language]):
            tasks.send_announcement_batch(announcement.pk, str(chain))
    footer = {
        "en": "You receive this message as a subscriber of “{}”.",
        "sl": "To sporočilo prejemate kot naročnik seznama „{}“.",
    }
    message = delivered(mailoutbox, "mailing/announcement", to=f"{mailing_list.slug}@example.org")
    assert message.subject == "Spring webinars & workshops"  # written once, in one language
    assert_in_language(message, language)
    assert footer[language].format(NAME[language]) in message.body
    assert footer[language].format(NAME[language]) in html_part(message)
    assert_list_headers(message, language)
    # The one-click unsubscribe (RFC 8058) works at the subscriber's language's address.
    path = message.extra_headers["List-Unsubscribe"][1:-1].removeprefix(settings.SITE_URL)
    client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert Subscription.objects.get(email=message.to[0]).status == Subscription.Status.UNSUBSCRIBED
    other = OTHER[language]
    message = delivered(mailoutbox, "mailing/announcement", to=f"{fallback_list.slug}@example.org")
    assert_in_language(message, language)
    assert footer[language].format(NAME[other]) in message.body
    assert footer[language].format(f'<span lang="{other}">{NAME[other]}</span>') in html_part(message)


def test_a_subscription_without_a_language_gets_the_default(mailoutbox, django_capture_on_commit_callbacks):
    subscription = SubscriptionFactory(
        mailing_list=list_in("en", "sl", requires_approval=True), status=Subscription.Status.AWAITING_APPROVAL,
        language="",
    )
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        services.decide(subscription_ids=[subscription.pk], approve=True)
    message = delivered(mailoutbox, "mailing/approved")
    assert message.subject == f"Welcome to “{NAME['en']}”"
    assert_in_language(message, "en")
