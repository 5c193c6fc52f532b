"""Certificates of attendance: the attendee downloads a bilingual PDF from their own page (the
first download issues it, only once their attendance is recorded); anyone checks a code at
``/certificates/<code>/``, which shows the initials, the event and the date and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import reportlab
from django.test import Client
from django.urls import reverse
from django.utils import translation
from reportlab import rl_config

from core.sites import site_name
from events import certificates, services
from events.models import CERTIFICATE_CODE_ALPHABET, Certificate, Registration
from events.personal_data import Registrations
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory
from tests.test_html_validity import check_documents

pytestmark = pytest.mark.django_db

SITE_URL = "https://znanost.example.si"
LJUBLJANA = ZoneInfo("Europe/Ljubljana")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.RATELIMIT_ENABLED = True


@pytest.fixture
def uncompressed_pdf(monkeypatch):
    """Page content left uncompressed, so that the drawn text can be read in the bytes (reportlab
    writes ASCII text as it is; other letters as codes of the embedded font's subset)."""
    monkeypatch.setattr(rl_config, "pageCompression", 0)


@pytest.fixture
def attendee() -> Registration:
    event = EventFactory(title_en="Counting bees", title_sl="Štetje čebel")
    start = datetime(2026, 3, 4, 17, 30, tzinfo=LJUBLJANA)
    session = SessionFactory(event=event, start=start, end=start + timedelta(minutes=90))
    return RegistrationFactory(
        session=session, name="Jana Novak", email="jana.novak@example.org", affiliation="Mestna knjižnica Kranj",
        attended=True, attended_minutes=85,
    )


def _certificate_url(registration: Registration) -> str:
    with translation.override("en"):
        return reverse("events:registration_certificate", kwargs={"token": services.manage_token(registration)})


def _verify_url(code: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse("events:certificate_verify", kwargs={"code": code})


def _lookup_url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("events:certificate_lookup")


# --- Downloading --------------------------------------------------------------------------------


def test_an_attendee_downloads_a_pdf_with_their_name_the_code_and_where_to_check_it(
    client, attendee, uncompressed_pdf
):
    response = client.get(_certificate_url(attendee))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    certificate = Certificate.objects.get(registration=attendee)
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{certificate.code}.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    assert b"(Jana Novak)" in pdf
    assert certificates.format_code(certificate.code).encode() in pdf
    assert f"{SITE_URL}/certificates/{certificate.code}/".encode() in pdf
    assert b"/FontFile2" in pdf  # the TrueType font is embedded
    assert b"BitstreamVeraSans" in pdf


def test_the_first_download_issues_the_certificate_and_later_ones_keep_it(client, attendee):
    assert not Certificate.objects.exists()
    first = client.get(_certificate_url(attendee))
    certificate = Certificate.objects.get()
    second = client.get(_certificate_url(attendee))

    assert first.status_code == second.status_code == 200
    assert Certificate.objects.get() == certificate
    assert second.content.startswith(b"%PDF-")


@pytest.mark.parametrize("attended", [None, False])
def test_no_certificate_without_a_recorded_attendance(client, attendee, attended):
    attendee.attended = attended
    attendee.save()

    response = client.get(_certificate_url(attendee))

    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"
    assert not Certificate.objects.exists()


def test_a_broken_link_gets_the_broken_link_page(client, attendee):
    token = services.manage_token(attendee)
    url = reverse("events:registration_certificate", kwargs={"token": token[:-3] + "abc"})

    response = client.get(url)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_own_page_offers_the_certificate_only_to_an_attendee(client, attendee):
    other = RegistrationFactory(session=attendee.session, attended=False)
    token = services.manage_token(attendee)
    own_page = reverse("events:manage_registration", kwargs={"token": token})
    other_page = reverse("events:manage_registration", kwargs={"token": services.manage_token(other)})

    shown = client.get(own_page).content.decode()
    hidden = client.get(other_page).content.decode()

    assert "Download your certificate of attendance (PDF)" in shown
    assert reverse("events:registration_certificate", kwargs={"token": token}) in shown
    assert "certificate.pdf" not in hidden


# --- What the certificate says ------------------------------------------------------------------


def test_both_languages_are_on_it_the_registrants_first(attendee):
    attendee.language = "sl"
    certificate = certificates.issue_certificate(registration=attendee)

    first, second = (certificates.certificate_text(certificate, language)
                     for language in certificates.certificate_languages(attendee))

    assert (first.language, second.language) == ("sl", "en")
    assert first.event == "Štetje čebel"
    assert second.event == "Counting bees"
    assert first.date.endswith("4. marca 2026")  # the session's date in its zone, the Slovenian format
    assert second.date == "Date: 4 March 2026"
    assert second.duration == "Time attended: 85 minutes"
    assert first.network == site_name("sl")
    assert second.network == site_name("en")
    assert f"{SITE_URL}/sl/certificates/{certificate.code}/" in first.check


def test_the_date_is_the_sessions_own_day_in_its_time_zone(attendee):
    session = attendee.session
    session.time_zone = "America/New_York"
    session.start = datetime(2026, 3, 4, 22, 30, tzinfo=ZoneInfo("America/New_York"))  # 5 March in Ljubljana
    session.end = session.start + timedelta(minutes=45)
    session.save()

    with translation.override("en"):
        assert certificates.session_date_text(attendee) == "4 March 2026"


def test_a_session_without_recorded_minutes_leaves_the_duration_out(attendee):
    attendee.attended_minutes = None
    certificate = certificates.issue_certificate(registration=attendee)

    assert certificates.certificate_text(certificate, "en").duration == ""
    assert certificates.render_pdf(certificate).startswith(b"%PDF-")


def test_the_embedded_font_has_every_letter_of_slovenian_names_and_titles(attendee):
    from reportlab.pdfbase import pdfmetrics

    attendee.name = "Čedomir Šuštar Žužek Ćirić Đurđa"
    attendee.language = "sl"
    certificate = certificates.issue_certificate(registration=attendee)
    pdf = certificates.render_pdf(certificate)  # registers the fonts

    letters = set(attendee.name + "Štetje čebel ČŠŽĆĐ–·")
    for font_name in (certificates.FONT, certificates.FONT_BOLD):
        glyphs = pdfmetrics.getFont(font_name).face.charToGlyph
        assert not [letter for letter in letters if ord(letter) not in glyphs], font_name
    assert pdf.startswith(b"%PDF-")
    assert certificates.FONT_FOLDER.is_relative_to(Path(reportlab.__file__).resolve().parent)  # ships with reportlab


# --- Codes --------------------------------------------------------------------------------------


def test_codes_are_unique_short_and_from_an_alphabet_without_look_alikes():
    registrations = RegistrationFactory.create_batch(20, attended=True)
    codes = [certificates.issue_certificate(registration=r).code for r in registrations]

    assert len(set(codes)) == 20
    assert all(len(code) == 10 and set(code) <= set(CERTIFICATE_CODE_ALPHABET) for code in codes)
    assert not set("ILOU") & set(CERTIFICATE_CODE_ALPHABET)


def test_a_code_drawn_twice_is_drawn_again(monkeypatch, attendee):
    taken = certificates.issue_certificate(registration=RegistrationFactory(attended=True)).code
    draws = iter([taken, "7K3MQ9XTRA"])
    monkeypatch.setattr(certificates, "new_certificate_code", lambda: next(draws))  # chance, made certain

    assert certificates.issue_certificate(registration=attendee).code == "7K3MQ9XTRA"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("7k3mq-9xtra", "7K3MQ9XTRA"), (" 7K3MQ 9XTRA ", "7K3MQ9XTRA"), ("O1L2I-abcde", "01121ABCDE")],
)
def test_codes_are_read_as_people_type_them(typed, stored):
    assert certificates.normalise_code(typed) == stored
    assert certificates.is_well_formed(stored)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Jana Novak", "J. N."), ("ana-marija  kos", "A.-M. K."), ("Čedomir Šuštar", "Č. Š."), ("  ", "")],
)
def test_initials(name, expected):
    assert certificates.initials(name) == expected


