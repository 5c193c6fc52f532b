"""The Slovenian interface is complete, current and actually used.

- the catalogue (``locale/sl/LC_MESSAGES/django.po``) has no untranslated or fuzzy message, the
  right plural rule, and keeps every placeholder;
- it is up to date with the source: every literal marked in a template or a Python module is in
  it, and no template shows text outside the translation tags (a regex heuristic, with a small
  allow-list below);
- pages under ``/sl/`` are Slovenian, emails go out in the language the person used, dates follow
  the active language, and the language switcher keeps the visitor on the same page.

Compiled catalogues (``.mo``) are built, never committed: ``make test`` compiles them first, and
the session fixture below compiles them again when a ``.po`` is newer than its ``.mo``.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
SL_PO = LOCALE_DIR / "sl" / "LC_MESSAGES" / "django.po"
TEMPLATES_DIR = BASE_DIR / "templates"
APPS = ("portal", "network", "events", "webinars", "mailing", "seeds")
SL_PLURAL_FORMS = "nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3);"

# Text a template may show outside translation tags (regexes, matched against one line of the
# template with every tag, variable and HTML tag removed). Keep this list short and say why.
VISIBLE_TEXT_ALLOWED = [
    re.compile(r"^/admin/network/partner/\s+/change/$"),  # a URL path in a coordinator's email
]


def _read_catalogue(path: Path = SL_PO):
    with path.open("rb") as handle:
        return read_po(handle, locale="sl")


def _compile_if_stale() -> bool:
    """Compile every .po whose .mo is missing or older, atomically (xdist workers may race)."""
    compiled = False
    for po in LOCALE_DIR.rglob("*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalogue)
        os.replace(tmp, mo)
        compiled = True
    return compiled


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogues():
    if _compile_if_stale():
        # Django caches catalogues per process; drop them so the fresh .mo is read.
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None
    yield


# --- The catalogue ------------------------------------------------------------------------
def test_catalogue_header_has_the_slovenian_plural_rule():
    catalogue = _read_catalogue()
    assert catalogue.plural_forms == SL_PLURAL_FORMS
    assert catalogue.num_plurals == 4
    assert not catalogue.fuzzy, "the header is marked fuzzy"


def test_every_message_is_translated_and_none_is_fuzzy():
    catalogue = _read_catalogue()
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 300  # the real catalogue, not an empty stub
    fuzzy = [m.id for m in messages if m.fuzzy]
    untranslated = []
    for message in messages:
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if message.pluralizable and len(strings) != 4:
            untranslated.append(message.id)
        elif not all(s and s.strip() for s in strings):
            untranslated.append(message.id)
    assert not fuzzy, f"fuzzy messages in {SL_PO.name}: {fuzzy}"
    assert not untranslated, f"untranslated messages in {SL_PO.name}: {untranslated}"


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")


def test_translations_keep_every_placeholder():
    catalogue = _read_catalogue()
    broken = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        for string in strings:
            if set(PLACEHOLDER.findall(string or "")) != expected:
                broken.append((ids[0], string))
    assert not broken, broken
    assert not [errors for _, errors in catalogue.check() if errors]


# --- Up to date with the source ---------------------------------------------------------------
TRANSLATE_TAG = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<text>.*?)(?P=q)(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?"""
)
BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b(?P<args>[^%]*)%}(?P<body>.*?){%\s*end(?:blocktranslate|blocktrans)\s*%}", re.S
)
TEMPLATE_UNDERSCORE = re.compile(r"""\b_\((?P<q>["'])(?P<text>.*?)(?P=q)\)""")
PYTHON_CALL = re.compile(
    r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)|\\).)*)(?P=q)\s*[,)]"""
)

PYTHON_CONTEXT_CALL = re.compile(
    r"""\bpgettext(?:_lazy|_noop)?\(\s*(?P<cq>["'])(?P<context>[^"']*)(?P=cq)\s*,\s*(?P<q>["'])(?P<text>(?:(?!(?P=q)|\\).)*)(?P=q)\s*[,)]"""
)


def _block_msgid(args: str, body: str) -> str:
    """The msgid Django builds for a {% blocktranslate %} body (the singular part)."""
    body = re.split(r"{%\s*plural\s*%}", body)[0]
    msgid = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body.replace("%", "%%"))
    if re.search(r"\btrimmed\b", args):
        msgid = re.sub(r"\s*\n\s*", " ", msgid.strip())
    return msgid


def _template_msgids() -> set[tuple[str | None, str]]:
    found = set()
    for path in TEMPLATES_DIR.rglob("*"):
        if not path.is_file() or path.suffix not in {".html", ".txt"}:
            continue
        source = path.read_text(encoding="utf-8")
        for match in TRANSLATE_TAG.finditer(source):
            found.add((match["context"], match["text"].replace("%", "%%")))
        for match in BLOCK_TAG.finditer(source):
            context = re.search(r"""\bcontext\s+(["'])(.*?)\1""", match["args"])
            found.add((context[2] if context else None, _block_msgid(match["args"], match["body"])))
        for match in TEMPLATE_UNDERSCORE.finditer(source):
            found.add((None, match["text"].replace("%", "%%")))
    return found


def _python_msgids() -> set[tuple[str | None, str]]:
    found = set()
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            for match in PYTHON_CALL.finditer(source):
                found.add((None, match["text"]))
            for match in PYTHON_CONTEXT_CALL.finditer(source):
                found.add((match["context"], match["text"]))
    return found


def _catalogue_keys() -> set[tuple[str | None, str]]:
    keys = set()
    for message in _read_catalogue():
        if message.id:
            msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            keys.add((message.context, msgid))
    return keys


def test_every_marked_template_string_is_in_the_catalogue():
    """Fails when someone marks a string but forgets ``make messages`` (and translating it)."""
    expected = _template_msgids()
    assert len(expected) > 300
    missing = sorted(k[1] for k in expected - _catalogue_keys())
    assert not missing, f"run `make messages` and translate: {missing}"


def test_every_marked_python_string_is_in_the_catalogue():
    expected = _python_msgids()
    assert len(expected) > 100
    missing = sorted(k[1] for k in expected - _catalogue_keys())
    assert not missing, f"run `make messages` and translate: {missing}"


@pytest.mark.parametrize(
    "msgid",
    [
        "Join the network",  # templates/base.html
        "Find partners",  # templates/network/partner_list.html
        "Organiser of events and trainings",  # network/models.py
        "Subscribe to the calendar (iCalendar)",  # templates/events/event_list.html
        "This session is full.",  # events/services.py
        "Online seminar series. Pick a date on a series' page and register: the link to join comes by email.",
        "Please confirm your subscription",  # templates/emails/mailing/…
        "Registration confirmed: %(title)s",  # templates/emails/events/…
        "Your link to join: %(title)s",  # templates/emails/webinars/…
        "Welcome to the Citizen Science Network",  # templates/emails/network/…
        "Tick at least one list.",  # mailing/forms.py
        "Latest news",  # templates/portal/home.html
    ],
)
def test_representative_strings_are_in_the_catalogue(msgid):
    assert (None, msgid) in _catalogue_keys()


def _visible_template_text(source: str, *, html: bool) -> list[str]:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", source, flags=re.S)
    text = BLOCK_TAG.sub(" ", text)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    leftovers = [
        f'{m[1]}="{m[2]}"'
        for m in re.finditer(r"""\b(aria-label|title|alt|placeholder)\s*=\s*"([^"]*)\"""", text, flags=re.I)
        if re.search(r"[A-Za-z]{2,}", m[2])
    ]
    if html:
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-zA-Z]+;|&#\d+;", " ", text)
    for line in text.splitlines():
        line = line.strip()
        if re.search(r"[A-Za-z]{2,}", line) and not any(p.search(line) for p in VISIBLE_TEXT_ALLOWED):
            leftovers.append(line)
    return leftovers


