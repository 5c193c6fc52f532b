"""The directory in both languages (issue 11): partners, working groups and service modules show
their Slovenian texts under /sl/ and their English ones under /, the other language's text as a
fallback inside an element with its own ``lang`` (WCAG 3.1.2); the search finds a partner by
either language's name, short name or description, without accents or case; names sort in the
visitor's alphabet (Slovenian c < č < d, s < š < t, z < ž); the API and CSV return both
languages; working-group statuses agree with "delovna skupina" (feminine) in Slovenian.

Pages are cached and made stale after commit, so every change a test then reads through a page
is saved inside ``django_capture_on_commit_callbacks(execute=True)``."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import translation
from django.utils.translation import pgettext

from network.models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup
from tests.html_lang import TextLanguages
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

CTK_EN = "Central Technical Library at the University of Ljubljana"
CTK_SL = "Centralna tehniška knjižnica Univerze v Ljubljani"

def languages_of(body: str, needle: str, part: str = "main") -> list[str]:
    """The language of each text node that contains ``needle`` in the page's ``<main>`` (the
    footer's interface text, translated, may hold the same words) or another ``part``."""
    page_language = re.search(r'<html lang="([^"]+)">', body).group(1)
    parser = TextLanguages(needle)
    parser.feed(body[body.index(f"<{part}"): body.index(f"</{part}>")])
    return [language or page_language for language, _where, _text in parser.found]


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def json_ld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match
    return json.loads(match.group(1))


def meta_description(body: str) -> str:
    match = re.search(r'<meta name="description" content="([^"]*)">', body)
    assert match
    return match.group(1)


def listed_partner_names(body: str) -> list[str]:
    """The partners' names on the partner list, in the order shown."""
    return re.findall(r'<h2><a href="[^"]*/partners/[^"]*"(?: lang="\w+")?>([^<]*)</a>', body)


def slovenian_only_partner(**fields) -> Partner:
    """A partner whose texts were written in Slovenian only (no English value)."""
    defaults = {"status": Partner.Status.PUBLISHED, "is_network_partner": True, "partner_type": Partner.Type.PUBLIC_LIBRARY}
    return Partner.objects.create(**{**defaults, **fields})


@pytest.fixture
def ctk(db) -> Partner:
    PartnerFactory(name="Kranj City Library", description="Lends books in Kranj.")
    return PartnerFactory(
        name=CTK_EN, acronym="CTK", slug="ctk", description="The national library for **technology**."
    )


def give_slovenian_texts(partner: Partner, capture) -> None:
    """What a coordinator does in the admin: a Slovenian name and description."""
    with capture(execute=True):
        partner.name_sl = CTK_SL
        partner.description_sl = "Nacionalna knjižnica za **tehniko**."
        partner.save()


# --- A partner's page in each language ---------------------------------------------------------
def test_slovenian_name_and_description_on_the_slovenian_page(client, ctk, django_capture_on_commit_callbacks):
    assert languages_of(get(client, "/sl/partners/ctk/"), CTK_EN) == ["en"]  # cached before the edit
    give_slovenian_texts(ctk, django_capture_on_commit_callbacks)

    body = get(client, "/sl/partners/ctk/")
    assert body.count("<h1") == 1
    assert '<html lang="sl">' in body
    assert languages_of(body, CTK_SL) == ["sl"]  # the <h1>, its lang inherited from <html>
    assert languages_of(body, "Nacionalna knjižnica za") == ["sl"]
    assert "<strong>tehniko</strong>" in body  # Markdown rendered
    assert '<div lang="en">' not in body
    # The short name was written in the English column only: it is the one fallback left.
    assert re.findall(r'<span lang="en">([^<]*)</span>', body) == ["CTK"]
    assert languages_of(body, CTK_EN) == []  # the English name is not shown as text
    assert f"<title>{CTK_SL} ·" in body
    assert meta_description(body) == "Nacionalna knjižnica za tehniko."

    body = get(client, "/partners/ctk/")
    assert languages_of(body, CTK_EN) == ["en"]
    assert languages_of(body, "The national library for") == ["en"]
    assert languages_of(body, CTK_SL) == []
    assert '<span lang="sl">' not in body and '<div lang="sl">' not in body
    assert f"<title>{CTK_EN} ·" in body
    assert meta_description(body) == "The national library for technology."


