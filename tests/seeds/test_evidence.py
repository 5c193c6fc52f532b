"""``load_seeds --dry-run`` explains every partner boundary and name, and flags weak evidence
(issue 15)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from seeds.parser import REASON_WEAK_NAME, parse_partners_page

PAGES = sorted((Path(__file__).parent / "fixtures" / "partners").glob("*.txt"))
INTRO = "Our network brings together the partners listed below.\n\n"


def dry_run(path: Path) -> str:
    out = StringIO()
    call_command("load_seeds", "--dry-run", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_every_partner_has_boundary_and_name_evidence(page: Path) -> None:
    lines = dry_run(page).splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"\s+(?:create|update) partner: ", line)]
    assert starts
    for i in starts:
        evidence = lines[i + 1]
        assert evidence.lstrip().startswith("evidence: "), lines[i]
        assert "new partner: " in evidence, lines[i]  # why the block starts
        assert re.search(r"name (?:before|ends before)|no name found|the name is the place", evidence), lines[i]


@pytest.mark.django_db
def test_a_placeholder_is_flagged_with_its_evidence() -> None:
    out = dry_run(PAGES[0].parent / "coastal_observers.txt")
    block = out.split("create partner: Guild dedicated to protection of wild pollinators", 1)[1]
    evidence, review = block.splitlines()[1:3]
    assert "'Our guild' of another kind" in evidence
    assert "no name found" in evidence and "placeholder" in evidence
    assert review.strip().startswith("needs review: ")


def test_lead_phrase_and_honorific_are_named_in_the_evidence() -> None:
    page = parse_partners_page(
        INTRO + "Wardens at the Fenland Bird Observatory ring birds every autumn.\n\n"
        "Dr. Mira Holt is a botanist who maps orchids in the hills.\n"
    )
    observatory, person = page.partners
    assert "introduction ended" in observatory.evidence[0]
    assert "lead phrase 'Wardens at the' stripped" in observatory.evidence
    assert not observatory.needs_review  # a kind noun ("Observatory") backs the name
    assert "honorific 'Dr.' before a personal name" in person.evidence
    assert "name before 'is' in the first sentence" in person.evidence


def test_a_name_without_kind_noun_acronym_or_known_verb_needs_review() -> None:
    page = parse_partners_page(INTRO + "Volunteers at the Moss Valley Ringers tally swallows every spring.\n")
    (partner,) = page.partners
    assert partner.name == "Moss Valley Ringers"
    assert partner.key == "moss-valley-ringers"  # flagged, not renamed: the key stays the name's
    assert partner.needs_review and partner.review_reason == REASON_WEAK_NAME
    assert "name ends before 'tally', a word no list knows" in partner.evidence