def test_no_template_shows_text_outside_translation_tags():
    untranslated = {}
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".txt"}:
            found = _visible_template_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
            if found:
                untranslated[str(path.relative_to(TEMPLATES_DIR))] = found
    assert not untranslated, untranslated


def test_the_visible_text_heuristic_catches_unmarked_text():
    """The check above can fail: plain text, a plain attribute and an allowed URL."""
    source = '{% load i18n %}<p>{% translate "Fine" %} Not fine</p><a aria-label="Open">{{ x }}</a>'
    assert _visible_template_text(source, html=True) == ['aria-label="Open"', "Not fine"]
    assert _visible_template_text("{{ site_url }}/admin/network/partner/{{ pk }}/change/", html=False) == []


# --- Pages in Slovenian -----------------------------------------------------------------------
ENGLISH_NAV = ["Partners", "Working groups", "Services", "Events", "Webinars", "News", "Join the network",
               "About the network", "Mailing list", "Privacy notice", "Accessibility statement", "Coordinator login"]
SLOVENIAN_NAV = ["Partnerji", "Delovne skupine", "Storitve", "Dogodki", "Spletni seminarji", "Novice",
                 "Pridružite se mreži", "O mreži", "Poštni seznam", "Izjava o dostopnosti", "Preskoči na glavno vsebino"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "page_strings"),
    [
        ("/sl/", ["Prihajajoči spletni seminarji in dogodki", "Zadnje novice"]),
        ("/sl/partners/", ["Iskanje partnerjev", "Počisti", "Vrsta", "Regija", "Splošna knjižnica", "Najdena sta 2 partnerja."]),
        ("/sl/webinars/", ["Serije spletnih seminarjev", "90 minut", "3 termini"]),
        ("/sl/mailing-list/", ["Poštni seznami", "E-poštni naslov", "Polja, označena z *, so obvezna.", "(obvezno)"]),
        ("/sl/join/", ["Ime organizacije ali vaše ime", "Posameznik", "Pošlji vlogo", "To polje pustite prazno"]),
    ],
)
def test_slovenian_pages_are_slovenian(client, url, page_strings):
    from tests.events.factories import SessionFactory, WebinarFactory
    from tests.network.factories import PartnerFactory

    PartnerFactory.create_batch(2, region="Gorenjska")  # the region filter shows once it has choices
    webinar = WebinarFactory(duration_minutes=90)
    SessionFactory.create_batch(3, event=webinar.event)

    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="sl">' in html
    for text in SLOVENIAN_NAV + page_strings:
        assert text in html, f"{text!r} missing on {url}"
    for label in ENGLISH_NAV:
        assert f">{label}<" not in html, f"English {label!r} on {url}"