def test_english_only_partner_is_marked_english_on_slovenian_pages(client, ctk):
    body = get(client, "/sl/partners/ctk/")
    assert body.count("<h1") == 1
    assert f'<h1><span lang="en">{CTK_EN}</span>' in body
    assert languages_of(body, "The national library for") == ["en"]
    assert '<div lang="en"><p>The national library for <strong>technology</strong>.</p></div>' in body
    # Attributes cannot carry a lang of their own: they show the fallback.
    assert f"<title>{CTK_EN} ·" in body
    assert meta_description(body) == "The national library for technology."

    body = get(client, "/sl/partners/")
    assert languages_of(body, CTK_EN) == ["en"]
    assert languages_of(body, "Kranj City Library") == ["en"]


def test_slovenian_only_partner_is_marked_slovenian_on_english_pages(client):
    slovenian_only_partner(
        name_sl="Mestna knjižnica Kranj", acronym_sl="MKK", slug="mkk", description_sl="Knjige za **vse**."
    )
    body = get(client, "/partners/mkk/")
    assert body.count("<h1") == 1
    assert '<h1><span lang="sl">Mestna knjižnica Kranj</span> <span class="muted">(<span lang="sl">MKK</span>)</span></h1>' in body
    assert '<div lang="sl"><p>Knjige za <strong>vse</strong>.</p></div>' in body
    assert "<title>Mestna knjižnica Kranj ·" in body
    body = get(client, "/partners/")
    assert languages_of(body, "Mestna knjižnica Kranj") == ["sl"]
    assert languages_of(body, "MKK") == ["sl"]

    body = get(client, "/sl/partners/mkk/")
    assert languages_of(body, "Mestna knjižnica Kranj") == ["sl"]
    assert '<span lang="sl">' not in body and '<div lang="sl">' not in body


def test_working_groups_and_services_mark_fallbacks(client):
    """Every record text on the group and service pages, English only, under /sl/."""
    lead = PartnerFactory(name="Qlead Library")
    member = PartnerFactory(name="Qmember Institute")
    group = WorkingGroupFactory(name="Qgroup for schools", mandate="Qmandate: work with *schools*.")
    group.lead_partners.add(lead)
    group.members.add(lead, member)
    group.outputs.create(title="Qoutput guide", link="https://example.org/guide")
    group.outputs.create(title="Qoutput notes")
    module = ServiceModuleFactory(name="Qmodule portal", summary="Qsummary of the portal.", offers="Qoffers *much*.")
    ServiceOfferFactory(module=module, partner=lead, note="Qnote on weekdays")

    with translation.override("sl"):
        details = [group.get_absolute_url(), module.get_absolute_url(), lead.get_absolute_url()]
    pages = ["/sl/working-groups/", "/sl/services/", "/sl/partners/", *details]
    seen = 0
    for url in pages:
        assert url.startswith("/sl/")
        body = get(client, url)
        assert body.count("<h1") == 1, url
        for marker in ("Qlead", "Qmember", "Qgroup", "Qmandate", "Qoutput", "Qmodule", "Qsummary", "Qoffers", "Qnote"):
            languages = languages_of(body, marker)
            seen += len(languages)
            assert set(languages) <= {"en"}, (url, marker, languages)
    assert seen >= 20


def test_slovenian_working_group_and_module_on_slovenian_pages(client):
    group = WorkingGroup.objects.create(
        name_en="Schools", name_sl="Šole", slug="schools", mandate_sl="Delo s *šolami*.", status=WorkingGroup.Status.ACTIVE
    )
    module = ServiceModule.objects.create(name_en="Portal", name_sl="Portal dejavnosti", slug="portal", summary_sl="Povzetek.")
    ServiceOffer.objects.create(partner=PartnerFactory(), module=module, note_sl="Ob delavnikih")
    body = get(client, "/sl/working-groups/schools/")
    assert "<h1>Šole</h1>" in body and "<em>šolami</em>" in body and 'lang="en"><p>' not in body
    assert meta_description(body) == "Delo s šolami."
    body = get(client, "/sl/services/portal/")
    assert "<h1>Portal dejavnosti</h1>" in body and '<p class="lead">Povzetek.</p>' in body
    assert languages_of(body, "Ob delavnikih") == ["sl"]
    body = get(client, "/working-groups/schools/")
    assert "<h1>Schools</h1>" in body and '<div lang="sl"><p>Delo s <em>šolami</em>.</p></div>' in body
    body = get(client, "/services/")
    assert '<p lang="sl">Povzetek.</p>' in body
    assert group.pk and module.pk


