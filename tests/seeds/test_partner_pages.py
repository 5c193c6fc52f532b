"""Partner pages in the seed's layout but in wordings the seed does not use.

``fixtures/partners/`` holds two invented pages: names behind lead phrases ("Volunteers at
the X (ACR) count ...", "At X's Laboratory of Y, students ..."), individuals with an
honorific and a pronoun later in the paragraph, a possessive follow-on ("The reserve's
wardens ..."), a self-introduction by kind ("Our guild ..."), a second introduction
paragraph, and (in ``upland_watch.txt``) a single blank line everywhere. A property test
rebuilds pages from the same blocks with other gaps, orders and pronouns.
"""

from __future__ import annotations

import functools
import pathlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seeds.parser import ParsedPartnersPage, parse_partners_page

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "partners"
ORG = "organisation"
PERSON = "individual"

# (key, name, acronym, kind, paragraphs, needs_review, title)
Row = tuple[str, str, str, str, int, bool, str]

COASTAL_EXPECTED: list[Row] = [
    ("lakeshore-bat-research-station", "Lakeshore Bat Research Station", "LBRS", ORG, 2, False, ""),
    (
        "northbay-technical-college-laboratory-of-soil-biology",
        "Northbay Technical College, Laboratory of Soil Biology",
        "",
        ORG,
        1,
        False,
        "",
    ),
    ("rasa-vilkaite", "Rasa Vilkaitė", "", PERSON, 2, False, "Dr."),
    ("marsh-meadow-nature-reserve", "Marsh Meadow Nature Reserve", "", ORG, 2, False, ""),
    ("unnamed-7828c5d46e", "Guild dedicated to protection of wild pollinators", "", ORG, 1, True, ""),
    ("dune-coast-national-park", "Dune Coast National Park", "", ORG, 1, False, ""),
]
UPLAND_EXPECTED: list[Row] = [
    ("upland-natural-history-museum", "Upland Natural History Museum", "", ORG, 2, False, ""),
    ("petra-lindqvist", "Petra Lindqvist", "", PERSON, 2, False, "Mag."),
    ("greywater-valley-angling-society", "Greywater Valley Angling Society", "GVAS", ORG, 2, False, ""),
    ("hillside-observatory", "Hillside Observatory", "", ORG, 1, False, ""),
    ("anton-berger", "Anton Berger", "", PERSON, 1, False, "Prof."),
]


def rows(page: ParsedPartnersPage) -> list[Row]:
    return [
        (p.key, p.name, p.acronym, p.kind, p.description.count("\n\n") + 1, p.needs_review, p.title)
        for p in page.partners
    ]


