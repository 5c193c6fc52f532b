"""Each new fixture page loads into a fresh database as parsed, and a second load changes
nothing (issue 15)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from network.models import Partner
from seeds.loader import read_document
from seeds.parser import ParsedPartnersPage, parse_document

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = [
    *sorted((FIXTURES / "partners").glob("*.txt")),
    FIXTURES / "contact" / "partners_page.txt",
    *sorted((FIXTURES / "news").glob("*.txt")),
]


def load(path: Path) -> str:
    out = StringIO()
    call_command("load_seeds", str(path), stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    """Every row of the apps the writers fill, to compare two loads."""
    rows: dict[str, list[dict]] = {}
    for label in ("network", "events", "webinars", "portal"):  # news items live in "portal"
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_new_page_loads_as_parsed_and_a_second_load_changes_nothing(path: Path) -> None:
    parsed = parse_document(read_document(path))
    first = load(path)
    assert "Total: 0 created" not in first  # the first load creates what the parser found
    if isinstance(parsed, ParsedPartnersPage):
        assert sorted(Partner.objects.values_list("name", flat=True)) == sorted(p.name for p in parsed.partners)
        flagged = {p.name for p in parsed.partners if p.needs_review}
        assert set(Partner.objects.filter(needs_review=True).values_list("name", flat=True)) == flagged
    before = snapshot()
    second = load(path)
    assert "Total: 0 created, 0 updated" in second
    assert snapshot() == before