def test_footer_contact_marks_its_fallback(client):
    NetworkContact.objects.create(organisation_en="Qorg CTK", coordinator_title_en="Qtitle Network Coordinator",
                                  coordinator_name="Andreja", coordinator_organisation_en="Qcity library of Ljubljana")
    body = get(client, "/sl/partners/")
    for marker in ("Qorg", "Qtitle", "Qcity"):
        assert languages_of(body, marker, part="footer") == ["en"], marker


def test_footer_contact_in_slovenian(client):
    NetworkContact.objects.create(
        organisation_en="CTK", organisation_sl="CTK", coordinator_title_en="CS Network Coordinator",
        coordinator_title_sl="Koordinatorka mreže", coordinator_name="Andreja",
        coordinator_organisation_en="City library of Ljubljana", coordinator_organisation_sl="Mestna knjižnica Ljubljana",
    )
    body = get(client, "/sl/join/")
    assert "Koordinatorka mreže: Andreja (Mestna knjižnica Ljubljana)" in body
    body = get(client, "/join/")
    assert "CS Network Coordinator: Andreja (City library of Ljubljana)" in body


# --- Search across both languages ----------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["", "/sl"])
@pytest.mark.parametrize("query", ["CTK", "ctk", "knjiznica", "Knjižnica", "tehniska", "TEHNIŠKA", "technical"])
def test_search_finds_either_languages_name_and_short_name(client, ctk, django_capture_on_commit_callbacks, prefix, query):
    give_slovenian_texts(ctk, django_capture_on_commit_callbacks)
    response = client.get(f"{prefix}/partners/", {"q": query})
    assert response.status_code == 200
    assert response.context["count"] == 1
    assert [p.pk for p in response.context["page"].object_list] == [ctk.pk]


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_search_finds_the_slovenian_name_once_a_coordinator_gave_it(
    client, ctk, django_capture_on_commit_callbacks, prefix
):
    assert client.get(f"{prefix}/partners/", {"q": "knjiznica"}).context["count"] == 0  # cached now
    give_slovenian_texts(ctk, django_capture_on_commit_callbacks)
    response = client.get(f"{prefix}/partners/", {"q": "knjiznica"})
    assert response.context["count"] == 1
    body = response.content.decode()
    assert (CTK_SL if prefix else CTK_EN) in body


# --- Sorting in the visitor's alphabet ------------------------------------------------------------
# (English name, Slovenian name or None). Byte order would put "LUTRA" before "Ljubljana" and the
# letters with a caron after "z"; English ignores the carons, Slovenian sorts them after their letter.
SORT_NAMES = [
    ("Žalec Library", None),
    ("LUTRA Institute", None),
    ("Sora Association", None),
    ("Celje Library", None),
    ("City Library of Kranj", "Mestna knjižnica Kranj"),
    ("Zreče Library", None),
    ("Škofja Loka Library", None),
    ("Dolenjska Museum", None),
    ("Ljubljana City Library", None),
    ("Tolmin Museum", None),
    ("Čebelarska zveza Slovenije", None),
]
ENGLISH_ORDER = [
    "Čebelarska zveza Slovenije", "Celje Library", "City Library of Kranj", "Dolenjska Museum",
    "Ljubljana City Library", "LUTRA Institute", "Škofja Loka Library", "Sora Association", "Tolmin Museum",
    "Žalec Library", "Zreče Library",
]
SLOVENIAN_ORDER = [
    "Celje Library", "Čebelarska zveza Slovenije", "Dolenjska Museum", "Ljubljana City Library", "LUTRA Institute",
    "Mestna knjižnica Kranj", "Sora Association", "Škofja Loka Library", "Tolmin Museum", "Zreče Library",
    "Žalec Library",
]


@pytest.fixture
def sort_partners(db):
    for name, name_sl in SORT_NAMES:
        partner = PartnerFactory(name=name)
        if name_sl:
            partner.name_sl = name_sl
            partner.save()


def test_partner_list_sorts_in_the_visitors_alphabet(client, sort_partners):
    assert listed_partner_names(get(client, "/sl/partners/")) == SLOVENIAN_ORDER
    assert listed_partner_names(get(client, "/partners/")) == ENGLISH_ORDER
    # Filtered and searched lists too.
    assert listed_partner_names(get(client, "/sl/partners/?q=microscopes&role=organiser")) == SLOVENIAN_ORDER
    assert listed_partner_names(get(client, "/partners/?q=microscopes&role=organiser")) == ENGLISH_ORDER