# --- Checking a code ----------------------------------------------------------------------------


def test_checking_a_code_shows_the_initials_the_event_and_the_date_only(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)

    response = client.get(_verify_url(certificate.code))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Valid certificate of attendance" in html
    assert "J. N." in html
    assert "Counting bees" in html
    assert "4 March 2026" in html
    for private in ("Jana", "Novak", "jana.novak@example.org", "knjižnica", "Kranj"):
        assert private not in html, private
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"


def test_a_code_typed_in_another_form_leads_to_its_page(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)
    typed = certificates.format_code(certificate.code).lower()

    response = client.get(_verify_url(typed))

    assert response.status_code == 302
    assert response["Location"] == _verify_url(certificate.code)


def test_an_unknown_code_is_clearly_not_valid(client, attendee):
    certificates.issue_certificate(registration=attendee)

    response = client.get(_verify_url("7K3MQ9XTRA"))
    html = response.content.decode()

    assert response.status_code == 404
    assert html.count("<h1") == 1
    assert "This code is not valid" in html
    assert "J. N." not in html


@pytest.mark.parametrize("code", ["%00", "%3Cb%3Ex", "x" * 500, "7K3MQ9XTR"])
def test_garbage_in_the_address_is_not_valid_either(client, code):
    response = client.get(f"/certificates/{code}/")

    assert response.status_code == 404
    assert "This code is not valid" in response.content.decode()
    assert "<b>x" not in response.content.decode()


