"""The site search (``/search/?q=``): partners, projects, infrastructure, events and news on one
page, grouped with counts; accents and case ignored in both languages; only public records; a
suggestion for a typing mistake (SQLite) or close matches (PostgreSQL); a constant query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from network.models import Partner
from portal import search
from portal.models import NewsItem
from projects.models import Project
from tests.events.factories import EventFactory, SessionFactory
from tests.infrastructure.factories import ResourceFactory
from tests.network.factories import PartnerFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"


def news(title: str, **kwargs) -> NewsItem:
    kwargs.setdefault("slug", f"news-{NewsItem.objects.count() + 1}")
    kwargs.setdefault("body", "Text.")
    return NewsItem.objects.create(title=title, **kwargs)


def get(client, query: str, prefix: str = "") -> str:
    response = client.get(f"{prefix}/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def group_heading(html: str, key: str) -> str:
    match = re.search(rf'<h3 id="search-group-{key}">(.*?)</h3>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


@pytest.fixture
def library_everywhere(db):
    """One public record of every kind with "Knjižnica" or "knjižnica" in it, and hidden ones."""
    partner = PartnerFactory(name="Mestna knjižnica Kranj", city="Kranj", email="private@kranj.example",
                             contact_name="Secret Person", application_email="applicant@kranj.example")
    ProjectFactory(title="Knjižnica ptic", lead_partner=partner)
    ResourceFactory(title_en="Knjižnica semen", partner=partner)
    event = EventFactory(title="Knjižnica kot laboratorij")
    SessionFactory(event=event)
    news("Nova knjižnica v mreži")
    # Not public: none of these may appear.
    PartnerFactory(name="Knjižnica v pripravi", status=Partner.Status.PENDING)
    ProjectFactory(title="Knjižnica osnutek", review_state=Project.ReviewState.DRAFT)
    ResourceFactory(title_en="Knjižnica skrita", published=False)
    EventFactory(title="Knjižnica osnutek dogodka", status=Event.Status.DRAFT)
    news("Knjižnica jutri", published_on=timezone.localdate() + timedelta(days=1))
    news("Knjižnica neobjavljena", is_published=False)
    return partner


def test_every_kind_of_record_in_its_own_group_with_counts(client, library_everywhere):
    html = get(client, "knjiznica")
    assert html.count("<h1") == 1
    assert "5 results for “knjiznica”" in html
    headings = re.findall(r'<h3 id="search-group-(\w+)">', html)
    assert headings == ["partners", "projects", "infrastructure", "events", "news"]
    for key, label in [("partners", "Partners"), ("projects", "Projects"), ("infrastructure", "Infrastructure"),
                       ("events", "Events"), ("news", "News")]:
        assert group_heading(html, key) == f"{label} (1)"
    for title in ["Mestna knjižnica Kranj", "Knjižnica ptic", "Knjižnica semen", "Knjižnica kot laboratorij",
                  "Nova knjižnica v mreži"]:
        assert title in html
    for hidden in ["v pripravi", "osnutek", "skrita", "jutri", "neobjavljena"]:
        assert hidden not in html
    # Links to the full lists that can search.
    assert 'href="/partners/?q=knjiznica"' in html
    assert 'href="/projects/?q=knjiznica"' in html
    assert 'href="/infrastructure/?q=knjiznica"' in html


def test_no_personal_data_in_the_results(client, library_everywhere):
    html = get(client, "kranj")
    assert "Mestna knjižnica Kranj" in html
    for private in ["private@kranj.example", "Secret Person", "applicant@kranj.example"]:
        assert private not in html


@pytest.mark.parametrize("query", ["knjiznica", "KNJIŽNICA", "Knjižnica", "knjižnica", "KnJiZnIcA"])
def test_accents_and_case_do_not_matter(client, library_everywhere, query):
    html = get(client, query)
    assert "5 results for" in html


def test_a_typed_accent_finds_text_without_it(client):
    PartnerFactory(name="Zavod za znanost")
    EventFactory(title="ZNANOST za vse")
    html = get(client, "žnanost")
    assert "Zavod za znanost" in html and "ZNANOST za vse" in html


def test_slovenian_texts_are_searched_and_shown_marked_on_english_pages(client):
    event = EventFactory(title_en="", title_sl="Opazovanje ptic", summary_en="", summary_sl="Štejemo ptice.")
    SessionFactory(event=event)
    news("Birds", title_sl="Ptice", summary_sl="Čebele in ptice.")
    partner = PartnerFactory(name_en="", name_sl="Društvo za opazovanje ptic")
    html = get(client, "ptice")
    assert 'lang="sl">Opazovanje ptic</a>' in html
    assert "Birds" in html  # found by its Slovenian title, shown in English
    html = get(client, "opazovanje ptic")
    assert 'lang="sl">Opazovanje ptic</a>' in html and partner.get_absolute_url() in html
    slovene = get(client, "stejemo", prefix="/sl")
    assert "Opazovanje ptic</a>" in slovene and 'lang="sl">Opazovanje' not in slovene


def test_english_texts_are_found_from_slovenian_pages(client):
    ProjectFactory(title_en="Counting butterflies", title_sl="Štetje metuljev", summary="Butterflies.")
    html = get(client, "butterflies", prefix="/sl")
    assert "Štetje metuljev" in html


def test_each_group_is_capped_and_links_to_the_full_list(client):
    for n in range(12):
        PartnerFactory(name=f"Čebelarsko društvo {n:02d}")
    html = get(client, "cebelarsko")
    assert group_heading(html, "partners") == "Partners (12)"
    listed = re.findall(r"Čebelarsko društvo \d\d", html)
    assert len(listed) == search.GROUP_SIZE
    assert "Showing the first 10." in html
    assert 'href="/partners/?q=cebelarsko"' in html


def test_empty_or_blank_query_shows_a_helpful_page(client, library_everywhere):
    for query in ["", "   ", "\t"]:
        html = get(client, query)
        assert html.count("<h1") == 1
        assert "results for" not in html
        assert "Accents and capital letters do not matter" in html
    assert "Accents and capital letters do not matter" in client.get("/search/").content.decode()


def test_an_over_long_query_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "a" * (search.QUERY_MAX_LENGTH + 1)})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Please use at most {search.QUERY_MAX_LENGTH} characters." in html
    assert 'aria-describedby="search-q_error"' in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize("query", ["\x00", "knji\x00znica", "<script>alert(1)</script>", "%", "_", "' OR 1=1 --"])
def test_garbage_is_answered_calmly(client, library_everywhere, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_query_with_a_nul_byte_still_searches(client, library_everywhere):
    assert "Mestna knjižnica Kranj" in get(client, "mestna\x00kranj")


def test_nothing_found_says_so(client, library_everywhere):
    html = get(client, "qqqqzzzz")
    assert "0 results for “qqqqzzzz”" in html
    assert "Nothing matches every word you typed." in html
    assert "Did you mean" not in html


def test_header_has_a_labelled_search_box_in_both_languages(client):
    english = client.get("/about/").content.decode()
    assert re.search(r'<form class="site-search" method="get" action="/search/" role="search" aria-label="Site search">',
                     english)
    assert '<label class="visually-hidden" for="site-search-q">Search the site</label>' in english
    slovene = client.get("/sl/about/").content.decode()
    assert 'action="/sl/search/"' in slovene and 'for="site-search-q"' in slovene


def test_the_search_page_has_one_search_form(client):
    html = get(client, "x")
    assert html.count('role="search"') == 1


# --- Suggestions (every database: the names; SQLite: the page) --------------------------------
def test_suggestion_corrects_a_word_from_known_names():
    names = ["Mestna knjižnica Kranj", "Central Technical Library", "Jožef Stefan Institute"]
    assert search.suggestion_for("knjznica", names) == "knjižnica"
    assert search.suggestion_for("jozef stefn", names) == "Jožef Stefan"
    assert search.suggestion_for("Centrl Technical Librar", names) == "Central Technical Library"
    assert search.suggestion_for("knjižnica", names) == ""  # nothing to correct
    assert search.suggestion_for("qqqq", names) == ""


@pytest.mark.skipif(ON_POSTGRESQL, reason="PostgreSQL finds close matches instead (test_close_matches_…)")
def test_a_typing_mistake_gets_a_did_you_mean_link_on_sqlite(client, library_everywhere):
    html = get(client, "knjznica")
    assert "0 results for" in html
    assert 'Did you mean <a href="/search/?q=knji%C5%BEnica">knjižnica</a>?' in html
    slovene = get(client, "knjznica", prefix="/sl")
    assert 'href="/sl/search/?q=knji%C5%BEnica"' in slovene


def test_suggested_names_are_cached_until_their_area_changes(client, library_everywhere,
                                                             django_capture_on_commit_callbacks):
    from django.utils import translation

    with translation.override("en"):
        searcher = next(s for s in search.searchers() if s.key == "partners")
        assert "Mestna knjižnica Kranj" in search._names(searcher, "en")
        with django_capture_on_commit_callbacks(execute=True):
            PartnerFactory(name="Ljudska univerza Jesenice")
        assert "Ljudska univerza Jesenice" in search._names(searcher, "en")


def test_a_search_that_finds_nothing_folds_the_names_once_per_edit(client, library_everywhere, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    folded = []
    unaccented = search.unaccented
    monkeypatch.setattr(search, "unaccented", lambda text: folded.append(text) or unaccented(text))
    get(client, "qqxxzz")
    assert "knjižnica" in folded  # the first search builds the vocabulary
    folded.clear()
    get(client, "zzqqyy")
    assert folded == []  # the next one reads it from the cache
    searcher = next(s for s in search.searchers() if s.key == "partners")
    with django_capture_on_commit_callbacks(execute=True):
        PartnerFactory(name="Ljudska univerza Jesenice")
    assert search._vocabulary(searcher, "en").words["jesenice"] == "Jesenice"  # an edit builds it again
    assert "Jesenice" in folded


def test_a_merged_vocabulary_suggests_as_the_names_together_do():
    first, second = ["Mestna knjižnica Kranj"], ["Central Technical Library", "Jožef Stefan Institute"]
    merged = search.Vocabulary.merged([search.Vocabulary.of(first), search.Vocabulary.of(second)])
    assert merged == search.Vocabulary.of(first + second)
    for query in ("knjznica", "jozef stefn", "Centrl Technical Librar", "knjižnica", "qqqq"):
        assert search.suggestion_for(query, merged) == search.suggestion_for(query, first + second)


# --- PostgreSQL: close matches by trigram similarity -------------------------------------------
@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_trgm needs PostgreSQL (CI's second run)")
def test_close_matches_on_postgresql(client, library_everywhere):
    html = get(client, "knjznica")
    assert "Nothing matches exactly; these come close." in html
    assert "Mestna knjižnica Kranj" in html
    assert "Knjižnica ptic" in html


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_trgm needs PostgreSQL (CI's second run)")
def test_the_migration_installed_pg_trgm_and_its_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search_%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"search_partner_text_trgm", "search_project_text_trgm", "search_resource_text_trgm",
            "search_event_title_en_trgm", "search_news_title_sl_trgm"} <= names


# --- Speed -------------------------------------------------------------------------------------
def _matching_rows(n: int) -> None:
    for i in range(n):
        partner = PartnerFactory(name=f"Naravoslovna knjižnica {i}")
        ProjectFactory(title=f"Naravoslovni projekt knjižnica {i}", lead_partner=partner)
        ResourceFactory(title_en=f"Knjižnica opreme {i}", partner=partner)
        event = EventFactory(title=f"Knjižnica dogodek {i}")
        SessionFactory.create_batch(2, event=event)
        news(f"Knjižnica novica {i}")


def test_query_count_does_not_grow_with_results(client, django_assert_max_num_queries,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _matching_rows(5)
    get(client, "knjiznica")  # the folded texts are cached now, as for most visitors
    with CaptureQueriesContext(connection) as few:
        get(client, "knjiznica")
    queries = len(few.captured_queries)
    assert 0 < queries <= 30
    with django_capture_on_commit_callbacks(execute=True):
        _matching_rows(45)
    get(client, "knjiznica")
    with django_assert_max_num_queries(queries):
        html = get(client, "knjiznica")
    assert group_heading(html, "partners") == "Partners (50)"
    assert group_heading(html, "events") == "Events (50)"


# --- Markup ------------------------------------------------------------------------------------
def test_search_pages_are_valid_html_with_one_h1(client, library_everywhere, tmp_path):
    from tests.test_html_validity import check_documents

    documents = {}
    for prefix in ("", "/sl"):
        for query in ("knjiznica", "", "knjznica", "x" * (search.QUERY_MAX_LENGTH + 1)):
            response = client.get(f"{prefix}/search/", {"q": query})
            documents[f"{prefix}/search/?q={query[:12]}"] = response.content.decode()
    for html in documents.values():
        assert html.count("<h1") == 1
    assert check_documents(documents, tmp_path) == {}