def test_api_and_csv_sort_in_the_language_of_their_url(client, sort_partners):
    rows = json.loads(get(client, "/api/partners/"))["results"]
    assert [row["name"] for row in rows] == ENGLISH_ORDER
    rows = json.loads(get(client, "/sl/api/partners/"))["results"]
    assert [row["name_sl"] or row["name"] for row in rows] == SLOVENIAN_ORDER
    reader = csv.DictReader(io.StringIO(get(client, "/sl/partners.csv").lstrip("\ufeff")))
    assert [row["name_sl"] or row["name"] for row in reader] == SLOVENIAN_ORDER


def test_working_groups_modules_and_their_partners_sort_in_the_visitors_alphabet(client):
    names = ["Žalec group", "Zreče group", "Čebela group", "Celje group"]
    groups = [WorkingGroupFactory(name=name) for name in names]
    for name in ["Žalec Library", "Zreče Library", "Čebelarska zveza", "Celje Library"]:
        partner = PartnerFactory(name=name)
        groups[0].members.add(partner)
        ServiceOfferFactory(partner=partner, module=ServiceModuleFactory(name=name.replace("Library", "module"), order=1))

    def order(body: str, items: list[str]) -> list[str]:
        return sorted(items, key=body.index)

    assert order(get(client, "/sl/working-groups/"), names) == ["Celje group", "Čebela group", "Zreče group", "Žalec group"]
    assert order(get(client, "/working-groups/"), names) == ["Čebela group", "Celje group", "Žalec group", "Zreče group"]
    members = ["Žalec Library", "Zreče Library", "Čebelarska zveza", "Celje Library"]
    with translation.override("sl"):
        url = groups[0].get_absolute_url()
    assert order(get(client, url), members) == ["Celje Library", "Čebelarska zveza", "Zreče Library", "Žalec Library"]
    body = get(client, "/sl/services/")
    assert order(body[body.index("<tbody"):], members) == ["Celje Library", "Čebelarska zveza", "Zreče Library", "Žalec Library"]
    body = get(client, "/services/")
    assert order(body[body.index("<tbody"):], members) == ["Čebelarska zveza", "Celje Library", "Žalec Library", "Zreče Library"]
    # The filter's working-group options too.
    body = get(client, "/sl/partners/")
    select = body[body.index('name="working_group"'):]
    assert order(select[: select.index("</select>")], names) == ["Celje group", "Čebela group", "Zreče group", "Žalec group"]


def test_region_options_sort_in_the_visitors_alphabet(client):
    regions = ["Zasavska", "Šaleška", "Savinjska", "Žirovska", "obalno-kraška", "Celjska", "Čatežka"]
    for region in regions:
        PartnerFactory(region=region)
    body = get(client, "/sl/partners/")
    select = body[body.index('name="region"'):]
    select = select[: select.index("</select>")]
    assert sorted(regions, key=select.index) == [
        "Celjska", "Čatežka", "obalno-kraška", "Savinjska", "Šaleška", "Zasavska", "Žirovska",
    ]


def test_filter_options_show_names_in_the_visitors_language_and_mark_fallbacks(client):
    english = WorkingGroupFactory(name="Qenglish group", slug="english")
    WorkingGroup.objects.create(name_en="Schools", name_sl="Šole", slug="schools")
    ServiceModule.objects.create(name_en="Portal", name_sl="Portal dejavnosti", slug="portal")
    body = get(client, "/sl/partners/")
    assert f'<option value="{english.slug}" lang="en">Qenglish group</option>' in body
    assert '<option value="schools">Šole</option>' in body
    assert '<option value="portal">Portal dejavnosti</option>' in body
    body = get(client, "/partners/?working_group=schools")
    assert '<option value="schools" selected>Schools</option>' in body
    assert '<option value="english">Qenglish group</option>' in body


