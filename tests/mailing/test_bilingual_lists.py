"""Mailing-list names in the visitor's language: the seeded lists have Slovenian names; a list
named only in English is shown on /sl/ inside lang="en" (and the reverse on English pages)."""

import re

import pytest

from mailing.models import MailingList

pytestmark = pytest.mark.django_db


def labels(html: str) -> list[str]:
    return re.findall(r"<label for=\"id_lists_\d+\">.*?</label>", html, flags=re.S)


def test_the_seeded_lists_have_slovenian_names_on_the_slovenian_form(client):
    html = client.get("/sl/mailing-list/").content.decode()
    assert "Novice mreže" in html and "Izmenjava informacij med partnerji" in html
    assert "Network news" not in html
    assert "(vsako zahtevo odobri koordinator)" in html
    english = client.get("/mailing-list/").content.decode()
    assert "Network news" in english and "Novice mreže" not in english


def test_a_list_named_in_one_language_is_marked_with_it_in_the_other(client):
    MailingList.objects.create(slug="bird-counts", name_en="Bird counts", position=9)
    MailingList.objects.create(slug="stetje-metuljev", name_sl="Štetje metuljev", requires_approval=True, position=10)

    slovenian = " ".join(labels(client.get("/sl/mailing-list/").content.decode()))
    assert '<span lang="en">Bird counts</span>' in slovenian
    assert "Štetje metuljev (vsako zahtevo odobri koordinator)" in slovenian
    assert '<span lang="sl">' not in slovenian

    english = " ".join(labels(client.get("/mailing-list/").content.decode()))
    assert '<span lang="sl">Štetje metuljev</span> (a coordinator approves each request)' in english
    assert '<span lang="en">' not in english