def test_a_certificate_whose_attendance_was_corrected_is_no_longer_valid(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)
    Registration.objects.filter(pk=attendee.pk).update(attended=False)

    assert client.get(_verify_url(certificate.code)).status_code == 404
    assert client.get(_certificate_url(attendee)).status_code == 404


def test_the_check_page_in_slovenian(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)

    html = client.get(_verify_url(certificate.code, "sl")).content.decode()

    assert '<html lang="sl">' in html
    assert "Štetje čebel" in html
    assert "4. marca 2026" in html


def test_the_form_leads_to_the_code_s_page(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)

    response = client.post(_lookup_url(), {"code": certificates.format_code(certificate.code).lower()})

    assert response.status_code == 302
    assert response["Location"] == _verify_url(certificate.code)


@pytest.mark.parametrize(
    "code", ["", "123", "7K3MQ9XTRA7", "<script>alert(1)</script>", "7K3MQ\x009XTRA", "x" * 10_000]
)
def test_the_form_refuses_what_is_not_a_code_with_a_message_by_the_field(client, code):
    response = client.post(_lookup_url(), {"code": code})
    html = response.content.decode()

    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "<script>alert" not in html
    assert not Certificate.objects.exists()


def test_the_form_has_the_honeypot(client):
    response = client.post(_lookup_url(), {"code": "7K3MQ9XTRA", "website_url": "http://spam.example"})

    assert response.status_code == 200
    assert "This form could not be sent" in response.content.decode()


def test_the_form_is_rate_limited(client):
    for _ in range(30):
        assert client.post(_lookup_url(), {"code": "7K3MQ9XTRA"}).status_code == 302

    response = client.post(_lookup_url(), {"code": "7K3MQ9XTRA"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"] == "private, no-store"


def test_the_pages_are_valid_html_in_both_languages(attendee, tmp_path):
    certificate = certificates.issue_certificate(registration=attendee)
    client = Client()
    documents = {}
    for language in ("en", "sl"):
        documents[f"form {language}"] = client.get(_lookup_url(language)).content.decode()
        documents[f"valid {language}"] = client.get(_verify_url(certificate.code, language)).content.decode()
        documents[f"not valid {language}"] = client.get(_verify_url("7K3MQ9XTRA", language)).content.decode()
        documents[f"errors {language}"] = client.post(_lookup_url(language), {"code": "nope"}).content.decode()
        with translation.override(language):
            own_page = reverse("events:manage_registration", kwargs={"token": services.manage_token(attendee)})
        documents[f"own page {language}"] = client.get(own_page).content.decode()
        assert "certificate.pdf" in documents[f"own page {language}"]
    for label, html in documents.items():
        assert html.count("<h1") == 1, label

    assert check_documents(documents, tmp_path) == {}


# --- Personal data ------------------------------------------------------------------------------


def test_export_names_the_certificate_and_erasure_deletes_it(client, attendee):
    certificate = certificates.issue_certificate(registration=attendee)

    exported = Registrations().export("jana.novak@example.org")["registrations"]
    assert exported[0]["certificate"] == [{"code": certificate.code, "issued_at": certificate.issued_at}]

    erasure = Registrations().erase("jana.novak@example.org")
    assert erasure.counts["certificates deleted"] == 1
    assert not Certificate.objects.exists()
    assert client.get(_verify_url(certificate.code)).status_code == 404


def test_retention_deletes_certificates_with_the_names(attendee, settings):
    certificates.issue_certificate(registration=attendee)
    later = attendee.session.end + timedelta(days=settings.RETENTION_REGISTRATION_DAYS + 1)

    result = Registrations().apply_retention(now=later)

    assert result["certificates_deleted"] == 1
    assert not Certificate.objects.exists()
