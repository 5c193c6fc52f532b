"""``/api/projects/`` (paginated JSON) and ``/projects.csv``: published projects only, both
languages, links from SITE_URL, cells safe in a spreadsheet, queries not growing with rows."""

import csv
import io
import json

import pytest

from projects.views import API_PAGE_SIZE
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _json(client, url, params=None, **headers):
    response = client.get(url, params or {}, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_api_gives_published_projects_in_both_languages(client, settings):
    settings.SITE_URL = "https://citizen-science.example"
    lead = PartnerFactory(name_en="Alpha Library", name_sl="Knjižnica Alfa", slug="alpha")
    project = ProjectFactory(
        slug="river", title_en="River Watch", title_sl="Opazujemo reke", summary_en="", summary_sl="Opazujte reko.",
        lead_partner=lead, status="recruiting",
    )
    project.topics.add(TopicFactory(name_en="Water", name_sl="Voda", slug="water"))
    ProjectFactory(title="Draft Project", review_state="draft")
    data = _json(client, "/api/projects/", HTTP_HOST="127.0.0.1:6666")  # a forged port
    assert data["count"] == 1 and data["page_size"] == API_PAGE_SIZE and data["next"] is None
    row = data["results"][0]
    assert row["title"] == "River Watch" and row["title_sl"] == "Opazujemo reke"
    assert row["summary"] == "Opazujte reko." and row["summary_sl"] == "Opazujte reko."  # never empty in English
    assert row["url"] == "https://citizen-science.example/projects/river/"
    assert row["lead_partner"] == {
        "name": "Alpha Library", "name_sl": "Knjižnica Alfa", "slug": "alpha",
        "url": "https://citizen-science.example/partners/alpha/",
    }
    assert row["topics"] == [{"name": "Water", "name_sl": "Voda", "slug": "water"}]
    assert row["status"] == "recruiting" and row["joinable"] is True


def test_api_is_paginated_with_next_and_previous_links(client, settings):
    settings.SITE_URL = "https://citizen-science.example"
    lead = PartnerFactory()
    for n in range(API_PAGE_SIZE + 3):
        ProjectFactory(title=f"Project {n:03d}", lead_partner=lead)
    first = _json(client, "/api/projects/")
    assert first["count"] == API_PAGE_SIZE + 3 and len(first["results"]) == API_PAGE_SIZE
    assert first["next"] == "https://citizen-science.example/api/projects/?page=2" and first["previous"] is None
    second = _json(client, "/api/projects/", {"page": "2"})
    assert len(second["results"]) == 3 and second["next"] is None
    assert second["previous"] == "https://citizen-science.example/api/projects/?page=1"
    titles = [r["title"] for r in first["results"] + second["results"]]
    assert titles == sorted(titles)
    assert client.get("/api/projects/", {"page": "3"}).status_code == 404
    assert client.get("/api/projects/", {"page": "x"}).status_code == 404


def test_slovenian_api_links_to_slovenian_pages(client, settings):
    settings.SITE_URL = "https://citizen-science.example"
    ProjectFactory(slug="river")
    data = _json(client, "/sl/api/projects/")
    assert data["results"][0]["url"] == "https://citizen-science.example/sl/projects/river/"


def test_csv_is_escaped_for_spreadsheets(client):
    ProjectFactory(title="=HYPERLINK(\"http://evil\")", summary='Quotes "here", commas, and\nnew lines', region="@x")
    ProjectFactory(title="Draft Project", review_state="draft")
    response = client.get("/projects.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["summary"] == 'Quotes "here", commas, and\nnew lines'
    assert rows[0]["region"] == "'@x"
    assert "title_sl" in rows[0]


def _projects(n: int) -> None:
    for _ in range(n):
        project = ProjectFactory()
        project.topics.add(TopicFactory())
        project.partners.add(PartnerFactory())


@pytest.mark.parametrize("url", ["/projects/", "/sl/projects/", "/api/projects/", "/projects.csv"])
def test_query_count_does_not_grow_with_rows(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks, url
):
    """As ``tests/test_list_queries.py``: 5 projects, then 50, the same number of queries."""
    _projects(5)
    with django_assert_max_num_queries(40) as few:
        first = client.get(url)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # committed: cached pages are stale
        _projects(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Project ") > first.content.decode().count("Project ")
