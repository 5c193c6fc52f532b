"""Tests for ``seeds.parser``: pure text in, frozen dataclasses out (no Django needed).

The seed documents are the real fixtures; ``fixtures/unseen_partners_page.txt`` is an
invented page in the same layout that checks the heuristics generalise beyond the seed.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import pathlib
import random
import re

import pytest

from seeds.parser import (
    ParsedContact,
    ParsedNewsItem,
    ParsedPartner,
    ParsedPartnersPage,
    SeedFormatError,
    parse_document,
    parse_news_item,
    parse_partners_page,
)

SEEDS = pathlib.Path(__file__).resolve().parents[2] / "seeds"
FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"
PARTNERS_FILE = SEEDS / "004_493ba3ea1c53a61e.txt"
NEWS_FILE = SEEDS / "000_87500a816e81581a.txt"

ORG = "organisation"
PERSON = "individual"

# (name, acronym, kind) for the 32 partners of the seed page, in page order.
EXPECTED_PARTNERS: list[tuple[str, str, str]] = [
    ("Central Technical Library at the University of Ljubljana", "", ORG),
    ("France Bevk public library", "", ORG),
    ("Ljubljana City Library", "", ORG),
    ("Jožef Stefan Institute, Department of Environmental Sciences", "", ORG),
    ("Slovenian Third Age University", "", ORG),
    ("Kranj City Library", "", ORG),
    ("National Institute of Biology", "NIB", ORG),
    ("Tracker Association", "", ORG),
    ("Slovenian literary historian and professor", "", PERSON),
    ("University of Primorska", "UP", ORG),
    ("Slovenian Institute fo Adult Education", "", ORG),
    ("LUTRA", "", ORG),
    ("Morigenos – Slovenian Marine Mammal Society", "", ORG),
    ("Academic and Research Network of Slovenia", "Arnes", ORG),
    ("Ecologists Without Borders", "", ORG),
    ("UNG Research Centre for Humanities", "", ORG),
    ("Institute for the Development of Inclusive Societies", "IRVD", ORG),
    ("Institute of Information Sciences", "IZUM", ORG),
    ("Birdlife Slovenia", "DOPPS", ORG),
    ("House of Experiments", "HE", ORG),
    ("Nature conservation NGO (large carnivores, Dinaric Mountains)", "", ORG),
    ("Slobees Society – Pollinator Conservation Society of Slovenia", "", ORG),
    ("Slovenian Association of Slavic Societies", "ZDSDS", ORG),
    ("Centre for Language Resources and Technologies", "CJVT", ORG),
    (
        "Union of Associations for the Values of the National Liberation Movement of Slovenia",
        "ZZB NOB Slovenije",
        ORG,
    ),
    ("Ministry of Higher Education, Science and Innovation", "", ORG),
    ("Herpetological Society – Societas herpetologica slovenica", "", ORG),
    ("Slovenian Philanthropy", "", ORG),
    ("Nutrition Institute", "", ORG),
    ("University Library of the University of Nova Gorica", "", ORG),
    ("Dobra Pot Institute", "", ORG),
    ("Ljubljana Librarians’ Association", "", ORG),
]
PARTNER_TYPES = {
    "academic_library",
    "public_library",
    "special_library",
    "university",
    "research_institute",
    "ngo",
    "public_body",
    "infrastructure",
    "company",
    "individual",
}
DEBRIS = ("Decorative photo", "More on,,", "Skip to content", "Other news")


def read(path: pathlib.Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return read(PARTNERS_FILE)


@pytest.fixture(scope="module")
def page(seed_text: str) -> ParsedPartnersPage:
    result = parse_document(seed_text)
    assert isinstance(result, ParsedPartnersPage)
    return result


@pytest.fixture(scope="module")
def by_name(page: ParsedPartnersPage) -> dict[str, ParsedPartner]:
    return {partner.name: partner for partner in page.partners}


def signature(page: ParsedPartnersPage) -> list[tuple[str, str, str, str, str]]:
    return [(p.key, p.name, p.acronym, p.kind, p.description) for p in page.partners]


def split_source_blocks(text: str) -> tuple[str, list[str], str]:
    """Split the seed page at gaps of two or more blank lines: intro, 32 partners, tail."""
    chunks = re.split(r"\n{3,}", text)
    assert chunks[33].startswith("Decorative photo")
    return chunks[0], chunks[1:33], "\n\n\n".join(chunks[33:])


# ----------------------------------------------------------------------------------------
# The seed partners page
# ----------------------------------------------------------------------------------------


def test_seed_page_has_the_32_expected_partners(page: ParsedPartnersPage) -> None:
    assert len(page.partners) == 32
    assert [(p.name, p.acronym, p.kind) for p in page.partners] == EXPECTED_PARTNERS


def test_introduction_is_the_first_paragraph(page: ParsedPartnersPage) -> None:
    assert page.introduction.startswith("Citizen Science Network partners are organisations")
    assert page.introduction.endswith("Network partners are also active in working groups.")
    assert "\n\n" not in page.introduction


def test_partner_fields_are_valid(page: ParsedPartnersPage) -> None:
    for partner in page.partners:
        assert partner.partner_type in PARTNER_TYPES, partner
        assert set(partner.roles) <= {"promoter", "organiser", "infrastructure"}
        assert partner.description and partner.description == partner.description.strip()
        assert partner.needs_review == bool(partner.review_reason)


def test_follow_on_paragraphs_are_attached_to_their_partner(
    by_name: dict[str, ParsedPartner],
) -> None:
    dopps = by_name["Birdlife Slovenia"].description
    assert dopps.count("\n\n") == 2
    assert dopps.endswith("DOPPS is a full partner of the World Conservation Union BirdLife International.")
    assert "\n\nWe work for the conservation of birds" in dopps

    up = by_name["University of Primorska"].description
    assert "\n\nUP is also deeply engaged" in up
    assert "\n\nIn autumn 2023, UP is set" in up

    ministry = by_name["Ministry of Higher Education, Science and Innovation"].description
    assert "\n\nIn the realm of citizen science, the Ministry" in ministry

    house = by_name["House of Experiments"].description
    assert house.count("\n\n") == 4  # five paragraphs
    assert "More on" not in house
    assert "\n\nHE’s diverse and engaging initiatives" in house
    assert "\n\nThe fundamental values of HE" in house

    lutra = by_name["LUTRA"].description
    assert "\n\nLUTRA’s work encompasses" in lutra
    assert "\n\nA notable aspect of LUTRA’s work" in lutra

    arnes = by_name["Academic and Research Network of Slovenia"].description
    assert "\n\nArnes is part of" in arnes and "\n\nIt also builds" in arnes

    ecologists = by_name["Ecologists Without Borders"].description
    assert ecologists.count("\n\nThey ") == 2

    philanthropy = by_name["Slovenian Philanthropy"].description
    assert philanthropy.count("\n\n") == 6
    assert "\n\nAdditionally, we co-founded" in philanthropy
    assert "\n\nOur vision is" in philanthropy

    nutrition = by_name["Nutrition Institute"].description
    assert "\n\nIn its pursuit of excellence, the Institute" in nutrition

    assert by_name["Institute for the Development of Inclusive Societies"].description.count("\n\n") == 1
    assert by_name["Institute of Information Sciences"].description.count("\n\n") == 1


def test_single_paragraph_partners_stay_single(by_name: dict[str, ParsedPartner]) -> None:
    for name in ("France Bevk public library", "Ljubljana City Library", "Kranj City Library"):
        assert "\n\n" not in by_name[name].description


def test_individual_partner_has_a_placeholder_and_is_flagged(
    by_name: dict[str, ParsedPartner],
) -> None:
    person = by_name["Slovenian literary historian and professor"]
    assert person.kind == "individual"
    assert person.partner_type == "individual"
    assert person.needs_review is True
    assert "name" in person.review_reason
    assert person.description.startswith("A renowned Slovenian literary historian and professor")
    assert person.key.startswith("unnamed-")


def test_unnamed_organisation_has_a_descriptive_placeholder(
    by_name: dict[str, ParsedPartner],
) -> None:
    unnamed = by_name["Nature conservation NGO (large carnivores, Dinaric Mountains)"]
    assert unnamed.kind == "organisation"
    assert unnamed.needs_review is True
    assert unnamed.review_reason == "The source text does not state this organisation's name."
    assert unnamed.description.startswith("Our organization is a non-governmental")
    assert unnamed.description.count("\n\n") == 2
    assert unnamed.key.startswith("unnamed-")


def test_only_placeholders_need_review(page: ParsedPartnersPage) -> None:
    flagged = [p.name for p in page.partners if p.needs_review]
    assert flagged == [
        "Slovenian literary historian and professor",
        "Nature conservation NGO (large carnivores, Dinaric Mountains)",
    ]


def test_typos_and_curly_apostrophes_are_kept(by_name: dict[str, ParsedPartner]) -> None:
    assert "Slovenian Institute fo Adult Education" in by_name
    assert (
        "Slovenia’s largest library" in by_name["Central Technical Library at the University of Ljubljana"].description
    )


def test_partner_types_and_roles_best_guesses(by_name: dict[str, ParsedPartner]) -> None:
    assert by_name["Central Technical Library at the University of Ljubljana"].partner_type == "academic_library"
    assert by_name["Ljubljana City Library"].partner_type == "public_library"
    assert by_name["France Bevk public library"].partner_type == "public_library"
    assert by_name["University of Primorska"].partner_type == "university"
    assert by_name["National Institute of Biology"].partner_type == "research_institute"
    assert by_name["Ministry of Higher Education, Science and Innovation"].partner_type == "public_body"
    assert by_name["Academic and Research Network of Slovenia"].partner_type == "infrastructure"
    assert by_name["Morigenos – Slovenian Marine Mammal Society"].partner_type == "ngo"
    assert "infrastructure" in by_name["Academic and Research Network of Slovenia"].roles
    assert "organiser" in by_name["House of Experiments"].roles
    assert "promoter" in by_name["House of Experiments"].roles


def test_page_debris_is_dropped(page: ParsedPartnersPage) -> None:
    texts = [page.introduction] + [p.description for p in page.partners]
    for text in texts:
        for crumb in DEBRIS:
            assert crumb not in text
        assert "Contact information" not in text


def test_contact_block(page: ParsedPartnersPage) -> None:
    assert page.contact == ParsedContact(
        organisation="CTK",
        address="Trg republike 3, 1000 Ljubljana",
        phone="01 2003 416",
        contact_person="Til Mlakar",
        coordinator_title="CS Network Coordinator",
        coordinator_name="Andreja Vovk Iskrić",
        coordinator_organisation="City library of Ljubljana",
        mailing_lists=(
            "Mailing list of partners",
            "Sign up to the mailing list",
            "Mail for information exchange",
        ),
    )


def test_parsed_objects_are_frozen(page: ParsedPartnersPage) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.partners[0].name = "Changed"  # type: ignore[misc]


# ----------------------------------------------------------------------------------------
# Stable keys
# ----------------------------------------------------------------------------------------


def test_keys_are_stable_and_unique(seed_text: str, page: ParsedPartnersPage) -> None:
    keys = [p.key for p in page.partners]
    assert len(set(keys)) == 32
    assert keys == [p.key for p in parse_partners_page(seed_text).partners]
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", key) for key in keys)
    assert page.partners[0].key == "central-technical-library-at-the-university-of-ljubljana"
    assert page.partners[3].key == "jozef-stefan-institute-department-of-environmental-sciences"


def test_reordering_partner_blocks_keeps_each_key(seed_text: str, page: ParsedPartnersPage) -> None:
    intro, blocks, tail = split_source_blocks(seed_text)
    assert len(blocks) == 32
    shuffled = blocks[:]
    random.Random(20240304).shuffle(shuffled)
    reordered = parse_partners_page("\n\n\n\n".join([intro, *shuffled, tail]))
    original = {p.key: (p.name, p.description) for p in page.partners}
    assert {p.key: (p.name, p.description) for p in reordered.partners} == original
    assert [p.key for p in reordered.partners] != [p.key for p in page.partners]


# ----------------------------------------------------------------------------------------
# Layout variants of the seed page
# ----------------------------------------------------------------------------------------


def test_normalised_gaps_give_the_same_partners(seed_text: str, page: ParsedPartnersPage) -> None:
    """Two blank lines between partners, one inside a partner."""
    normalised = re.sub(r"\n{4,}", "\n\n\n", seed_text)
    assert signature(parse_partners_page(normalised)) == signature(page)


def test_uniform_gaps_rely_on_paragraph_openings(seed_text: str, page: ParsedPartnersPage) -> None:
    """With one blank line everywhere only the way paragraphs begin can tell partners apart."""
    uniform = re.sub(r"\n{3,}", "\n\n", seed_text)
    assert signature(parse_partners_page(uniform)) == signature(page)


def test_crlf_bom_straight_quotes_hyphens_and_trailing_spaces(seed_text: str, page: ParsedPartnersPage) -> None:
    variant = "\ufeff" + seed_text.replace("’", "'").replace(" – ", " - ")
    variant = variant.replace("\n", "  \t\r\n")
    parsed = parse_document(variant)
    assert isinstance(parsed, ParsedPartnersPage)
    assert [p.key for p in parsed.partners] == [p.key for p in page.partners]
    names = [p.name for p in parsed.partners]
    assert "Ljubljana Librarians' Association" in names
    assert "Morigenos - Slovenian Marine Mammal Society" in names
    acronyms = [p.acronym for p in parsed.partners]
    assert acronyms == [acronym for _, acronym, _ in EXPECTED_PARTNERS]
    assert parsed.contact == page.contact


# ----------------------------------------------------------------------------------------
# An unseen page in the same layout (generalisation)
# ----------------------------------------------------------------------------------------

UNSEEN_EXPECTED: list[tuple[str, str, str, int, bool]] = [
    # (name, acronym, kind, paragraphs, needs_review)
    ("Danube Delta Field Station", "DDFS", ORG, 2, False),
    ("Riverside Dragonfly Society", "", ORG, 2, False),
    ("Greenfield Municipal Library", "", ORG, 1, False),
    ("Open Sensor Lab", "OSL", ORG, 2, False),
    ("Retired secondary-school biology teacher", "", PERSON, 2, True),
    (
        "Freshwater fish conservation association (restoration of spawning grounds, Sava River)",
        "",
        ORG,
        3,
        True,
    ),
    ("Royal Meteorological Observatory in Hollbrook", "", ORG, 2, False),
    ("Agency for Environment, Spatial Planning and Water", "AESPW", ORG, 2, False),
    ("Coastal Cleanup Network", "", ORG, 1, False),
    ("Citizen Weather Cooperative", "", ORG, 2, False),
    ("Library of the Faculty of Natural Sciences", "", ORG, 1, False),
]


@pytest.fixture(scope="module")
def unseen_text() -> str:
    return read(FIXTURES / "unseen_partners_page.txt")


def unseen_signature(page: ParsedPartnersPage) -> list[tuple[str, str, str, int, bool]]:
    return [(p.name, p.acronym, p.kind, p.description.count("\n\n") + 1, p.needs_review) for p in page.partners]


def test_unseen_page_partners(unseen_text: str) -> None:
    page = parse_document(unseen_text)
    assert isinstance(page, ParsedPartnersPage)
    assert unseen_signature(page) == UNSEEN_EXPECTED
    assert page.introduction.startswith("Members of the River Watch Alliance")
    by = {p.name: p for p in page.partners}
    assert "\n\nDDFS also maintains" in by["Danube Delta Field Station"].description
    assert "\n\nIts members" in by["Riverside Dragonfly Society"].description
    assert "\n\nWe run monthly" in by["Open Sensor Lab"].description
    assert "\n\nIn 2021, the Observatory" in by["Royal Meteorological Observatory in Hollbrook"].description
    assert (
        "\n\nIn the field of citizen science, the Agency"
        in by["Agency for Environment, Spatial Planning and Water"].description
    )
    assert by["Retired secondary-school biology teacher"].partner_type == "individual"
    assert by["Agency for Environment, Spatial Planning and Water"].partner_type == "public_body"
    assert by["Greenfield Municipal Library"].partner_type == "public_library"
    assert by["Library of the Faculty of Natural Sciences"].partner_type == "academic_library"
    assert by["Open Sensor Lab"].partner_type == "company"


def test_unseen_page_debris_and_contact(unseen_text: str) -> None:
    page = parse_partners_page(unseen_text)
    everything = "\n".join([page.introduction] + [p.description for p in page.partners])
    for crumb in ("Skip to content", "Read more", "Photo:", "Share this page", "Contact"):
        assert crumb not in everything
    assert page.contact == ParsedContact(
        organisation="Greenfield Municipal Library",
        address="Mill Street 12, 4000 Greenfield",
        phone="+386 4 123 45 67",
        contact_person="Ana Kovač",
        coordinator_title="Alliance Coordinator",
        coordinator_name="Marko Novak",
        coordinator_organisation="Greenfield Municipal Library",
        mailing_lists=("Partners' mailing list", "Subscribe to the newsletter mailing list"),
        email="rivers@example.org",
    )


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: re.sub(r"\n{2,}", lambda m: "\n" * (len(m.group()) + 1), t), id="wider-gaps"),
        pytest.param(lambda t: re.sub(r"\n{3,}", "\n\n", t), id="uniform-gaps"),
        pytest.param(lambda t: "\ufeff" + t.replace("\n", " \r\n"), id="crlf-bom"),
    ],
)
def test_unseen_page_layout_variants(unseen_text: str, transform) -> None:  # type: ignore[no-untyped-def]
    assert unseen_signature(parse_partners_page(transform(unseen_text))) == UNSEEN_EXPECTED


def test_named_individual_and_title() -> None:
    text = (
        "Our partners are listed below.\n\n\n"
        "Dr. Maja Horvat is a botanist who has mapped orchids for decades. She also trains volunteers.\n\n\n"
        "Established in 1990, the Green Valley Society is an association of birdwatchers.\n\n"
        "Its members count birds every winter.\n"
    )
    page = parse_partners_page(text)
    assert [(p.name, p.kind, p.needs_review) for p in page.partners] == [
        ("Maja Horvat", "individual", False),
        ("Green Valley Society", "organisation", False),
    ]
    assert page.partners[1].description.endswith("Its members count birds every winter.")
    assert page.contact is None


def test_new_partner_whose_first_sentence_mentions_it_is_not_merged() -> None:
    text = (
        "Introduction to the network partners.\n\n\n"
        "Alpine Lakes Trust restores mountain lakes.\n\n"
        "It also runs volunteer surveys.\n\n\n"
        "Clean Air Club is an association that measures air quality, which it publishes online.\n"
    )
    page = parse_partners_page(text)
    assert [p.name for p in page.partners] == ["Alpine Lakes Trust", "Clean Air Club"]
    assert page.partners[0].description.count("\n\n") == 1


# ----------------------------------------------------------------------------------------
# The news item
# ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def news() -> ParsedNewsItem:
    result = parse_document(read(NEWS_FILE))
    assert isinstance(result, ParsedNewsItem)
    return result


def test_news_header(news: ParsedNewsItem) -> None:
    assert news.title == ("Invitation to participate in a webinar on promoting citizen science in universities")
    assert news.category == "Important"
    assert news.date == datetime.date(2024, 3, 4)


def test_news_facts(news: ParsedNewsItem) -> None:
    assert news.facts == {
        "Location": "Zoom platform (link will be sent after filling out the registration form)",
        "Language": "English",
        "Duration": "90 minutes",
        "Presenters": (
            "representatives from the aforementioned institutions. Generous time for questions, answers and dialogue"
        ),
    }
    assert news.duration_minutes == 90
    assert news.language == "English"
    assert news.platform == "Zoom"
    assert news.project == "LibOCS"


def test_news_organisations_in_order(news: ParsedNewsItem) -> None:
    assert news.organisations == (
        "University of Tartu",
        "TalTech",
        "University of Latvia",
        "Vytautas Magnus University",
        "Kaunas University of Technology",
    )


def test_news_footnote(news: ParsedNewsItem) -> None:
    assert news.footnote.startswith("BESPOC (Broad Engagement in Science, Point of Contact) – is a prototype")
    assert news.footnote.endswith("as partner at LiBOCS project.")
    assert news.footnote_term == "BESPOC"
    assert news.footnote_expansion == "Broad Engagement in Science, Point of Contact"


def test_news_body_excludes_facts_footnote_and_debris(news: ParsedNewsItem) -> None:
    paragraphs = news.body.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("What is citizen science and why")
    assert paragraphs[-1].startswith("During the seminar, the project partners")
    for unwanted in ("Location:", "Language:", "Duration:", "Presenters:", "*BESPOC (", "Other news", "Important |"):
        assert unwanted not in news.body


def test_news_with_crlf_and_bom() -> None:
    text = "\ufeff" + read(NEWS_FILE).replace("\n", "\r\n")
    item = parse_news_item(text)
    assert (item.category, item.date, item.duration_minutes) == ("Important", datetime.date(2024, 3, 4), 90)


# ----------------------------------------------------------------------------------------
# Errors and hygiene
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n\t \r\n\n  ", id="whitespace"),
        pytest.param("\ufeff\r\n", id="bom-only"),
        pytest.param(
            "the weather was lovely all week and nobody complained about anything.\n\n"
            "later it rained, which was expected; we stayed inside.\n\n\n"
            "nothing else happened, and the story ends here.\n",
            id="random-prose",
        ),
        pytest.param("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", id="one-paragraph"),
    ],
)
def test_unrecognisable_text_raises(text: str) -> None:
    with pytest.raises(SeedFormatError) as error:
        parse_document(text)
    assert str(error.value)


def test_news_parser_rejects_a_partners_page(seed_text: str) -> None:
    with pytest.raises(SeedFormatError, match="Category"):
        parse_news_item(seed_text)


def test_seed_format_error_is_a_value_error() -> None:
    assert issubclass(SeedFormatError, ValueError)


def test_parser_is_generic_and_standard_library_only() -> None:
    source = (SEEDS / "parser.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(?:import|from)\s+django", source, re.MULTILINE)
    for name, acronym, _ in EXPECTED_PARTNERS:
        assert name not in source
        if len(acronym) >= 3:
            assert not re.search(rf"\b{re.escape(acronym)}\b", source), acronym
    for word in ("Ljubljana", "Slovenia", "Dinaric", "LibOCS", "BESPOC"):
        assert word not in source


# SHA-256 of each source document as it was received (the project keeps them byte for byte).
SEED_DIGESTS = {
    NEWS_FILE.name: "1beb8e9d360261e1912ec8f39d2a3947e8e8afb024ac28cc8ea994d39b39b45d",
    PARTNERS_FILE.name: "17ed444c61ade2e32b602b67124df2f51f0a5bb77aa40170188f5e681db14588",
}


def test_seed_files_are_copied_unchanged() -> None:
    assert sorted(path.name for path in SEEDS.glob("*.txt")) == sorted(SEED_DIGESTS)
    for name, digest in SEED_DIGESTS.items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest, f"seeds/{name} was changed"


def test_person_with_a_single_pronoun_and_group_that_describes_itself() -> None:
    text = (
        "Members of the network are listed below.\n\n\n"
        "Koper Central Library runs reading clubs and workshops.\n\n\n"
        "A retired biology teacher from Celje, she has collected observations of amphibians for thirty years.\n\n\n"
        "We are a small volunteer group protecting urban trees, founded in 2019. We organise tree walks.\n"
    )
    page = parse_partners_page(text)
    assert [(p.name, p.kind, p.needs_review) for p in page.partners] == [
        ("Koper Central Library", "organisation", False),
        ("Retired biology teacher", "individual", True),
        ("Small volunteer group protecting urban trees", "organisation", True),
    ]


def test_an_organisation_with_a_stray_he_is_not_a_person() -> None:
    text = (
        "Partners of the network.\n\n\n"
        "Alpine Lakes Trust restores mountain lakes, as he who visits them will see.\n"
    )
    (partner,) = parse_partners_page(text).partners
    assert partner.kind == "organisation"
    assert partner.name == "Alpine Lakes Trust"


def test_public_libraries_are_recognised_by_name_or_self_description() -> None:
    text = (
        "Partners of the network.\n\n\n"
        "Koper Central Library runs reading clubs and workshops.\n\n\n"
        "Valley Reading Room is the regional library of the lower valley.\n\n\n"
        "Alpine Research Library collects mountain studies.\n"
    )
    types = [p.partner_type for p in parse_partners_page(text).partners]
    assert types == ["public_library", "public_library", "special_library"]
