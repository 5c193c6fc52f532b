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


def test_the_list_id_keeps_its_id_readable_under_a_slovenian_name(news_list, django_capture_on_commit_callbacks, mailoutbox):
    """RFC 2919: mail programs find the list by the id in angle brackets; only the name may be
    encoded. A Slovenian subscriber's List-Id names "Novice mreže" and keeps the id plain."""
    from email import message_from_bytes
    from email.header import decode_header, make_header

    from mailing import services
    from mailing.models import Subscription

    news_list.name_sl = "Novice mreže"
    news_list.save()
    subscription = Subscription.objects.create(mailing_list=news_list, email="ana@example.org", language="sl",
                                               status=Subscription.Status.ACTIVE)
    header = services.list_headers(subscription)["List-Id"]
    assert f" <{news_list.slug}." in header and header.endswith(">") and header.isascii()
    assert str(make_header(decode_header(header))).startswith("Novice mreže <")

    from outbox.services import queue_email

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="ana@example.org", subject="x", body_text="x", headers=services.list_headers(subscription))
    raw = message_from_bytes(mailoutbox[0].message().as_bytes())
    assert f"<{news_list.slug}." in raw["List-Id"] and "Novice mre" not in raw["List-Id"].split("<")[1]
