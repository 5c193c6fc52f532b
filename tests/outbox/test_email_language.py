"""Emails in the recipient's language (issue 11, item 6): the sender's display name, the subject
and both parts, record content with its fallback marked, and links to that language's pages —
whatever language the request, admin or worker that causes the message is in.

The helpers here (``delivered``, ``assert_in_language``) are shared with the tests of each email
family (``tests/<app>/test_email_language.py``); this module covers the sender, the rendering
context, and the network's and the site's emails.
"""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from django.conf import settings
from django.utils import translation

from network import services as network_services
from network.models import Partner
from outbox import delivery
from outbox import services as outbox
from outbox.models import OutgoingEmail
from portal import services as portal_services
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

SENDER = {
    "en": "Citizen Science Network <network@localhost>",
    "sl": "Mreža za občansko znanost <network@localhost>",
}
OTHER = {"en": "sl", "sl": "en"}


# --- Helpers for every family's tests --------------------------------------------------------
def delivered(mailoutbox, purpose: str, *, to: str | None = None):
    """The message of ``purpose`` (the template, by default) as it was handed to the mail backend
    (the latest, or the latest to ``to``)."""
    rows = OutgoingEmail.objects.filter(purpose=purpose)
    if to is not None:
        rows = rows.filter(to=to)
    row = rows.order_by("-created_at", "-pk").first()
    assert row is not None, f"no {purpose} message was written"
    matching = [m for m in mailoutbox if m.extra_headers.get("Message-ID") == row.message_id]
    assert matching, f"the {purpose} message was not sent"
    return matching[-1]


