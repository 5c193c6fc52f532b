"""The contact block in other wordings, and page debris between partners (issue 15).

``fixtures/contact/partners_page.txt`` is a partners page of our own in the seed's layout: its
contact block uses other labels ("Tel.:", "Email:"), in another order, a title before the
coordinator's name, "Coordination office, <organisation>", footer links right after the
coordinator and a newsletter link; debris lines (some ending like sentences) sit between and
inside partner blocks.
"""

from __future__ import annotations

import pathlib
import random
import re

import pytest

from seeds.parser import ParsedContact, ParsedPartnersPage, parse_document, parse_partners_page

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "contact"
PAGE = FIXTURES / "partners_page.txt"

EXPECTED_PARTNERS = [
    # (name, acronym, paragraphs)
    ("Harbour Town Public Library", "", 1),
    ("Amber Coast Naturalists' Club", "", 1),
    ("Lagoon Research Station", "LRS", 2),
]
EXPECTED_CONTACT = ParsedContact(
    organisation="Harbour Town Public Library",
    address="Quay Street 8, LT-92100 Harbour Town",
    phone="+370 46 123 456",
    contact_person="Rasa Jankauskienė",
    coordinator_title="Coordinator of the Hub",
    coordinator_name="Ieva Kalniņa",
    coordinator_organisation="Amber Coast University Library",
    mailing_lists=("Subscribe to the newsletter", "Partners' discussion list: partners@coast-science.example"),
    email="hub@coast-science.example",
    coordinator_honorific="Mag.",
)
DEBRIS_WORDS = (
    "Imprint",
    "Privacy policy",
    "Back to top",
    "Share this page",
    "Read more",
    "Photo:",
    "Image:",
    "Subscribe to the newsletter",
    "cookie",
)


@pytest.fixture(scope="module")
def text() -> str:
    return PAGE.read_text(encoding="utf-8")


def signature(page: ParsedPartnersPage) -> list[tuple[str, str, int]]:
    return [(p.name, p.acronym, p.description.count("\n\n") + 1) for p in page.partners]


def test_fixture_page_partners_and_contact(text: str) -> None:
    page = parse_document(text)
    assert isinstance(page, ParsedPartnersPage)
    assert signature(page) == EXPECTED_PARTNERS
    assert page.introduction.startswith("The Coastal Citizen Science Hub links")
    assert page.contact == EXPECTED_CONTACT


def test_debris_never_becomes_a_partner_or_text(text: str) -> None:
    page = parse_partners_page(text)
    everything = "\n".join([page.introduction] + [p.name + "\n" + p.description for p in page.partners])
    for word in DEBRIS_WORDS:
        assert word.lower() not in everything.lower(), word
    assert page.partners[-1].description.endswith("as open data every spring.")


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: re.sub(r"\n{3,}", "\n\n", t), id="uniform-gaps"),
        pytest.param(lambda t: re.sub(r"\n{2,}", lambda m: "\n" * (len(m.group()) + 1), t), id="wider-gaps"),
        pytest.param(lambda t: "\ufeff" + t.replace("\n", " \r\n"), id="crlf-bom"),
    ],
)
def test_layout_variants_give_the_same_result(text: str, transform) -> None:  # type: ignore[no-untyped-def]
    page = parse_partners_page(transform(text))
    assert signature(page) == EXPECTED_PARTNERS
    assert page.contact == EXPECTED_CONTACT


# ----------------------------------------------------------------------------------------
# Label variants, in any order
# ----------------------------------------------------------------------------------------

PHONE_LABELS = ("Phone:", "Tel.:", "Tel:", "Telephone:", "Mobile:")
EMAIL_LABELS = ("E-mail:", "Email:", "e-mail:", "Mail:", "E-mail address:")
ADDRESS_LABELS = ("Address:", "Postal address:", "Visiting address:")
INTRO = "Our partners share equipment and data with volunteers.\n\n\nMoss Valley Society is an association of naturalists.\n\n\n"


