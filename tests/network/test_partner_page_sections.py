"""A partner's page lists the public projects it leads or takes part in and its public
infrastructure resources (sections the apps above the network answer through
``network.signals.partner_page_sections``), hides each section when it is empty, is refreshed
when they change, and reads a constant number of queries however many there are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network.models import Partner
from network.signals import PartnerPageSection, partner_page_sections, partner_page_sections_for
from projects.models import Project
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def page(client, partner: Partner, prefix: str = "") -> str:
    response = client.get(prefix + partner.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_projects_led_and_joined_and_resources_are_listed(client):
    partner = PartnerFactory(name="Kranj City Library")
    ProjectFactory(title="Counting swifts", lead_partner=partner)
    joined = ProjectFactory(title="Pond life")
    joined.partners.add(partner)
    both = ProjectFactory(title="Bees in town", lead_partner=partner)
    both.partners.add(partner)  # listed once
    ProjectFactory(title="Draft project", lead_partner=partner, review_state=Project.ReviewState.DRAFT)
    ProjectFactory(title="Someone else's")
    ResourceFactory(title_en="Stereo microscope", partner=partner)
    ResourceFactory(title_en="Hidden kit", partner=partner, published=False)
    html = page(client, partner)
    assert html.count("<h1") == 1
    assert "<h2>Projects</h2>" in html and "<h2>Infrastructure it offers</h2>" in html
    section = html.split("<h2>Projects</h2>")[1].split("</ul>")[0]
    assert [t for t in ("Bees in town", "Counting swifts", "Pond life") if t in section] == [
        "Bees in town", "Counting swifts", "Pond life"]
    assert section.index("Bees in town") < section.index("Counting swifts") < section.index("Pond life")
    assert section.count("Bees in town") == 1
    assert section.count("Lead partner") == 2  # led, not the one it only takes part in
    assert "Draft project" not in html and "Someone else" not in html
    assert "Stereo microscope" in html and "Hidden kit" not in html


def test_empty_sections_are_hidden(client):
    html = page(client, PartnerFactory())
    assert "<h2>Projects</h2>" not in html and "<h2>Infrastructure it offers</h2>" not in html


def test_a_slovenian_title_is_marked_on_the_english_page(client):
    partner = PartnerFactory()
    ProjectFactory(title_en="", title_sl="Štetje hroščev", lead_partner=partner)
    ResourceFactory(title_en="", title_sl="Mikroskop", partner=partner)
    html = page(client, partner)
    assert 'lang="sl">Štetje hroščev</a>' in html and 'lang="sl">Mikroskop</a>' in html


def _add(partner: Partner, n: int) -> None:
    for _ in range(n):
        ProjectFactory(lead_partner=partner)
        ProjectFactory().partners.add(partner)
        ResourceFactory(partner=partner)


def test_query_count_does_not_grow_with_projects_and_resources(client, settings,
                                                               django_capture_on_commit_callbacks):
    partner = PartnerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _add(partner, 2)
    with CaptureQueriesContext(connection) as few:
        page(client, partner)
    queries = len(few.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):  # raises the areas: the page is rendered again
        _add(partner, 15)
    with CaptureQueriesContext(connection) as many:
        html = page(client, partner)
    assert len(many.captured_queries) <= queries
    assert html.count("Lead partner") >= 17


def test_the_sections_are_the_apps_answers_in_their_order():
    partner = PartnerFactory()
    ProjectFactory(lead_partner=partner)
    ResourceFactory(partner=partner)
    extra = PartnerPageSection(order=15, template="network/_nothing.html", context={})

    def between(sender, *, partner, language, **kwargs):
        assert language == "sl"
        return extra

    partner_page_sections.connect(between, dispatch_uid="test-between")
    partner_page_sections.connect(lambda sender, **kwargs: None, dispatch_uid="test-nothing", weak=False)
    try:
        sections = partner_page_sections_for(partner, "sl")
    finally:
        partner_page_sections.disconnect(dispatch_uid="test-between")
        partner_page_sections.disconnect(dispatch_uid="test-nothing")
    assert [s.template for s in sections] == [
        "projects/_partner_section.html", "network/_nothing.html", "infrastructure/_partner_section.html"]
    assert [s.order for s in sections] == [10, 15, 20]
    assert partner_page_sections_for(PartnerFactory(), "en") == []  # nothing public: no section


def test_a_change_in_the_catalogues_refreshes_the_cached_page(client, django_capture_on_commit_callbacks):
    partner = PartnerFactory()
    html = page(client, partner)
    assert "Counting swifts" not in html and "Stereo microscope" not in html
    with django_capture_on_commit_callbacks(execute=True):
        ProjectFactory(title="Counting swifts", lead_partner=partner)
    assert "Counting swifts" in page(client, partner)
    with django_capture_on_commit_callbacks(execute=True):
        ResourceFactory(title_en="Stereo microscope", partner=partner)
    assert "Stereo microscope" in page(client, partner)


def test_the_network_does_not_read_the_apps_above_it():
    """Their reverse relations on a partner are theirs to read: the network asks (the signal)."""
    root = Path(__file__).resolve().parents[2]
    upward = re.compile(r"\b(led_projects|partner\.projects|partner\.resources)\b")
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in [*(root / "network").glob("*.py"), *(root / "templates" / "network").rglob("*.html")]
        for match in upward.finditer(path.read_text())
    ]
    assert found == []