def parse_fixture(name: str) -> ParsedPartnersPage:
    return parse_partners_page((FIXTURES / name).read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------
# The fixture pages
# ----------------------------------------------------------------------------------------


def test_coastal_page_names_behind_lead_phrases_and_individual() -> None:
    page = parse_fixture("coastal_observers.txt")
    assert rows(page) == COASTAL_EXPECTED
    by = {p.name: p for p in page.partners}
    assert "\n\nLBRS also lends" in by["Lakeshore Bat Research Station"].description
    assert "\n\nHer maps" in by["Rasa Vilkaitė"].description
    assert "\n\nThe reserve's wardens" in by["Marsh Meadow Nature Reserve"].description
    assert by["Rasa Vilkaitė"].partner_type == "individual"


@pytest.mark.parametrize("uniform", [False, True], ids=["as-written", "equal-gaps"])
def test_coastal_page_second_introduction_paragraph_stays_in_the_introduction(uniform: bool) -> None:
    text = (FIXTURES / "coastal_observers.txt").read_text(encoding="utf-8")
    page = parse_partners_page(re.sub(r"\n{3,}", "\n\n", text) if uniform else text)
    assert rows(page) == COASTAL_EXPECTED
    paragraphs = page.introduction.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("Partners are listed in alphabetical order")
    assert "Partners" not in [p.name for p in page.partners]


def test_upland_page_with_equal_gaps_neither_splits_nor_merges() -> None:
    page = parse_fixture("upland_watch.txt")
    assert rows(page) == UPLAND_EXPECTED
    assert page.introduction.split("\n\n")[1].startswith("We list partners")
    by = {p.name: p for p in page.partners}
    assert "\n\nThe museum's curators" in by["Upland Natural History Museum"].description
    assert "\n\nHer measurements" in by["Petra Lindqvist"].description
    assert "\n\nThe society also" in by["Greywater Valley Angling Society"].description


def test_lead_phrases_and_possessives_stay_out_of_names_and_keys() -> None:
    partners = parse_fixture("coastal_observers.txt").partners + parse_fixture("upland_watch.txt").partners
    for partner in partners:
        assert not re.match(r"(?i)(?:at|volunteers|rangers|staff|dr|prof|mag)\b", partner.name), partner.name
        assert not re.match(r"(?:at|volunteers|rangers|staff|dr|prof|mag)-", partner.key), partner.key
        assert "'s" not in partner.name and "colleges" not in partner.key


def test_honorific_before_a_name_alone_makes_an_individual() -> None:
    text = (
        "Partners of the network.\n\n\n"
        "Dr. Jonas Berzins studies lichens on old churchyard walls and keeps a public atlas of them.\n\n\n"
        "Assoc. Prof. Dr. Maria Olsen leads a student group that records urban foxes.\n"
    )
    partners = parse_partners_page(text).partners
    assert [(p.name, p.kind, p.title, p.needs_review) for p in partners] == [
        ("Jonas Berzins", PERSON, "Dr.", False),
        ("Maria Olsen", PERSON, "Assoc. Prof. Dr.", False),
    ]


def test_personal_name_with_a_pronoun_later_in_the_paragraph() -> None:
    text = (
        "Partners of the network.\n\n\n"
        "Ilona Kask is an amateur astronomer who counts meteors from her farm. Since 2015 she has "
        "reported every major shower.\n\n\n"
        "Green Hollow Trust restores hedgerows, as he who walks there will see.\n"
    )
    partners = parse_partners_page(text).partners
    assert [(p.name, p.kind) for p in partners] == [("Ilona Kask", PERSON), ("Green Hollow Trust", ORG)]


def test_a_place_without_an_organisation_is_not_a_name() -> None:
    text = "Partners of the network.\n\n\nIn the Old Harbour, the Harbour Birding Club counts gulls every winter.\n"
    (partner,) = parse_partners_page(text).partners
    assert partner.name == "Harbour Birding Club"


# ----------------------------------------------------------------------------------------
# Property: gaps, order and pronouns do not change the partners or their paragraphs
# ----------------------------------------------------------------------------------------


def source_blocks(name: str) -> tuple[list[str], list[list[str]]]:
    """The fixture's introduction and partner blocks as paragraphs (debris removed)."""
    page = parse_fixture(name)
    return page.introduction.split("\n\n"), [p.description.split("\n\n") for p in page.partners]


EXPECTED = {row[1]: row for row in COASTAL_EXPECTED + UPLAND_EXPECTED}


@functools.cache
def building_blocks() -> tuple[list[str], list[list[str]]]:
    """The introduction and the partner blocks of both fixtures, read once and checked
    against the expected paragraph counts (so a parser that groups them wrongly fails here)."""
    intro, coastal = source_blocks("coastal_observers.txt")
    _, upland = source_blocks("upland_watch.txt")
    blocks = coastal + upland
    assert [len(block) for block in blocks] == [row[4] for row in EXPECTED.values()]
    return intro, blocks


def swap_pronouns(text: str) -> str:
    """she/her -> he/his and back, so both forms are tried."""
    swaps = {"she": "he", "She": "He", "her": "his", "Her": "His", "he": "she", "He": "She", "his": "her", "His": "Her"}
    return re.sub(r"\b(?:[Ss]he|[Hh]er|[Hh]e|[Hh]is)\b", lambda m: swaps[m.group(0)], text)


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, list[int]]:
    intro, blocks = building_blocks()
    order = draw(st.permutations(range(len(blocks))))
    uniform = draw(st.booleans())
    inner = draw(st.integers(1, 3))
    swap = draw(st.booleans())

    def outer() -> int:
        return inner if uniform else draw(st.integers(inner + 1, inner + 3))

    def intro_gap() -> int:
        return inner if uniform else draw(st.integers(inner, inner + 3))

    text = intro[0]
    for paragraph in intro[1:]:
        text += "\n" * (intro_gap() + 1) + paragraph
    for index in order:
        first, *rest = blocks[index]
        text += "\n" * (outer() + 1) + first
        for paragraph in rest:
            text += "\n" * (inner + 1) + paragraph
    return (swap_pronouns(text) if swap else text), list(order)


@settings(max_examples=60, deadline=None)
@given(layouts())
def test_gaps_order_and_pronouns_keep_the_same_partners(layout: tuple[str, list[int]]) -> None:
    text, order = layout
    page = parse_partners_page(text)
    assert page.introduction.split("\n\n") == building_blocks()[0]
    names = list(EXPECTED)
    assert rows(page) == [EXPECTED[names[index]] for index in order]
