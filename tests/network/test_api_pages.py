"""/api/partners/ in pages of API_PAGE_SIZE, in name order, with absolute next/previous links."""

from __future__ import annotations

import json

import pytest

from network import views

from .factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_partners_come_in_pages_with_links(client, settings, monkeypatch):
    settings.SITE_URL = "https://network.example.org"
    monkeypatch.setattr(views, "API_PAGE_SIZE", 2)
    for name in ("Delta", "Alpha", "Echo", "Bravo", "Charlie"):
        PartnerFactory(name=name)
    first = json.loads(client.get("/api/partners/").content)
    assert (first["count"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [row["name"] for row in first["results"]] == ["Alpha", "Bravo"]
    assert first["previous"] is None and first["next"] == "https://network.example.org/api/partners/?page=2"
    last = json.loads(client.get("/api/partners/?page=3").content)
    assert [row["name"] for row in last["results"]] == ["Echo"] and last["next"] is None
    assert last["previous"] == "https://network.example.org/api/partners/?page=2"
    sl = json.loads(client.get("/sl/api/partners/").content)
    assert sl["next"] == "https://network.example.org/sl/api/partners/?page=2"


@pytest.mark.parametrize("page", ["4", "0", "x", "-1"])
def test_a_page_that_does_not_exist_is_a_json_404(client, monkeypatch, page):
    monkeypatch.setattr(views, "API_PAGE_SIZE", 2)
    PartnerFactory.create_batch(5)
    response = client.get(f"/api/partners/?page={page}")
    assert response.status_code == 404 and json.loads(response.content) == {"detail": "No such page."}


def test_queries_do_not_grow_with_the_number_of_partners(client, django_assert_max_num_queries):
    PartnerFactory.create_batch(5)
    with django_assert_max_num_queries(6) as few:
        client.get("/api/partners/?page=1")
    PartnerFactory.create_batch(150)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/partners/?page=2")