def html_part(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


def sent_from(message) -> str:
    """The From header as the reader's mail program shows it (decoded from RFC 2047)."""
    raw = message.message()["From"]
    assert str(raw).isascii(), raw  # encoded on the wire
    return str(make_header(decode_header(str(raw))))


def site_links(message) -> list[str]:
    """Every link to the site in the text part, the HTML part and the headers."""
    pattern = re.escape(settings.SITE_URL) + r"[^\s\"'<>]*"
    found = re.findall(pattern, message.body + html_part(message))
    found += re.findall(pattern, " ".join(str(v) for v in message.extra_headers.values()))
    return found


def assert_in_language(message, language: str, *, links: bool = True) -> None:
    """From, HTML language and links of ``message`` are those of ``language``."""
    assert sent_from(message) == SENDER[language]
    assert f'<html lang="{language}">' in html_part(message)
    found = site_links(message)
    if links:
        assert found, "the message links to the site"
    sl = settings.SITE_URL + "/sl/"
    for link in found:
        assert link.startswith(sl) if language == "sl" else not link.startswith(sl), link


def assert_fallback_marked(message, text: str, language: str) -> None:
    """``text`` (record content shown in the other language) is inside ``lang`` in the HTML part
    and appears as it is in the text part."""
    assert f'lang="{language}">{text}<' in html_part(message), html_part(message)
    assert text in message.body


# --- The sender -------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["en", "sl"])
def test_sender_is_the_site_name_in_the_message_language(language, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue_email(to="ana@example.org", subject="x", body_text="x", body_html="<p>x</p>", language=language)
    assert mailoutbox[0].from_email == SENDER[language]
    assert sent_from(mailoutbox[0]) == SENDER[language]


def test_sender_is_worked_out_when_the_message_is_sent_not_by_the_active_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    """A worker delivering a Slovenian message is in English (and the other way round)."""
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("sl"):
            outbox.queue_email(to="en@example.org", subject="x", body_text="x", language="en")
        with translation.override("en"):
            outbox.queue_email(to="sl@example.org", subject="x", body_text="x", language="sl")
    assert {m.to[0]: m.from_email for m in mailoutbox} == {
        "en@example.org": SENDER["en"], "sl@example.org": SENDER["sl"],
    }


@pytest.mark.parametrize(
    ("configured", "language", "expected"),
    [
        ("Citizen Science Network <network@localhost>", "sl-si", SENDER["sl"]),
        ("Citizen Science Network <network@localhost>", "", SENDER["en"]),
        ("Citizen Science Network <network@localhost>", "de", SENDER["en"]),
        # Configured in Slovenian: still the site's name, so English readers get the English one.
        ("Mreža za občansko znanost <mreza@znanost.example.si>", "en", "Citizen Science Network <mreza@znanost.example.si>"),
        ("Citizen Science Network <mreza@znanost.example.si>", "sl", "Mreža za občansko znanost <mreza@znanost.example.si>"),
        # A name of the deployment's own choice, or none, is kept as configured.
        ("Knjižnica CTK <ctk@example.si>", "sl", "Knjižnica CTK <ctk@example.si>"),
        ("Knjižnica CTK <ctk@example.si>", "en", "Knjižnica CTK <ctk@example.si>"),
        ("network@znanost.example.si", "sl", "network@znanost.example.si"),
    ],
)
def test_sender_keeps_a_customised_display_name(settings, configured, language, expected):
    settings.DEFAULT_FROM_EMAIL = configured
    assert delivery.sender(language) == expected


def test_a_quoted_site_name_is_recognised_and_the_row_language_used(settings):
    settings.DEFAULT_FROM_EMAIL = '"Citizen Science Network" <network@localhost>'
    assert delivery.sender("sl") == SENDER["sl"]
    message = delivery.build_message(OutgoingEmail(to="a@example.org", subject="x", body_text="x", language="en"))
    assert message.from_email == SENDER["en"]


# --- The rendering context --------------------------------------------------------------------
@pytest.fixture
def email_templates(tmp_path, settings):
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES]
    folder = tmp_path / "emails"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(("language", "name"), [("en", "Citizen Science Network"), ("sl", "Mreža za občansko znanost")])
def test_site_name_and_urls_in_templates_are_in_the_message_language(email_templates, language, name):
    (email_templates / "site.subject.txt").write_text("{{ SITE_NAME }}")
    (email_templates / "site.txt").write_text('{{ SITE_NAME }} {{ SITE_URL }}{% url "portal:news_list" %}')
    (email_templates / "site.html").write_text("<p>{{ SITE_NAME }}</p>")
    with translation.override(OTHER[language]):
        subject, text, html = outbox.render_email("site", {}, language=language)
    prefix = "/sl" if language == "sl" else ""
    assert (subject, text, html) == (name, f"{name} {settings.SITE_URL}{prefix}/news/", f"<p>{name}</p>")


# --- The network's emails ---------------------------------------------------------------------
def apply(name: str, email: str) -> Partner:
    return network_services.submit_application(
        name=name, kind="organisation", partner_type="public_library", roles=["organiser"],
        description="Izposojamo mikroskope.", contact_name="Ana Novak", email=email,
    )


def test_an_applicant_is_answered_in_the_language_they_applied_in(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("sl"):  # the /sl/join/ form
            slovene = apply("Knjižnica ob reki", "ana@example.org")
        with translation.override("en"):
            english = apply("Riverside Library", "bob@example.org")
    confirmation = delivered(mailoutbox, "network/application_confirmation", to="ana@example.org")
    assert confirmation.subject == "Prejeli smo vašo vlogo za pridružitev mreži"
    assert "Knjižnica ob reki" in confirmation.body and "Knjižnica ob reki" in html_part(confirmation)
    assert_in_language(confirmation, "sl", links=False)
    confirmation = delivered(mailoutbox, "network/application_confirmation", to="bob@example.org")
    assert confirmation.subject == "We received your application to join the network"
    assert_in_language(confirmation, "en", links=False)

    # The coordinator decides in the admin in the other language: the applicant's language wins.
    with django_capture_on_commit_callbacks(execute=True):
        with translation.override("en"):
            network_services.approve_application(partner=slovene)
        with translation.override("sl"):
            network_services.reject_application(partner=english, reason="Not a library.")
    approved = delivered(mailoutbox, "network/application_approved")
    assert approved.to == ["ana@example.org"]
    assert approved.subject == "Dobrodošli v Mreži za občansko znanost"
    assert "Knjižnica ob reki" in approved.body
    assert_in_language(approved, "sl", links=False)
    rejected = delivered(mailoutbox, "network/application_rejected")
    assert rejected.to == ["bob@example.org"]
    assert rejected.subject == "Your application to join the network"
    assert "Riverside Library" in rejected.body and "Not a library." in rejected.body
    assert_in_language(rejected, "en", links=False)


def test_an_application_a_coordinator_entered_is_answered_in_the_default_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(status=Partner.Status.PENDING, application_email="c@example.org")
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        network_services.approve_application(partner=partner)
    approved = delivered(mailoutbox, "network/application_approved")
    assert approved.subject == "Welcome to the Citizen Science Network"
    assert_in_language(approved, "en", links=False)


def test_coordinators_get_the_default_language_with_a_slovenian_name_marked(
    mailoutbox, django_capture_on_commit_callbacks
):
    """Coordinators and contacts have no language on record: the site's default, whatever page
    the visitor wrote from; a name that exists only in Slovenian is marked as such."""
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        apply("Knjižnica ob reki", "ana@example.org")
    received = delivered(mailoutbox, "network/application_received")
    assert received.to == ["coordinators@network.example"]
    assert received.subject == "New application to join the network: Knjižnica ob reki"
    assert_in_language(received, "en")  # the admin link is not a page in a language
    assert_fallback_marked(received, "Knjižnica ob reki", "sl")
    assert '<p lang="sl">Izposojamo mikroskope.</p>' in html_part(received)


def test_requests_to_contacts_name_the_group_and_module_with_the_fallback_marked(
    mailoutbox, django_capture_on_commit_callbacks
):
    group = WorkingGroupFactory(name_en="", name_sl="Delovna skupina za tla")
    module = ServiceModuleFactory(name_en="Citizen science helpdesk", name_sl="Pomoč pri občanski znanosti")
    ServiceOfferFactory(module=module, contact_email="offer@example.org")
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        network_services.ask_to_join_working_group(group=group, name="Ana", email="ana@example.org")
        network_services.request_service(module=module, name="Ana", email="ana@example.org")
    join = delivered(mailoutbox, "network/working_group_join_request", to="group@example.org")
    assert join.subject == "Request to join the working group Delovna skupina za tla"
    assert_fallback_marked(join, "Delovna skupina za tla", "sl")
    assert_in_language(join, "en", links=False)
    request = delivered(mailoutbox, "network/service_request", to="offer@example.org")
    assert request.subject == "Service request: Citizen science helpdesk"
    assert "Citizen science helpdesk" in html_part(request) and 'lang="sl"' not in html_part(request).split("<body>")[1]
    assert_in_language(request, "en", links=False)


def test_accessibility_feedback_reaches_coordinators_in_the_default_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), translation.override("sl"):
        portal_services.send_accessibility_feedback(message="Gumb ni dosegljiv.", email="ana@example.org")
    feedback = delivered(mailoutbox, "portal/accessibility_feedback")
    assert feedback.subject == "Accessibility feedback from the website"
    assert "Gumb ni dosegljiv." in feedback.body
    assert_in_language(feedback, "en", links=False)
