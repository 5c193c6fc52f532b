"""Emails people are glad to get (issue 12, item 7): one branded, responsive layout with its CSS
inlined at render, a button for the main action, a greeting that reads right in both languages,
and a plain-text part without Markdown syntax.

``registrant_emails`` causes every kind of email a registrant gets (confirmed, waitlisted,
promoted, cancelled, the join link, both reminders, session moved, session cancelled) and is
shared with ``tests/events/test_email_times.py`` and ``tests/webinars/test_reminder_contents.py``.
"""

from __future__ import annotations

import re
import time
import zoneinfo
from datetime import datetime, timedelta
from html import escape
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import translation

from core.email_render import inline_css
from core.markdown import render_plain_text
from events import services as events_services
from outbox.services import render_email
from tests.events.factories import SECRET_URL, EventFactory, MeetingFactory, SessionFactory
from tests.outbox.test_email_language import OTHER, delivered, html_part
from webinars import services as webinar_services

ZONE = zoneinfo.ZoneInfo("Europe/Ljubljana")
START = datetime(2031, 12, 15, 10, 0, tzinfo=ZONE)  # a Monday, CET (UTC+1)
NEW_URL = SECRET_URL + "&v=2"
NAME = "Ana Novak"
GREETING = {"en": "Dear Ana Novak,", "sl": "Pozdravljeni, Ana Novak!"}
REGISTRANT_EMAILS = (
    "events/registration_confirmed",
    "events/registration_waitlisted",
    "events/registration_promoted",
    "events/registration_cancelled",
    "webinars/reminder_24h",
    "webinars/reminder_1h",
    "webinars/join_link",
    "events/session_changed",
    "events/session_cancelled",
)
# Emails about a registration that still stands: they lead to the registrant's own page.
WITH_MANAGE_BUTTON = set(REGISTRANT_EMAILS) - {"events/registration_cancelled", "events/session_cancelled"}
# Emails to a confirmed registrant of an online session: the join button and link.
WITH_JOIN_BUTTON = {
    "events/registration_promoted", "webinars/reminder_24h", "webinars/reminder_1h", "webinars/join_link",
    "events/session_changed",
}


def registrant_emails(language: str, captured, mailoutbox, *, time_zone: str = "") -> dict:
    """Every kind of registrant email, to registrants of ``language`` (whose browser reported
    ``time_zone``), each caused the way it is in production: registering on the language's
    pages, a coordinator in the other language, the reminder task in a worker. Returns the
    delivered message of each template."""
    session = SessionFactory(
        event=EventFactory(kind="webinar", mode="online", title_en="Counting birds", title_sl="Štetje ptic",
                           summary_en="Bring binoculars.", summary_sl=""),
        start=START, end=START + timedelta(minutes=90), capacity=1, time_zone="Europe/Ljubljana",
    )
    MeetingFactory(session=session)
    with time_machine.travel(START - timedelta(days=2), tick=False):
        with captured(execute=True), translation.override(language):
            first = events_services.register(session=session, name=NAME, email="first@example.org",
                                             consent_text="ok", time_zone=time_zone).registration
            events_services.register(session=session, name=NAME, email="second@example.org",
                                     consent_text="ok", time_zone=time_zone)
        with captured(execute=True), translation.override(OTHER[language]):
            events_services.cancel_registration(registration=first)  # cancelled; second promoted
    for before in (timedelta(hours=23), timedelta(minutes=50)):
        with time_machine.travel(START - before, tick=False):
            with captured(execute=True), translation.override(OTHER[language]):
                webinar_services.send_due_reminders()
    with time_machine.travel(START - timedelta(minutes=40), tick=False):
        with captured(execute=True), translation.override(OTHER[language]):
            webinar_services.set_meeting(session=session, join_url=NEW_URL, meeting_id="1", passcode="p-2")
        with captured(execute=True), translation.override(OTHER[language]):
            moved = START + timedelta(days=1)
            events_services.move_session(session=session, start=moved, end=moved + timedelta(minutes=90))
        with captured(execute=True), translation.override(OTHER[language]):
            events_services.cancel_session(session=session)
    return {template: delivered(mailoutbox, template) for template in REGISTRANT_EMAILS}