def contact_page(lines: list[str], header: str = "Contact information: Moss Valley Library") -> str:
    return INTRO + header + "\n\n" + "\n\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_labels_in_any_order_and_any_variant(seed: int) -> None:
    rng = random.Random(seed)
    labelled = [
        f"{rng.choice(PHONE_LABELS)} 02 345 67 89 (Petra Zupan)",
        f"{rng.choice(EMAIL_LABELS)} office@moss-valley.example",
        f"{rng.choice(ADDRESS_LABELS)} Birch Lane 5, 2000 Moss Valley",
        "Coordination office, Moss Valley Library",
    ]
    rng.shuffle(labelled)
    coordinator = ["Network coordinator", f"{rng.choice(['Dr.', 'Prof.', 'Mag.', 'Ms.', 'Mr.'])} Nina Kos"]
    footer = rng.sample(["Imprint", "Privacy policy", "Back to top", "Share this page", "Read more"], 3)
    lines = labelled[:2] + coordinator + footer[:1] + labelled[2:] + footer[1:]
    contact = parse_partners_page(contact_page(lines)).contact
    assert contact is not None
    assert (contact.phone, contact.contact_person) == ("02 345 67 89", "Petra Zupan")
    assert contact.email == "office@moss-valley.example"
    assert contact.address == "Birch Lane 5, 2000 Moss Valley"
    assert (contact.coordinator_title, contact.coordinator_name) == ("Network coordinator", "Nina Kos")
    assert contact.coordinator_organisation == "Moss Valley Library"
    assert contact.mailing_lists == ()


@pytest.mark.parametrize(
    ("written", "honorific", "name"),
    [
        ("Mag. Ieva Kalniņa", "Mag.", "Ieva Kalniņa"),
        ("Dr. Tomas Berg", "Dr.", "Tomas Berg"),
        ("Prof. Dr. Tomas Berg", "Prof. Dr.", "Tomas Berg"),
        ("izr. prof. dr. Alenka Mlinar", "izr. prof. dr.", "Alenka Mlinar"),
        ("Mr Tom Hill", "Mr", "Tom Hill"),
        ("Ms. Ann Lee", "Ms.", "Ann Lee"),
        ("Alenka Mlinar, PhD", "PhD", "Alenka Mlinar"),
        ("Drago Mrak", "", "Drago Mrak"),
        ("Magda Dreu", "", "Magda Dreu"),
    ],
)
def test_honorifics_are_kept_out_of_the_name(written: str, honorific: str, name: str) -> None:
    contact = parse_partners_page(contact_page(["Network coordinator", written, "Moss Valley Library"])).contact
    assert contact is not None
    assert (contact.coordinator_honorific, contact.coordinator_name) == (honorific, name)
    assert contact.coordinator_organisation == "Moss Valley Library"


@pytest.mark.parametrize(
    "footer",
    [
        "Imprint",
        "Privacy policy",
        "Back to top",
        "Share this page",
        "Read more",
        "Photo: Nina Kos",
        "Image: the valley in spring",
        "Cookie settings",
    ],
)
def test_a_footer_word_is_never_the_coordinators_organisation(footer: str) -> None:
    contact = parse_partners_page(contact_page(["Network coordinator", "Dr. Nina Kos", footer])).contact
    assert contact is not None
    assert (contact.coordinator_name, contact.coordinator_organisation) == ("Nina Kos", "")


def test_coordinator_on_one_labelled_line() -> None:
    contact = parse_partners_page(contact_page(["Network coordinator: Dr. Nina Kos, Moss Valley Library"])).contact
    assert contact is not None
    assert (contact.coordinator_title, contact.coordinator_honorific, contact.coordinator_name) == (
        "Network coordinator",
        "Dr.",
        "Nina Kos",
    )
    assert contact.coordinator_organisation == "Moss Valley Library"


def test_mailing_lists_named_lists_and_subscription_links() -> None:
    lines = [
        "Subscribe to the newsletter",
        "Sign up for our newsletter",
        "Volunteers' discussion list: volunteers@moss-valley.example",
        "Mailing list of partners:",
        "Privacy policy",
    ]
    contact = parse_partners_page(contact_page(lines)).contact
    assert contact is not None
    assert contact.mailing_lists == (
        "Subscribe to the newsletter",
        "Sign up for our newsletter",
        "Volunteers' discussion list: volunteers@moss-valley.example",
        "Mailing list of partners",
    )
    assert contact.email == ""


def test_header_on_its_own_line_with_the_organisation_below() -> None:
    contact = parse_partners_page(contact_page(["Moss Valley Library", "Tel.: 02 345 67 89"], header="Contact")).contact
    assert contact is not None
    assert (contact.organisation, contact.phone) == ("Moss Valley Library", "02 345 67 89")
