"""``load_seeds --dry-run`` and the contact block's email in a fresh database (issue 15)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from network.models import NetworkContact, Partner

pytestmark = pytest.mark.django_db

PAGE = Path(__file__).parent / "fixtures" / "contact" / "partners_page.txt"
NAMES = ("Harbour Town Public Library", "Amber Coast Naturalists' Club", "Lagoon Research Station")


def run(*args: str) -> str:
    out = StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


def test_dry_run_writes_nothing_and_names_the_partners() -> None:
    out = run("--dry-run", str(PAGE))
    assert Partner.objects.count() == 0
    assert NetworkContact.objects.count() == 0
    for name in NAMES:
        assert f"create partner: {name}" in out
    assert "evidence: name read from: “Founded in 2004, the Amber Coast Naturalists' Club is" in out
    assert "email: hub@coast-science.example" in out
    assert "coordinator: Mag. Ieva Kalniņa, Amber Coast University Library" in out
    assert "network.Partner: 3 created" in out  # what a real run would do
    assert "nothing was written" in out


def test_dry_run_of_the_seeds_flags_what_needs_review() -> None:
    out = run("--dry-run")
    assert Partner.objects.count() == 0
    assert out.count("create partner: ") == 32
    assert out.count("needs review: ") == 2  # the unnamed individual and the unnamed organisation


def test_dry_run_after_a_load_reports_updates_and_keeps_edits() -> None:
    run(str(PAGE))
    partner = Partner.objects.get(acronym="LRS")
    partner.name = "Lagoon Research Station of the Coast"
    partner.save()
    before = list(Partner.objects.order_by("pk").values())
    out = run("--dry-run", str(PAGE))
    assert "update partner: Lagoon Research Station [LRS]" in out
    assert "Total: 0 created, 0 updated" in out
    assert list(Partner.objects.order_by("pk").values()) == before


def test_contact_email_is_stored_shown_as_mailto_and_loads_twice(client) -> None:
    first = run(str(PAGE))
    assert "Total: 4 created" in first
    contact = NetworkContact.objects.get()
    assert contact.email == "hub@coast-science.example"
    assert contact.coordinator_name == "Ieva Kalniņa"
    assert contact.coordinator_organisation == "Amber Coast University Library"
    assert "Subscribe to the newsletter" in contact.mailing_lists
    assert set(Partner.objects.values_list("name", flat=True)) == set(NAMES)
    for path in ("/", "/about/"):
        body = client.get(path).content.decode()
        assert 'href="mailto:hub@coast-science.example"' in body, path
    assert "Total: 0 created, 0 updated" in run(str(PAGE))


def test_a_coordinators_email_edit_survives_a_second_load() -> None:
    run(str(PAGE))
    NetworkContact.objects.update(email="network@harbour-town.example")
    out = run(str(PAGE))
    assert NetworkContact.objects.get().email == "network@harbour-town.example"
    assert "Kept a coordinator's edit: network.NetworkContact:network-contact:email" in out