class WellFormed(HTMLParser):
    """Collects what makes an HTML document ill-formed: end tags without their start, elements
    left open, text outside <body>, and a missing doctype."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.open.append(tag)
        if len({name for name, _value in attrs}) != len(attrs):
            self.problems.append(f"<{tag}> repeats an attribute")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.problems.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]
            return
        self.open.pop()


def html_problems(document: str) -> list[str]:
    checker = WellFormed()
    checker.feed(document)
    checker.close()
    problems = list(checker.problems)
    if checker.doctype.lower() != "doctype html":
        problems.append(f"doctype is {checker.doctype!r}")
    if checker.open:
        problems.append(f"left open: {checker.open}")
    return problems


MARKDOWN_LEFT = re.compile(r"\*\*|__|\]\(|^#{1,6} |^\s*[*+] (?!\*)|<[a-z/][^>]*>", re.M)


def assert_plain_text(text: str) -> None:
    """No Markdown syntax and no HTML tags in a text part (its links' own characters aside)."""
    words = re.sub(r"https?://\S+", "", text)
    assert not MARKDOWN_LEFT.search(words), MARKDOWN_LEFT.search(words).group(0)


def button(html: str, href: str) -> str:
    """The opening tag of the button linking to ``href`` (as inlined)."""
    match = re.search(rf'<a class="button(?:-secondary)?" href="{re.escape(escape(href))}"[^>]*>', html)
    assert match, f"no button to {href}"
    return match.group(0)


# --- Every registrant email, in both languages ----------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_registrant_email_is_branded_inlined_well_formed_and_greets_right(
    language, mailoutbox, django_capture_on_commit_callbacks
):
    messages = registrant_emails(language, django_capture_on_commit_callbacks, mailoutbox)
    for template, message in messages.items():
        html, text = html_part(message), message.body
        assert not html_problems(html), (template, html_problems(html))
        assert html.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in html, template
        # The greeting on its own line (paragraph), then a new paragraph with a capital.
        greeting = GREETING[language]
        assert re.search(rf"^{re.escape(greeting)}\n\n[A-ZČŠŽ]", text, re.M), (template, text[:200])
        assert re.search(rf'<p class="greeting"[^>]*>{re.escape(greeting)}</p>\s*<p>[A-ZČŠŽ]', html), template
        assert GREETING[OTHER[language]] not in text + html
        # The CSS is inlined: one <style> block is left, holding only the media query.
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)
        assert len(styles) == 1 and styles[0].strip().startswith("@media"), template
        assert 'class="content" style="' in html and "font-family: system-ui" in html, template
        assert "#0b6b4f" in html, "the network's colour"
        if template in WITH_MANAGE_BUTTON:
            manage = re.search(r'href="(http://testserver/(?:sl/)?[^"]*registration[^"]*)"', html)
            assert manage and "style=" in button(html, manage.group(1)), template
            assert manage.group(1) in text, template
        if template in WITH_JOIN_BUTTON:
            join = button(html, NEW_URL if template in ("events/session_changed", "webinars/join_link") else SECRET_URL)
            assert "background-color: #0b6b4f" in join and "color: #ffffff" in join, template
        assert_plain_text(text)
        assert "Citizen Science Network" in html if language == "en" else "Mreža za občansko znanost" in html
        assert ("registered for this event" if language == "en" else "prijavili na ta dogodek") in text + html


@pytest.mark.django_db
def test_the_join_section_offers_the_link_to_copy_and_the_passcode(mailoutbox, django_capture_on_commit_callbacks):
    message = registrant_emails("en", django_capture_on_commit_callbacks, mailoutbox)["webinars/reminder_1h"]
    html = html_part(message)
    assert "Join the webinar</a>" in html
    assert f">{SECRET_URL.replace('&', '&amp;')}</a>" in html, "the link itself, to copy"
    assert "Passcode: <strong" in html and "PASS-7731-XQ" in html and "PASS-7731-XQ" in message.body
    assert "Manage my registration</a>" in html


# --- The layout --------------------------------------------------------------------------------
def test_a_fragment_is_left_as_it_is_and_a_document_is_inlined():
    assert inline_css("<p>Hello</p>") == "<p>Hello</p>"
    document = (
        '<!DOCTYPE html>\n<html lang="sl"><head><meta charset="utf-8"><title>x</title><style>.b { color: #0b6b4f; }'
        "@media (max-width: 480px) { .b { display: block !important; } }</style></head>"
        '<body><p class="b">Ž &amp; <a href="https://x.example/?a=1&amp;b=2">l</a></p></body></html>'
    )
    inlined = inline_css(document)
    assert inlined.startswith("<!DOCTYPE html>")
    assert '<html lang="sl">' in inlined and "<body>" in inlined
    assert '<p class="b" style="color: #0b6b4f;">Ž &amp; <a href="https://x.example/?a=1&amp;b=2">l</a></p>' in inlined
    assert "@media (max-width: 480px)" in inlined


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sl"])
def test_every_html_email_keeps_html_and_body_as_written(language):
    """The layout styles classes only: ``<html lang>`` and ``<body>`` stay as they are (the
    language checks read them), and so do the record texts' own elements."""
    _subject, _text, html = render_email(
        "portal/accessibility_feedback", {"email": "a@example.org", "message": "x"}, language=language
    )
    assert f'<html lang="{language}">' in html and "<body>" in html
    assert not html_problems(html), html_problems(html)