@pytest.mark.django_db
def test_the_sites_own_404_page_is_slovenian_under_sl(client):
    response = client.get("/sl/ni-take-strani/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Strani ni mogoče najti" in html
    assert "Page not found" not in html


@pytest.mark.django_db
def test_plural_forms_follow_the_slovenian_rule(client, django_capture_on_commit_callbacks):
    from tests.network.factories import PartnerFactory

    expected = {1: "Najden je 1 partner.", 2: "Najdena sta 2 partnerja.", 4: "Najdeni so 4 partnerji.",
                5: "Najdenih je 5 partnerjev."}
    made = 0
    for count, text in expected.items():
        with django_capture_on_commit_callbacks(execute=True):
            PartnerFactory.create_batch(count - made)
        made = count
        assert text in client.get("/sl/partners/").content.decode()


@pytest.mark.django_db
def test_session_dates_follow_the_active_language(client):
    from tests.events.factories import SessionFactory, WebinarFactory

    webinar = WebinarFactory()
    SessionFactory(event=webinar.event)
    slovenian = client.get(f"/sl/webinars/{webinar.event.slug}/", follow=True).content.decode()
    english = client.get(f"/webinars/{webinar.event.slug}/", follow=True).content.decode()
    sl_days = ("ponedeljek", "torek", "sreda", "četrtek", "petek", "sobota", "nedelja")
    en_days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert any(day in slovenian for day in sl_days)
    assert not any(day in slovenian for day in en_days)
    assert any(day in english for day in en_days)


@pytest.mark.django_db
def test_news_dates_follow_the_active_language(client):
    call_command("load_seeds", verbosity=0)
    slovenian = client.get("/sl/news/").content.decode()
    english = client.get("/news/").content.decode()
    assert "4. marca 2024" in slovenian  # the genitive month after the day
    assert "March" not in slovenian and "marec" not in slovenian
    assert "4 March 2024" in english


# --- Emails in the person's language --------------------------------------------------------
@pytest.mark.django_db
def test_mailing_list_confirmation_goes_out_in_slovenian():
    from mailing import services
    from mailing.models import CONSENT_TEXT, MailingList
    from outbox.models import OutgoingEmail

    news = MailingList.objects.get(slug="network-news")
    services.request_subscription(
        email="oseba@example.org", lists=[news], consent_text=str(CONSENT_TEXT), consent_version="test",
        source="test", language="sl",
    )
    email = OutgoingEmail.objects.get(to="oseba@example.org")
    assert email.subject == "Prosimo, potrdite naročnino · Mreža za občansko znanost"
    assert "Pozdravljeni," in email.body_text
    assert "Mreža za občansko znanost" in email.body_html
    assert "Citizen Science Network" not in email.subject + email.body_text
    assert translation.get_language() == settings.LANGUAGE_CODE  # the override did not leak


@pytest.mark.django_db
def test_registration_confirmation_goes_out_in_slovenian_with_slovenian_dates(django_capture_on_commit_callbacks):
    from events import services
    from events.forms import CONSENT_TEXT
    from outbox.models import OutgoingEmail
    from tests.events.factories import SessionFactory

    # at 10.00 in Ljubljana: a session late in the evening would end on the next day, written with its date
    ten = (timezone.localtime(timezone.now(), ZoneInfo("Europe/Ljubljana")) + timedelta(days=7)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    session = SessionFactory(event__title="Delavnica", start=ten)
    with django_capture_on_commit_callbacks(execute=True):  # the worker renders it when it sends it
        services.register(session=session, name="Ana", email="ana@example.org", consent_text=str(CONSENT_TEXT),
                          language="sl")
    email = OutgoingEmail.objects.get(to="ana@example.org")
    assert email.subject.startswith("Prijava potrjena: Delavnica")
    assert "Pozdravljeni, Ana!" in email.body_text
    assert re.search(r"\d{1,2}\.\d{2}–\d{1,2}\.\d{2} CES?T \(UTC\+[12]\)", email.body_text)  # "10.00–11.30 CET (UTC+1)"
    assert any(day in email.body_text for day in ("ponedeljek", "torek", "sreda", "četrtek", "petek", "sobota", "nedelja"))


# --- The language switcher ------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "next_url", "expected"),
    [
        ("sl", "/partners/{slug}/", "/sl/partners/{slug}/"),
        ("en", "/sl/partners/{slug}/", "/partners/{slug}/"),
        ("sl", "/partners/?q=jozef&role=organiser", "/sl/partners/?q=jozef&role=organiser"),
        ("en", "/sl/partners/?q=jozef", "/partners/?q=jozef"),
        ("en", "/sl/", "/"),
    ],
)
def test_language_switcher_keeps_the_visitor_on_the_same_page(client, language, next_url, expected):
    import html as html_lib
    import re

    from tests.network.factories import PartnerFactory

    partner = PartnerFactory(slug="knjiznica")
    html = client.get(next_url.format(slug=partner.slug)).content.decode()
    match = re.search(rf'<a (?:class="current" )?href="([^"]+)" lang="{language}" hreflang="{language}"', html)
    assert match, "the page links to itself in the other language"
    target = html_lib.unescape(match.group(1))
    assert target == expected.format(slug=partner.slug)
    page = client.get(target)
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.content.decode()
