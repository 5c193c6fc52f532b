"""Certificates of attendance: issuing one, drawing its PDF, and checking a verification code.

An attendee whose attendance is recorded (``Registration.attended`` True) downloads their
certificate from their own page (the signed link); the first download issues it: a
``Certificate`` row with a short verification code. Correcting the attendance to "absent"
withdraws it: neither the download nor the check accepts it any more.

**Both languages on one certificate.** The registrant's language (the one they registered in)
comes first, in full; the other language follows below it, smaller, with the same facts: one
document serves a reader at home and abroad, and nobody has to ask for the other version. Each
language has its own date format (``portal/formats``: "14 December 2026", "14. decembra 2026"),
the event's title in that language (the other's where it has none, ``core.content.localised``)
and the network's name in it (``core.sites.site_name``).

**Checking.** The code and the address of ``/certificates/<code>/`` are printed on the
certificate. That page shows the attendee's initials, the event and the date — nothing else — so
a code passed on reveals no more than the paper it is printed on.

**The font.** The PDF standard fonts (Helvetica and the rest) are used by reportlab with the
WinAnsi encoding, which has no č, ć or đ; a system font (DejaVu under ``/usr/share/fonts``) may be
missing on a fresh machine. Bitstream Vera Sans ships inside the reportlab package
(``reportlab/fonts/Vera.ttf``), so it is there wherever reportlab is, and it covers Latin
Extended-A (č, š, ž, ć, đ and their capitals); it is embedded (subset) in every certificate.

Drawn with reportlab's canvas: a one-page certificate needs no page templates or flowables.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import reportlab
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from core.content import localised
from core.sites import absolute_url, site_name

from .models import (
    CERTIFICATE_CODE_ALPHABET,
    CERTIFICATE_CODE_LENGTH,
    Certificate,
    Registration,
    new_certificate_code,
)

FONT = "CertificateSans"
FONT_BOLD = "CertificateSans-Bold"
FONT_FOLDER = Path(reportlab.__file__).resolve().parent / "fonts"

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 56
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 40
INK = Color(0.11, 0.15, 0.22)
MUTED = Color(0.33, 0.37, 0.43)
ACCENT = Color(0.05, 0.37, 0.45)

# What a typist may put for a character the alphabet leaves out (Crockford's base 32).
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class NotAttended(Exception):
    """The registration's attendance is not recorded as attended: no certificate."""


# --- Issuing and finding --------------------------------------------------------------------


def issue_certificate(*, registration: Registration) -> Certificate:
    """The certificate of ``registration``, issued now if it has none yet. Raises
    ``NotAttended`` unless its attendance is recorded as attended. Two downloads at the same time
    get the one certificate (the one-to-one key), and a code drawn twice is drawn again (the
    unique code)."""
    if registration.attended is not True:
        raise NotAttended
    for _attempt in range(5):
        existing = Certificate.objects.filter(registration=registration).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return Certificate.objects.create(registration=registration, code=new_certificate_code())
        except IntegrityError:  # issued by a parallel request meanwhile, or the code was taken
            continue
    raise IntegrityError("could not issue a certificate with a unique code")


def normalise_code(text: str) -> str:
    """A code as typed ("k3m9q-x7tra", with spaces or a hyphen) in its stored form
    ("K3M9QX7TRA"); O is read as 0 and I, L as 1. Not checked: see ``is_well_formed``."""
    return "".join(str(text).split()).replace("-", "").upper().translate(_LOOK_ALIKES)


def is_well_formed(code: str) -> bool:
    return len(code) == CERTIFICATE_CODE_LENGTH and all(char in CERTIFICATE_CODE_ALPHABET for char in code)


def format_code(code: str) -> str:
    """As printed, in two groups of five: "K3M9Q-X7TRA"."""
    half = CERTIFICATE_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def certificate_for_code(code: str) -> Certificate | None:
    """The valid certificate with ``code`` (stored form), with its registration, session and
    event (one query); None for an unknown code, an attendance since recorded as absent, or a
    registration whose name was erased."""
    if not is_well_formed(code):
        return None
    return (
        Certificate.objects.select_related("registration__session__event")
        .filter(code=code, registration__attended=True)
        .exclude(registration__name="")
        .first()
    )


def initials(name: str) -> str:
    """"Jana Novak" → "J. N."; "Ana-Marija Kos" → "A.-M. K."; "Čedomir Šuštar" → "Č. Š."."""
    words = []
    for word in name.split():
        letters = [next((char for char in part if char.isalpha()), "") for part in word.split("-")]
        letters = [f"{letter.upper()}." for letter in letters if letter]
        if letters:
            words.append("-".join(letters))
    return " ".join(words)


def verification_url(certificate: Certificate, *, language: str) -> str:
    with translation.override(language):
        return absolute_url(reverse("events:certificate_verify", kwargs={"code": certificate.code}))


# --- What the certificate says, per language ------------------------------------------------


def certificate_languages(registration: Registration) -> list[str]:
    """The registrant's language first, then the site's other languages."""
    codes = [code for code, _name in settings.LANGUAGES]
    first = (registration.language or settings.LANGUAGE_CODE).split("-")[0]
    first = first if first in codes else settings.LANGUAGE_CODE
    return [first, *(code for code in codes if code != first)]


