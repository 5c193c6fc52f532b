"""``manage.py load_demo`` publishes the five working groups the network lists, in English and
Slovenian, without people or invented lead partners; running it again changes nothing, and a
coordinator's edit survives it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from network.demo import WORKING_GROUPS
from network.models import WorkingGroup

pytestmark = pytest.mark.django_db

SLUGS = [
    "national-citizen-science-event", "handbook", "participation-of-libraries", "network-development-strategy",
    "promotion",
]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_five_working_groups_in_both_languages():
    output = load_demo()
    assert "Working groups (demo mandates): 5 created, 0 already there." in output
    groups = {g.slug: g for g in WorkingGroup.objects.all()}
    assert sorted(groups) == sorted(SLUGS)
    for group in groups.values():
        assert group.name_en and group.name_sl and group.mandate_en and group.mandate_sl
        assert group.status == WorkingGroup.Status.ACTIVE
        assert not group.lead_partners.exists() and not group.members.exists()
        assert not group.contact_email and not group.contact_name
    assert "open science" in groups["national-citizen-science-event"].mandate_en
    assert "odprte znanosti" in groups["national-citizen-science-event"].mandate_sl
    assert "competences" in groups["network-development-strategy"].mandate_en
    assert "leaflets" in groups["promotion"].mandate_en and "not reached online" in groups["promotion"].mandate_en
    assert groups["participation-of-libraries"].name_sl == "Vključevanje knjižnic"


def test_loading_again_changes_nothing_and_keeps_edits():
    load_demo()
    handbook = WorkingGroup.objects.get(slug="handbook")
    handbook.mandate_en = "Edited by a coordinator."
    handbook.save()
    assert "0 created, 5 already there." in load_demo()
    assert WorkingGroup.objects.count() == len(WORKING_GROUPS)
    assert WorkingGroup.objects.get(slug="handbook").mandate_en == "Edited by a coordinator."


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_working_groups_page_lists_them(client, prefix):
    load_demo()
    html = client.get(f"{prefix}/working-groups/").content.decode()
    assert "There are no working groups yet." not in html
    if prefix:
        assert "Nacionalni dogodek občanske znanosti" in html and "Promocija" in html
    else:
        assert "National citizen science event" in html and "Participation of libraries" in html
    detail = client.get(f"{prefix}/working-groups/handbook/")
    assert detail.status_code == 200
    assert ("Priročnik" if prefix else "Handbook") in detail.content.decode()
