"""Partner cards and pages (issue 14, item 3): logo copies in two sizes made after the response,
a one-line summary in the visitor's language (a fallback marked), town and region, a partner
under review shown with "name to be confirmed", and filters without choices left out."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from core import thumbnails
from network.models import Partner
from network.services import CARD_LOGO_WIDTHS, PAGE_LOGO_WIDTHS
from network.views import first_sentence
from tests.events.factories import EventFactory, SessionFactory
from tests.network.factories import PartnerFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(width: int = 600, height: int = 300, colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _with_logo(partner: Partner, content: bytes | None = None) -> Partner:
    partner.logo.save(f"{partner.slug}.png", ContentFile(content or _png()), save=True)
    return partner


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card partner-card.*?</li>', html, flags=re.S)


# --- Logo copies ---------------------------------------------------------------------------------
def test_card_logo_is_made_after_the_first_response_and_shown_in_two_sizes(client):
    partner = _with_logo(PartnerFactory(name="Kranj Library", slug="kranj"))
    first = client.get("/partners/").content.decode()  # the test client closes the response
    assert "<img" not in first  # the page did not wait for the resize
    small = thumbnails.variant_name(partner.logo.name, 96)
    large = thumbnails.variant_name(partner.logo.name, 192)
    with default_storage.open(small) as file, Image.open(file) as image:
        assert image.size == (96, 48)
    with default_storage.open(large) as file, Image.open(file) as image:
        assert image.size == (192, 96)

    html = client.get("/partners/").content.decode()
    img = re.search(r"<img [^>]*>", html).group(0)
    assert f'src="/media/{small}"' in img
    assert f'srcset="/media/{small} 1x, /media/{large} 2x"' in img
    assert 'width="96"' in img and 'height="48"' in img
    assert 'loading="lazy"' in img and 'alt="Kranj Library"' in img
    assert client.get(f"/media/{small}")["Content-Type"] == "image/png"


def test_partner_page_shows_the_larger_copies(client):
    partner = _with_logo(PartnerFactory(name="Kranj Library", slug="kranj"))
    client.get("/partners/kranj/")
    img = re.search(r"<img [^>]*>", client.get("/partners/kranj/").content.decode()).group(0)
    assert thumbnails.variant_name(partner.logo.name, PAGE_LOGO_WIDTHS[0]) in img
    assert 'width="192"' in img and 'height="96"' in img


def test_partner_page_after_the_list_waits_for_all_its_copies(client):
    """The card's 2x copy (192 px) is the page's 1x copy: the page needs its 384 px copy too."""
    partner = _with_logo(PartnerFactory(name="Kranj Library", slug="kranj"))
    client.get("/partners/")
    assert "<img" not in client.get("/partners/kranj/").content.decode()
    assert default_storage.exists(thumbnails.variant_name(partner.logo.name, 384))
    assert "<img" in client.get("/partners/kranj/").content.decode()


def test_a_jpeg_logo_gets_jpeg_copies(client):
    buffer = io.BytesIO()
    Image.new("L", (800, 400), 128).save(buffer, "JPEG")
    partner = PartnerFactory(slug="grey")
    partner.logo.save("grey.jpg", ContentFile(buffer.getvalue()), save=True)
    assert thumbnails.make_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    with default_storage.open(thumbnails.variant_name(partner.logo.name, 192)) as file, Image.open(file) as image:
        assert (image.format, image.size) == ("JPEG", (192, 96))


def test_a_small_or_tall_logo_is_never_enlarged_and_fits_the_box(client):
    partner = _with_logo(PartnerFactory(slug="tall"), _png(50, 400))
    assert thumbnails.make_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    found = thumbnails.find_thumbnail(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    assert (found.width, found.height) == (12, 96)
    small = _with_logo(PartnerFactory(slug="small"), _png(40, 20))
    thumbnails.make_variants(default_storage, small.logo.name, CARD_LOGO_WIDTHS)
    found = thumbnails.find_thumbnail(default_storage, small.logo.name, CARD_LOGO_WIDTHS)
    assert (found.width, found.height) == (40, 20)


def test_copies_older_than_the_logo_are_not_shown(client):
    partner = _with_logo(PartnerFactory(slug="kranj"))
    thumbnails.make_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    copy = default_storage.path(thumbnails.variant_name(partner.logo.name, 96))
    stat = os.stat(default_storage.path(partner.logo.name))
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # the logo is newer than its copy
    assert thumbnails.find_thumbnail(default_storage, partner.logo.name, CARD_LOGO_WIDTHS) is None


def test_a_broken_logo_is_logged_and_not_tried_on_every_request(client, monkeypatch):
    partner = PartnerFactory(slug="broken")
    partner.logo.save("broken.png", ContentFile(b"not an image"), save=True)
    calls = []
    real = thumbnails.make_variants
    monkeypatch.setattr(thumbnails, "make_variants", lambda *a: calls.append(a) or real(*a))
    for _ in range(3):
        assert client.get("/partners/").status_code == 200
    assert len(calls) == 1
    thumbnails.delete_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)  # nothing to delete: no error


def test_delete_variants_removes_the_copies(client):
    partner = _with_logo(PartnerFactory(slug="kranj"))
    thumbnails.make_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    thumbnails.delete_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
    assert not default_storage.exists(thumbnails.variant_name(partner.logo.name, 96))
    assert not default_storage.exists(thumbnails.variant_name(partner.logo.name, 192))


# --- Summary, place ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("markdown", "sentence"),
    [
        ("The **library** lends kits. It also runs workshops.", "The library lends kits."),
        ("Led by dr. Novak and prof. Kos. Second.", "Led by dr. Novak and prof. Kos."),
        ("Founded by J. Novak in Kranj. Second.", "Founded by J. Novak in Kranj."),
        ("Knjižnica je bila ustanovljena 4. marca 2024. Druga.", "Knjižnica je bila ustanovljena 4. marca 2024."),
        ("First paragraph without a full stop\n\nSecond paragraph.", "First paragraph without a full stop"),
        ("Is it? Yes.", "Is it?"),
    ],
)
def test_first_sentence(markdown, sentence):
    assert first_sentence(markdown) == sentence


def test_a_long_first_sentence_is_cut():
    assert len(first_sentence("word " * 200)) <= 200


def test_card_shows_summary_town_and_region(client):
    PartnerFactory(name="Kranj Library", description="Lends microscopes. Runs workshops.", city="Kranj",
                   region="Gorenjska")
    (card,) = _cards(client.get("/partners/").content.decode())
    assert '<p class="partner-summary">Lends microscopes.</p>' in card
    assert "Runs workshops" not in card
    assert "Kranj, Gorenjska" in card


def test_summary_in_the_other_language_is_marked(client):
    PartnerFactory(name="Kranj Library", description_en="Lends microscopes. Second.", description_sl="")
    (card,) = _cards(client.get("/sl/partners/").content.decode())
    assert '<p class="partner-summary" lang="en">Lends microscopes.</p>' in card
    assert 'class="partner-summary" lang' not in client.get("/partners/").content.decode()


def test_summary_in_the_pages_language_is_not_wrapped(client):
    PartnerFactory(name="Celje", slug="celje", description_en="", description_sl="Posoja mikroskope. Drugo.")
    cards = _cards(client.get("/sl/partners/").content.decode())
    assert any('<p class="partner-summary">Posoja mikroskope.</p>' in card for card in cards)


# --- A partner under review ----------------------------------------------------------------------
def test_individual_under_review_has_a_name_to_be_confirmed_and_no_double_tag(client):
    PartnerFactory(
        name="Slovenian literary historian and professor", slug="unnamed-1", kind=Partner.Kind.INDIVIDUAL,
        partner_type=Partner.Type.INDIVIDUAL, needs_review=True,
    )
    (card,) = _cards(client.get("/partners/").content.decode())
    assert "Name to be confirmed" in card and 'class="name-pending"' in card
    assert card.count(">Individual<") == 1
    page = client.get("/partners/unnamed-1/").content.decode()
    assert "Name to be confirmed" in page
    assert page.count(">Individual<") == 1
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert "name" not in ld and ld["@type"] == "Person"


def test_reviewed_partner_has_its_name_and_both_different_tags(client):
    PartnerFactory(name="Kranj Library", slug="kranj")
    page = client.get("/partners/kranj/").content.decode()
    assert "Name to be confirmed" not in page and 'class="name-pending"' not in page
    assert ">Organisation<" in page and ">Public library<" in page
    assert "Name to be confirmed" not in client.get("/partners/").content.decode()


# --- Partner page: events, modules, working groups -----------------------------------------------
def test_partner_page_lists_events_modules_and_working_groups(client):
    partner = PartnerFactory(name="Kranj Library", slug="kranj")
    led, member = WorkingGroupFactory(name="Handbook group"), WorkingGroupFactory(name="Strategy group")
    led.lead_partners.add(partner)
    member.members.add(partner)
    ServiceOfferFactory(partner=partner, module__name="Lending kits")
    past, coming = EventFactory(title="Old workshop"), EventFactory(title="New workshop")
    for event in (past, coming):
        event.organisers.add(partner)
    SessionFactory(event=coming)
    page = client.get("/partners/kranj/").content.decode()
    assert "Handbook group" in page and "Strategy group" in page and "Lead partner" in page
    assert page.index("Handbook group") < page.index("Lead partner") < page.index("Strategy group")
    assert "Lending kits" in page
    assert page.index("New workshop") < page.index("Old workshop")  # dates still to come first
    assert "next date" in page


# --- Filters -------------------------------------------------------------------------------------
def test_filters_without_choices_are_hidden_until_they_have_some(client, django_capture_on_commit_callbacks):
    PartnerFactory()
    html = client.get("/partners/").content.decode()
    for name in ("region", "working_group", "module"):
        assert f'name="{name}"' not in html
    assert 'name="q"' in html and 'name="kind"' in html
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached page is stale
        partner = PartnerFactory(region="Gorenjska")
        WorkingGroupFactory().members.add(partner)
        ServiceOfferFactory(partner=partner)
    html = client.get("/partners/").content.decode()
    for name in ("region", "working_group", "module"):
        assert f'name="{name}"' in html


# --- Query counts --------------------------------------------------------------------------------
def _partners_with_logos(n: int) -> None:
    for partner in PartnerFactory.create_batch(n):
        _with_logo(partner, _png(20, 10))
        thumbnails.make_variants(default_storage, partner.logo.name, CARD_LOGO_WIDTHS)
        WorkingGroupFactory().members.add(partner)
        ServiceOfferFactory(partner=partner)


@pytest.mark.parametrize("language", ["", "/sl"])
def test_partner_list_query_count_does_not_grow_with_cards(client, django_capture_on_commit_callbacks, language):
    with django_capture_on_commit_callbacks(execute=True):
        _partners_with_logos(5)
    with CaptureQueriesContext(connection) as few:
        first = client.get(f"{language}/partners/")
    assert first.content.decode().count("<img ") == 5
    with django_capture_on_commit_callbacks(execute=True):
        _partners_with_logos(45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{language}/partners/")
    assert response.content.decode().count("<img ") == 24  # one page of cards
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_erasing_a_person_removes_their_logo_and_its_copies(django_capture_on_commit_callbacks):
    """An individual's logo is personal data: its resized copies go with it (not left at a
    predictable address)."""
    from network.services import LOGO_WIDTHS, erase_individual_partners

    person = _with_logo(PartnerFactory(kind=Partner.Kind.INDIVIDUAL, slug="ana", email="ana@example.org"))
    name = person.logo.name
    assert thumbnails.make_variants(default_storage, name, LOGO_WIDTHS)
    copies = [thumbnails.variant_name(name, width) for width in LOGO_WIDTHS]
    assert all(default_storage.exists(copy) for copy in copies)
    with django_capture_on_commit_callbacks(execute=True):
        erase_individual_partners(email="ana@example.org")
    assert not default_storage.exists(name)
    assert not any(default_storage.exists(copy) for copy in copies)