# --- API, CSV and JSON-LD ---------------------------------------------------------------------------
def test_api_and_csv_return_both_languages(client, ctk, django_capture_on_commit_callbacks):
    give_slovenian_texts(ctk, django_capture_on_commit_callbacks)
    slovenian_only_partner(name_sl="Mestna knjižnica Kranj", slug="mkk", description_sl="Knjige.")
    for url in ("/api/partners/", "/sl/api/partners/"):
        rows = {row["slug"]: row for row in json.loads(get(client, url))["results"]}
        assert {
            "name": CTK_EN, "name_sl": CTK_SL, "acronym": "CTK", "acronym_sl": "",
            "description": "The national library for **technology**.",
            "description_sl": "Nacionalna knjižnica za **tehniko**.",
        }.items() <= rows["ctk"].items()
        english_only = next(row for slug, row in rows.items() if slug not in {"ctk", "mkk"})
        assert english_only["name"] == "Kranj City Library"
        assert english_only["name_sl"] == english_only["acronym_sl"] == english_only["description_sl"] == ""
        # ``name`` is the English pages' name: a partner with no English name shows its Slovenian one.
        assert rows["mkk"]["name"] == rows["mkk"]["name_sl"] == "Mestna knjižnica Kranj"
    reader = csv.DictReader(io.StringIO(get(client, "/partners.csv").lstrip("\ufeff")))
    assert reader.fieldnames[-3:] == ["name_sl", "acronym_sl", "description_sl"]
    row = next(row for row in reader if row["slug"] == "ctk")
    assert (row["name"], row["name_sl"], row["acronym"], row["acronym_sl"]) == (CTK_EN, CTK_SL, "CTK", "")


def test_json_ld_tags_names_with_their_language(client, ctk, django_capture_on_commit_callbacks):
    give_slovenian_texts(ctk, django_capture_on_commit_callbacks)
    data = json_ld(get(client, "/sl/partners/ctk/"))
    assert data["@type"] == "Organization"
    assert data["name"] == [{"@value": CTK_EN, "@language": "en"}, {"@value": CTK_SL, "@language": "sl"}]
    assert data["alternateName"] == [{"@value": "CTK", "@language": "en"}]
    assert data["description"] == {"@value": "Nacionalna knjižnica za tehniko.", "@language": "sl"}
    assert data["url"].endswith("/sl/partners/ctk/")
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": data["url"], "inLanguage": "sl"}
    data = json_ld(get(client, "/partners/ctk/"))
    assert data["description"] == {"@value": "The national library for technology.", "@language": "en"}
    assert data["mainEntityOfPage"]["inLanguage"] == "en"
    assert not data["url"].split("//", 1)[1].split("/", 1)[1].startswith("sl/")


def test_json_ld_description_falls_back_with_its_language(client, ctk):
    data = json_ld(get(client, "/sl/partners/ctk/"))
    assert data["name"] == [{"@value": CTK_EN, "@language": "en"}]
    assert data["description"] == {"@value": "The national library for technology.", "@language": "en"}
    assert data["mainEntityOfPage"]["inLanguage"] == "sl"


# --- Slovenian grammar ------------------------------------------------------------------------------
def test_working_group_status_agrees_with_the_feminine_group(client):
    group = WorkingGroupFactory(name="Schools", status=WorkingGroup.Status.ACTIVE)
    with translation.override("sl"):
        label = pgettext("working group", "Active")
        model_label = str(WorkingGroup.Status.ACTIVE.label)
        url = group.get_absolute_url()
    for body in (get(client, "/sl/working-groups/"), get(client, url)):
        assert f'<span class="tag">{label}</span>' in body
        if model_label != label:
            assert f'<span class="tag">{model_label}</span>' not in body
    assert label == "Aktivna"


@pytest.mark.parametrize(
    ("status", "msgid", "slovenian"),
    [(WorkingGroup.Status.PROPOSED, "Proposed", "Predlagana"), (WorkingGroup.Status.CLOSED, "Closed", "Zaključena")],
)
def test_every_working_group_status_has_a_feminine_label(client, status, msgid, slovenian):
    WorkingGroupFactory(name="Schools", status=status)
    with translation.override("sl"):
        label = pgettext("working group", msgid)
    assert f'<span class="tag">{label}</span>' in get(client, "/sl/working-groups/")
    assert label == slovenian


# --- Query counts with translations ------------------------------------------------------------------
def _bilingual_directory(n: int) -> None:
    for i in range(n):
        partner = PartnerFactory(name_sl=f"Knjižnica {i}", description_sl="Opis.")
        group = WorkingGroupFactory(name_sl=f"Skupina {i}")
        group.lead_partners.add(partner)
        group.members.add(partner, PartnerFactory())
        ServiceOfferFactory(partner=partner, module=ServiceModuleFactory(name_sl=f"Modul {i}"), note_sl="Opomba")


@pytest.mark.parametrize(
    "url", ["/sl/partners/", "/sl/working-groups/", "/sl/services/", "/sl/api/partners/", "/sl/partners.csv", "/partners/"]
)
def test_query_count_with_translations_does_not_grow(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks, url
):
    _bilingual_directory(2)
    with django_assert_max_num_queries(60) as few:
        first = client.get(url)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        _bilingual_directory(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content != first.content
