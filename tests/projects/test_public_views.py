"""The public project pages: the list and its filters, a project's page, the criteria page, in
both languages; nothing but published projects."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory, TopicFactory
from tests.test_html_validity import check_documents

pytestmark = pytest.mark.django_db

H1 = re.compile(r"<h1[\s>]")
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _list(client, prefix="", **params) -> str:
    response = client.get(prefix + "/projects/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_only_published_projects_are_listed(client):
    ProjectFactory(title="Shown Project")
    for state in ("draft", "submitted", "returned"):
        ProjectFactory(title=f"Hidden {state}", review_state=state)
    body = _list(client)
    assert "Shown Project" in body and "Hidden" not in body
    assert "1 project found" in body


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_an_unpublished_project_is_a_404(client, state):
    project = ProjectFactory(review_state=state)
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.get("/sl" + project.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("query", ["znanost", "ZNANOST", "Znanóst"])
def test_search_ignores_case_and_accents(client, query):
    ProjectFactory(title="Znanost na vrtu")
    ProjectFactory(title="Counting birds")
    body = _list(client, q=query)
    assert "Znanost na vrtu" in body and "Counting birds" not in body


def test_topic_filter(client):
    water = TopicFactory(name="Water", slug="water")
    river = ProjectFactory(title="River Watch")
    river.topics.add(water)
    ProjectFactory(title="Bird Count")
    body = _list(client, topic="water")
    assert "River Watch" in body and "Bird Count" not in body


def test_region_filter(client):
    ProjectFactory(title="Maribor Air", region="Podravska")
    ProjectFactory(title="Ljubljana Bees", region="Osrednjeslovenska")
    body = _list(client, region="Podravska")
    assert "Maribor Air" in body and "Ljubljana Bees" not in body


def test_status_filter(client):
    ProjectFactory(title="Old One", status="completed")
    ProjectFactory(title="New One", status="planned")
    body = _list(client, status="completed")
    assert "Old One" in body and "New One" not in body


def test_partner_filter_finds_lead_and_participating_projects(client):
    alpha, beta = PartnerFactory(slug="alpha"), PartnerFactory(slug="beta")
    ProjectFactory(title="Led By Alpha", lead_partner=alpha)
    joined = ProjectFactory(title="Alpha Takes Part", lead_partner=beta)
    joined.partners.add(alpha)
    ProjectFactory(title="Beta Alone", lead_partner=beta)
    body = _list(client, partner="alpha")
    assert "Led By Alpha" in body and "Alpha Takes Part" in body and "Beta Alone" not in body
    assert "2 projects found" in body


def test_join_now_filter(client):
    ProjectFactory(title="Recruiting One", status="recruiting")
    ProjectFactory(title="Active With Steps", status="active", how_to_take_part="Sign up at the library.")
    ProjectFactory(title="Active Without Steps", status="active", how_to_take_part="")
    ProjectFactory(title="Finished One", status="completed", how_to_take_part="Sign up.")
    body = _list(client, join="on")
    assert "Recruiting One" in body and "Active With Steps" in body
    assert "Active Without Steps" not in body and "Finished One" not in body
    assert "Active Without Steps" in _list(client)


def test_filters_without_choices_are_not_shown(client, django_capture_on_commit_callbacks):
    ProjectFactory(region="")
    body = _list(client)
    assert 'name="q"' in body and 'name="status"' in body and 'name="join"' in body
    assert 'name="topic"' not in body and 'name="region"' not in body
    # a topic or region only on an unpublished project is no choice either
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached page is stale
        hidden = ProjectFactory(review_state="draft", region="Gorenjska")
        hidden.topics.add(TopicFactory())
    body = _list(client)
    assert 'name="topic"' not in body and 'name="region"' not in body and "Gorenjska" not in body
    with django_capture_on_commit_callbacks(execute=True):
        shown = ProjectFactory(region="Gorenjska")
        shown.topics.add(TopicFactory(slug="soil"))
    body = _list(client)
    assert 'name="topic"' in body and 'name="region"' in body


def test_bad_filter_values_do_not_fail(client):
    ProjectFactory(title="Some Project")
    for params in ({"status": "nope"}, {"topic": "missing"}, {"partner": "x"}, {"q": "x" * 500}, {"page": "9999"},
                   {"q": "\x00"}):
        response = client.get("/projects/", params)
        assert response.status_code == 200, params


def test_cards_show_what_the_project_is(client):
    lead = PartnerFactory(name="Alpha Library")
    project = ProjectFactory(
        title="Bee Count", summary="Count bees for an hour.", lead_partner=lead, status="recruiting",
        region="Savinjska", online=True,
    )
    project.topics.add(TopicFactory(name="Pollinators"))
    body = _list(client)
    for text in ("Bee Count", "Count bees for an hour.", "Alpha Library", "Pollinators", "Looking for participants",
                 "Savinjska", "Online"):
        assert text in body, text


def test_list_is_paginated(client):
    lead = PartnerFactory()
    for n in range(26):
        ProjectFactory(title=f"Numbered {n:02d}", lead_partner=lead)
    first = _list(client)
    assert first.count('class="card project-card"') == 24
    assert 'rel="next"' in first
    assert _list(client, page="2").count('class="card project-card"') == 2


def test_slovenian_pages_show_slovenian_content(client):
    lead = PartnerFactory(name_en="Alpha Library", name_sl="Knjižnica Alfa")
    topic = TopicFactory(name_en="Water", name_sl="Voda")
    project = ProjectFactory(
        title_en="River Watch", title_sl="Opazujemo reke", summary_en="Watch a river.", summary_sl="Opazujte reko.",
        how_to_take_part_en="Sign up.", how_to_take_part_sl="Prijavite se.", lead_partner=lead,
    )
    project.topics.add(topic)
    url = project.get_absolute_url()  # before a /sl/ request leaves Slovenian active
    body = _list(client, "/sl")
    assert "Opazujemo reke" in body and "River Watch" not in body
    assert "Knjižnica Alfa" in body and "Voda" in body and '<html lang="sl">' in body
    detail = client.get("/sl" + url).content.decode()
    assert "Opazujemo reke" in detail and "Prijavite se." in detail and "Sign up." not in detail
    assert '<html lang="sl">' in detail


def test_an_untranslated_text_is_marked_with_its_language(client):
    project = ProjectFactory(title_en="Only In English", title_sl="", summary_en="English summary.", summary_sl="")
    detail = client.get("/sl" + project.get_absolute_url()).content.decode()
    assert '<span lang="en">Only In English</span>' in detail
    body = _list(client, "/sl")
    assert 'lang="en">Only In English</a>' in body


def test_detail_shows_every_fact_and_links_the_partners(client):
    lead = PartnerFactory(name="Alpha Library", slug="alpha")
    other = PartnerFactory(name="Beta Institute", slug="beta")
    pending = PartnerFactory(name="Pending Applicant", status="pending")
    project = ProjectFactory(
        title="River Watch", lead_partner=lead, participation="Measure the water.", requirements="Boots.",
        audience="Families", how_to_take_part="Write to us.", website="https://river.example.org",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 9, 30), region="Pomurska", online=True,
    )
    project.partners.add(other, pending)
    body = client.get(project.get_absolute_url()).content.decode()
    for text in ("Measure the water.", "Boots.", "Families", "Write to us.", "https://river.example.org",
                 "1 March 2026", "30 September 2026", "Pomurska", 'href="/partners/alpha/"', 'href="/partners/beta/"'):
        assert text in body, text
    assert "Pending Applicant" not in body
    assert len(H1.findall(body)) == 1


def test_markdown_is_sanitised(client):
    project = ProjectFactory(description="Hello <script>alert(1)</script> **bold**")
    body = client.get(project.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in body and "<strong>bold</strong>" in body


def test_json_ld_is_a_research_project(client, settings):
    settings.SITE_URL = "https://citizen-science.example"
    lead = PartnerFactory(name_en="Alpha Library", name_sl="Knjižnica Alfa", slug="alpha")
    project = ProjectFactory(
        slug="river", title_en="River Watch", title_sl="Opazujemo reke", summary="Watch a river.", lead_partner=lead,
        website="https://river.example.org",
    )
    project.topics.add(TopicFactory(name="Water"))
    body = client.get(project.get_absolute_url(), HTTP_HOST="127.0.0.1:6666").content.decode()  # a forged port
    data = json.loads(LD_JSON.search(body).group(1))
    assert data["@type"] == "ResearchProject"
    assert data["url"] == "https://citizen-science.example/projects/river/"
    assert {"@value": "River Watch", "@language": "en"} in data["name"]
    assert {"@value": "Opazujemo reke", "@language": "sl"} in data["name"]
    assert data["parentOrganization"]["url"] == "https://citizen-science.example/partners/alpha/"
    assert data["keywords"] == ["Water"]
    assert data["sameAs"] == "https://river.example.org"
    assert "6666" not in body


def test_json_ld_cannot_end_its_script(client):
    project = ProjectFactory(title="</script><script>alert(1)</script>")
    body = client.get(project.get_absolute_url()).content.decode()
    json.loads(LD_JSON.search(body).group(1))
    assert "</script><script>alert(1)" not in body


def test_criteria_page_lists_the_active_criteria_in_both_languages(client):
    from projects.models import ListingCriterion

    ListingCriterion.objects.create(label="Retired rule", active=False)
    body = client.get(reverse("projects:criteria")).content.decode()
    assert len(H1.findall(body)) == 1
    assert "The project asks a real research question." in body and "Ethics and consent" in body
    assert "Retired rule" not in body
    body = client.get("/sl/projects/criteria/").content.decode()
    assert "Projekt zastavlja pravo raziskovalno vprašanje." in body and "Poskrbljeno je za etiko" in body


def test_an_edit_shows_at_once(client, django_capture_on_commit_callbacks):
    project = ProjectFactory(title="Before Edit")
    assert "Before Edit" in _list(client)
    with django_capture_on_commit_callbacks(execute=True):
        project.title = "After Edit"
        project.save()
    assert "After Edit" in _list(client)


def test_pages_have_one_h1_and_are_valid_html(client, tmp_path):
    lead = PartnerFactory(name="Alpha Library")
    project = ProjectFactory(title="River Watch", lead_partner=lead, how_to_take_part="Write **to us**.",
                             region="Pomurska", online=True, starts_on=date(2026, 1, 1))
    project.topics.add(TopicFactory(name="Water"))
    project.partners.add(PartnerFactory())
    documents = {}
    for prefix in ("", "/sl"):
        for path in ("/projects/", "/projects/?q=x&status=nope", project.get_absolute_url(), "/projects/criteria/"):
            body = client.get(prefix + path).content.decode()
            assert len(H1.findall(body)) == 1, prefix + path
            documents[prefix + path] = body
    errors = check_documents(documents, tmp_path)
    assert not errors, errors