def session_date_text(registration: Registration) -> str:
    """The session's date in its own time zone, in the active language's format ("14 December
    2026", "14. decembra 2026"); both dates for a session that ends on another day."""
    session = registration.session
    start, end = session.local_start(), session.local_end()
    text = formats.date_format(start, "DATE_FORMAT")
    if end.date() != start.date():
        text = f"{text} – {formats.date_format(end, 'DATE_FORMAT')}"
    return text


@dataclass(frozen=True)
class CertificateText:
    """Every line of the certificate in one language."""

    language: str
    network: str
    heading: str
    lead: str
    name: str
    at: str
    event: str
    date: str
    duration: str  # "" when the minutes were not recorded
    code: str
    check: str


def certificate_text(certificate: Certificate, language: str) -> CertificateText:
    registration = certificate.registration
    event = registration.session.event
    with translation.override(language):
        minutes = registration.attended_minutes
        duration = ""
        if minutes is not None:
            amount = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
            duration = gettext("Time attended: %(duration)s") % {"duration": amount}
        return CertificateText(
            language=language,
            network=site_name(language),
            heading=gettext("Certificate of attendance"),
            lead=gettext("This certifies the attendance of"),
            name=registration.name,
            at=gettext("at the event"),
            event=localised(event, "title", language).value,
            date=gettext("Date: %(date)s") % {"date": session_date_text(registration)},
            duration=duration,
            code=gettext("Verification code: %(code)s") % {"code": format_code(certificate.code)},
            check=gettext("Check this certificate at %(url)s")
            % {"url": verification_url(certificate, language=certificate_languages(registration)[0])},
        )


# --- The PDF ----------------------------------------------------------------------------------


@functools.cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FOLDER / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_FOLDER / "VeraBd.ttf")))


class _Writer:
    """Centred lines from the top of the page down, wrapped to the text width."""

    def __init__(self, canvas: Canvas, top: float) -> None:
        self.canvas = canvas
        self.y = top

    def line(self, text: str, *, size: float, bold: bool = False, color: Color = INK, gap: float = 0.5,
             max_lines: int = 3) -> None:
        if not text:
            return
        font = FONT_BOLD if bold else FONT
        lines = simpleSplit(text, font, size, TEXT_WIDTH)[:max_lines]
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(color)
        for part in lines:
            self.y -= size * 1.2
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, part)
        self.y -= size * gap

    def space(self, points: float) -> None:
        self.y -= points

    def rule(self) -> None:
        self.canvas.setStrokeColor(MUTED)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(PAGE_WIDTH / 2 - 120, self.y, PAGE_WIDTH / 2 + 120, self.y)
        self.y -= 14


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 landscape PDF (bytes). Reads the registration, its
    session and event (select them with the certificate)."""
    _register_fonts()
    languages = certificate_languages(certificate.registration)
    texts = [certificate_text(certificate, language) for language in languages]
    first, others = texts[0], texts[1:]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), lang=first.language)
    canvas.setTitle(f"{first.heading} · {first.event}")
    canvas.setAuthor(first.network)
    canvas.setCreator(first.network)
    canvas.setSubject(f"{first.name} · {first.event} · {first.date}")
    canvas.setKeywords(first.code)

    # A double frame.
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2)
    canvas.rect(MARGIN / 2, MARGIN / 2, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)
    canvas.setLineWidth(0.5)
    canvas.rect(MARGIN / 2 + 6, MARGIN / 2 + 6, PAGE_WIDTH - MARGIN - 12, PAGE_HEIGHT - MARGIN - 12)

    writer = _Writer(canvas, PAGE_HEIGHT - MARGIN)
    writer.line(first.network.upper(), size=12, bold=True, color=ACCENT, gap=1.4)
    writer.line(first.heading, size=30, bold=True, gap=0.9)
    writer.line(first.lead, size=13, color=MUTED)
    writer.line(first.name, size=26, bold=True, gap=0.4, max_lines=2)
    writer.line(first.at, size=13, color=MUTED)
    writer.line(first.event, size=18, bold=True, gap=0.6)
    writer.line(first.date, size=13, gap=0.2)
    writer.line(first.duration, size=13, gap=0.8)
    for other in others:
        writer.rule()
        writer.line(other.heading, size=14, bold=True, color=MUTED, gap=0.2)
        writer.line(f"{other.lead} {other.name} {other.at}", size=10, color=MUTED, gap=0.1)
        writer.line(other.event, size=11, bold=True, color=MUTED, gap=0.1, max_lines=2)
        writer.line(" · ".join(filter(None, [other.date, other.duration])), size=10, color=MUTED, gap=0.1)
        writer.line(other.network, size=10, color=MUTED, gap=0.6)

    # The code and where to check it, at the foot of the page, in every language.
    footer = _Writer(canvas, MARGIN + 12 + 10 * 1.5 * len(texts))
    footer.line(" · ".join(text.code for text in texts), size=10, bold=True, gap=0.2)
    footer.line(first.check, size=9, color=MUTED, gap=0.1, max_lines=1)
    for other in others:
        footer.line(other.check, size=9, color=MUTED, gap=0.1, max_lines=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def download_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"