def test_inlining_is_fast_enough_for_the_outbox():
    """Issue 17 measures the outbox's throughput: inlining one email costs well under a millisecond."""
    with translation.override("en"):
        from django.template.loader import render_to_string

        document = render_to_string("emails/_layout.html", {"SITE_URL": "http://testserver", "SITE_NAME": "CSN"})
    inline_css(document)
    started = time.perf_counter()
    for _ in range(200):
        inline_css(document)
    assert (time.perf_counter() - started) / 200 < 0.005


@pytest.mark.django_db
def test_html_emails_are_valid_html(mailoutbox, django_capture_on_commit_callbacks, tmp_path):
    """The Nu HTML checker (as for the public pages) on every registrant email in both languages."""
    from tests.test_html_validity import check_documents

    documents = {}
    for language in ("en", "sl"):
        mailoutbox.clear()
        for template, message in registrant_emails(language, django_capture_on_commit_callbacks, mailoutbox).items():
            documents[f"{language}:{template}"] = html_part(message)
    errors = check_documents(documents, tmp_path)
    assert not errors, errors


# --- Markdown to plain text --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**Register now** for our [webinars](https://example.org/webinars/).",
         "Register now for our webinars (https://example.org/webinars/).\n"),
        ("# Spring\n\nSee *you* __there__.", "Spring\n\nSee you there.\n"),
        ("- one\n- two\n    1. nested\n    2. more\n- three", "- one\n- two\n  1. nested\n  2. more\n- three\n"),
        ("3. three\n4. four", "3. three\n4. four\n"),
        ("Mail <ana@example.org> or <https://x.example>.", "Mail ana@example.org or https://x.example.\n"),
        ("Smith & Co &amp; <b>bold</b> \\*stars\\*", "Smith & Co & bold *stars*\n"),
        ("> quoted `code`\n> more", "> quoted code\n> more\n"),
        ("    print(1)\n    print(2)", "    print(1)\n    print(2)\n"),
        ("line one  \nline two", "line one\nline two\n"),
        ("[click](javascript:alert(1)) ![a map](https://x.example/m.png)", "click a map\n"),
        ("<div>raw <script>alert(1)</script>block</div>", "raw block\n"),
        ("a\n\n---\n\nb", "a\n\n* * *\n\nb\n"),
        ("", ""),
    ],
)
def test_markdown_becomes_plain_text(markdown, text):
    assert render_plain_text(markdown) == text
    assert_plain_text(render_plain_text(markdown))


@pytest.mark.django_db
def test_the_announcements_text_part_has_no_markdown():
    from mailing import services as mailing_services
    from tests.mailing.factories import AnnouncementFactory

    announcement = AnnouncementFactory()
    links = {"unsubscribe_url": "http://testserver/u/", "manage_url": "http://testserver/m/"}
    context = {**mailing_services.render_announcement(announcement, "en"), **links}
    _subject, text, html = render_email("mailing/announcement", context, language="en")
    assert text.startswith("Dear subscribers,\n\nRegister now for our webinars (https://example.org/webinars/).\n")
    assert_plain_text(text)
    assert "<strong>Register now</strong>" in html and not html_problems(html)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "line"), [("en", "You are number 3 on the waiting list."),
                                                ("sl", "Na čakalnem seznamu ste 3. po vrsti.")])
def test_the_waiting_list_email_states_the_position_when_given(language, line):
    from tests.events.factories import RegistrationFactory

    registration = RegistrationFactory(status="waitlisted", name=NAME, language=language)
    context = {"registration": registration, "session": registration.session, "event": registration.session.event,
               "event_url": "http://testserver/e/", "manage_url": "http://testserver/m/", "position": 3}
    _subject, text, html = render_email("events/registration_waitlisted", context, language=language)
    assert line in text and line in html
    context.pop("position")
    _subject, text, html = render_email("events/registration_waitlisted", context, language=language)
    assert line not in text + html
