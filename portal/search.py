"""Site-wide search (``/search/?q=``): partners, projects, infrastructure, events and news on one page.

Each content type is searched the way its own list page searches it, so a result here is a result
there: partners, projects and infrastructure through their querysets' ``search`` (a stored,
unaccented ``search_text``). Events and news have no such column, and their apps are not ours to
change, so they are matched here, in Python, against their English and Slovenian texts folded by
``core.collation.unaccented`` — the same folding the stored columns use, so "knjiznica",
"KNJIŽNICA" and "Knjižnica" find one another in either language on SQLite and PostgreSQL alike.
The folded texts are kept in the cache under their content area's version (``core.cache``), so a
search reads them from the database once per edit, not once per visitor.

Typing mistakes: on PostgreSQL, when the exact search finds little, each empty group is searched
again with pg_trgm's word similarity (the ``%>`` operator, served by the GIN trigram indexes of
``portal/migrations/0003_search_trigram_indexes.py``). On every database, when nothing at all is
found, ``suggestion`` proposes the closest known names (``difflib``; the names, and their folded
vocabulary, are cached per content area and language). Written by hand because SQLite has no
fuzzy matching and the two databases must give the visitor the same help.

Every group costs at most three queries (count, rows, close matches), whatever the data.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.cache import ContentArea, content_versions
from core.collation import unaccented
from core.content import current_language, in_language, localised
from events.filters import EventFilter
from events.models import Event
from infrastructure.models import Resource
from network.models import Partner, normalise_search_text
from projects.models import Project

from .models import NewsItem

# What a query may be: longer ones are refused by the form (each word is one more LIKE).
QUERY_MAX_LENGTH = 100
QUERY_MAX_WORDS = 10
# Results shown per group; the group's heading gives the full count and links to the list.
GROUP_SIZE = 10
# Fewer exact results than this in all groups together: PostgreSQL looks for close matches too.
FEW_RESULTS = 3
# pg_trgm's word similarity a close match needs (its own default, 0.6, misses one-letter slips
# in short words).
WORD_SIMILARITY_THRESHOLD = 0.45
# How alike (difflib's ratio) a known word or name must be to be suggested.
SUGGESTION_CUTOFF = 0.75
# How long folded texts and names stay cached (a new version makes them unreachable at once).
INDEX_TIMEOUT = 60 * 60

_WORD = re.compile(r"\w[\w'’-]*")


def clean_query(raw: str) -> str:
    """The query as typed, without control characters (a NUL byte is refused by PostgreSQL) and
    with runs of spaces made one."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in raw).split())


def query_words(query: str) -> list[str]:
    """The query's distinct folded words, at most ``QUERY_MAX_WORDS`` of them."""
    return list(dict.fromkeys(normalise_search_text(query[:QUERY_MAX_LENGTH]).split()))[:QUERY_MAX_WORDS]


@dataclass
class ResultGroup:
    """One kind of record in the results: at most ``GROUP_SIZE`` of them, the full ``count``,
    and the list page that shows them all (``more_url``, "" where the list cannot search)."""

    key: str
    heading: Any
    results: list[Any]
    count: int
    more_url: str = ""
    more_label: Any = ""
    close_matches: bool = False  # found by similarity (PostgreSQL), not by the words themselves

    @property
    def shown(self) -> int:
        return len(self.results)


@dataclass
class SiteSearch:
    query: str
    groups: list[ResultGroup] = field(default_factory=list)
    suggestion: str = ""

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


# --- Cached folded texts and names, per content area ------------------------------------------
def _cached(name: str, area: ContentArea, build: Callable[[], Any], *extra: str) -> Any:
    """``build()``, kept in the cache until ``area`` or the directory changes (or ``INDEX_TIMEOUT``
    passes): what is public can depend on a partner's status too (a resource of an archived
    partner is not)."""
    versions = content_versions(dict.fromkeys([area, ContentArea.DIRECTORY]))
    key = ":".join(["portal:search", name, str(area), *map(str, versions), *extra])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, INDEX_TIMEOUT)
    return value


def _folded(obj: Any, fields: Iterable[str]) -> str:
    return normalise_search_text(*(in_language(obj, f, lang) for f in fields for lang in ("en", "sl")))


EVENT_FIELDS = ("title", "summary", "description", "organising_project", "venue")
NEWS_FIELDS = ("title", "category", "summary", "body")


def _event_index() -> list[tuple[int, str]]:
    def build() -> list[tuple[int, str]]:
        columns = [f"{f}_{lang}" for f in EVENT_FIELDS for lang in ("en", "sl")]
        return [(e.pk, _folded(e, EVENT_FIELDS)) for e in Event.objects.published().only(*columns)]

    return _cached("index", ContentArea.EVENTS, build)


def _news_index() -> list[tuple[int, str]]:
    def build() -> list[tuple[int, str]]:
        columns = [f"{f}_{lang}" for f in NEWS_FIELDS for lang in ("en", "sl")]
        return [(n.pk, _folded(n, NEWS_FIELDS)) for n in NewsItem.objects.published().only(*columns)]

    # Published on a date: an item scheduled for tomorrow appears tomorrow without an edit.
    return _cached("index", ContentArea.NEWS, build, timezone.localdate().isoformat())


def _matching(index: list[tuple[int, str]], words: list[str]) -> list[int]:
    return [pk for pk, text in index if all(word in text for word in words)]


# --- The groups ------------------------------------------------------------------------------
@dataclass
class Searcher:
    """How one kind of record is searched: ``exact(words, query)`` gives the matching queryset (or a
    list of primary keys), ``rows(qs)`` what a page of results shows, ``similar(needle)`` close
    matches on PostgreSQL, ``names(language)`` the names suggestions are made from."""

    key: str
    heading: Any
    area: ContentArea
    base: Callable[[], QuerySet]
    exact: Callable[[QuerySet, list[str], str], QuerySet]
    order: Callable[[QuerySet], QuerySet]
    name_field: str
    similar_fields: tuple[str, ...]
    list_url: str = ""  # the list page that takes ``?q=`` ("" for none)
    list_label: Any = ""  # the link to it
    suggests: bool = True  # its names are offered as "Did you mean …?"


def _partners_base() -> QuerySet:
    return Partner.objects.published().network_partners().only(
        "slug", "name_en", "name_sl", "acronym_en", "acronym_sl", "kind", "partner_type", "city", "needs_review"
    )


def _events_exact(qs: QuerySet, words: list[str], query: str) -> QuerySet:
    return qs.filter(pk__in=_matching(_event_index(), words))


def _news_exact(qs: QuerySet, words: list[str], query: str) -> QuerySet:
    return qs.filter(pk__in=_matching(_news_index(), words))


def _events_in_order(qs: QuerySet) -> QuerySet:
    """Events with a date still to come first (soonest first), then the others (latest first);
    ``next_start`` on each."""
    now = timezone.now()
    return qs.annotate(
        next_start=Min("sessions__start", filter=Q(sessions__end__gte=now)), last_end=Max("sessions__end")
    ).order_by(F("next_start").asc(nulls_last=True), F("last_end").desc(nulls_last=True), "-id")


def _partners_searcher() -> Searcher:
    """The partners, searched as the partner list searches them."""
    return Searcher(
        key="partners",
        heading=_("Partners"),
        area=ContentArea.DIRECTORY,
        base=_partners_base,
        exact=lambda qs, words, query: qs.search(query),
        order=lambda qs: qs.in_name_order(),
        name_field="name",
        similar_fields=("search_text",),
        list_url=reverse("network:partner_list"),
        list_label=_("Show them in the partner list"),
    )


def _projects_searcher() -> Searcher:
    """The public projects, searched as the project catalogue searches them."""
    return Searcher(
        key="projects",
        heading=_("Projects"),
        area=ContentArea.PROJECTS,
        base=lambda: Project.objects.public().only("slug", "title_en", "title_sl", "summary_en", "summary_sl"),
        exact=lambda qs, words, query: qs.search(query),
        order=lambda qs: qs.in_title_order(),
        name_field="title",
        similar_fields=("search_text",),
        list_url=reverse("projects:project_list"),
        list_label=_("Show them in the project catalogue"),
    )


def _infrastructure_searcher() -> Searcher:
    """The public resources, searched as the infrastructure catalogue searches them."""
    return Searcher(
        key="infrastructure",
        heading=_("Infrastructure"),
        area=ContentArea.INFRASTRUCTURE,
        # Whole rows: the image's size fields are read as each row loads.
        base=lambda: Resource.objects.public(),
        exact=lambda qs, words, query: qs.search(query),
        order=lambda qs: qs.in_title_order(),
        name_field="title",
        similar_fields=("search_text",),
        list_url=reverse("infrastructure:resource_list"),
        list_label=_("Show them in the infrastructure catalogue"),
    )


def _events_searcher() -> Searcher:
    """The published events, matched here against their folded texts; those still to come first."""
    return Searcher(
        key="events",
        heading=_("Events"),
        area=ContentArea.EVENTS,
        base=lambda: Event.objects.published().only("slug", "title_en", "title_sl", "kind", "status"),
        exact=_events_exact,
        order=_events_in_order,
        name_field="title",
        similar_fields=("title_en", "title_sl"),
        # The events list links here only once its filter takes ``q``.
        list_url=reverse("events:event_list") if "q" in EventFilter.base_filters else "",
        list_label=_("Show them in the event list"),
    )


def _news_searcher() -> Searcher:
    """The published news, matched here against their folded texts; newest first. Headlines are not
    suggested as names."""
    return Searcher(
        key="news",
        heading=_("News"),
        area=ContentArea.NEWS,
        base=lambda: NewsItem.objects.published().only(
            "slug", "title_en", "title_sl", "category_en", "category_sl", "published_on"
        ),
        exact=_news_exact,
        order=lambda qs: qs.order_by("-published_on", "-id"),
        name_field="title",
        similar_fields=("title_en", "title_sl"),
        suggests=False,  # headlines, not names
    )


def searchers() -> list[Searcher]:
    """The groups, in the order the page shows them."""
    return [
        _partners_searcher(),
        _projects_searcher(),
        _infrastructure_searcher(),
        _events_searcher(),
        _news_searcher(),
    ]


# --- PostgreSQL: close matches ---------------------------------------------------------------
def _close_matches(searcher: Searcher, needle: str) -> list[Any]:
    """Records whose searched text has a word like ``needle`` (pg_trgm's ``%>``, which the GIN
    trigram indexes serve), most alike first. PostgreSQL only."""
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import TrigramWordSimilarity

    condition = Q()
    similarity = None
    for name in searcher.similar_fields:
        condition |= TrigramWordSimilar(F(name), needle)
        this = TrigramWordSimilarity(needle, name)
        similarity = this if similarity is None else similarity + this
    qs = searcher.order(searcher.base().filter(condition)).annotate(similarity=similarity)
    qs = qs.order_by("-similarity", "pk")
    with transaction.atomic(using=qs.db):
        # For this transaction only: the operator's threshold is a setting, not an argument.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                           [str(WORD_SIMILARITY_THRESHOLD)])
        return list(qs[:GROUP_SIZE])


def _uses_trigrams() -> bool:
    return connection.vendor == "postgresql"


# --- Suggestions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Vocabulary:
    """Known names folded once for ``difflib``: each whole name by its folded form (a later name
    with the same folded form wins) and each word of three letters or more by its unaccented
    form (the first spelling met wins)."""

    names: dict[str, str]
    words: dict[str, str]

    @classmethod
    def of(cls, names: Iterable[str]) -> Vocabulary:
        names = [name for name in names if name]
        words: dict[str, str] = {}
        for name in names:
            for word in _WORD.findall(name):
                if len(word) >= 3:
                    words.setdefault(unaccented(word), word)
        return cls(names={normalise_search_text(name): name for name in names}, words=words)

    @classmethod
    def merged(cls, vocabularies: Iterable[Vocabulary]) -> Vocabulary:
        """One vocabulary of several, as ``of`` would build it from all their names in order
        (nothing is folded again)."""
        names: dict[str, str] = {}
        words: dict[str, str] = {}
        for vocabulary in vocabularies:
            names.update(vocabulary.names)
            for folded, word in vocabulary.words.items():
                words.setdefault(folded, word)
        return cls(names=names, words=words)


def _names(searcher: Searcher, language: str) -> list[str]:
    """The names (titles) of the group's records in ``language`` (else the other one)."""

    def build() -> list[str]:
        field_name = searcher.name_field
        columns = [f"{field_name}_en", f"{field_name}_sl"]
        return [localised(obj, field_name, language).value for obj in searcher.base().only(*columns)]

    return _cached("names", searcher.area, build, searcher.key, language)


def _vocabulary(searcher: Searcher, language: str) -> Vocabulary:
    """``_names`` folded for suggestions, cached under the same versions: a search that finds
    nothing folds no name again until the group's area changes."""
    return _cached("vocabulary", searcher.area, lambda: Vocabulary.of(_names(searcher, language)), searcher.key,
                   language)


def suggestion_for(query: str, names: Iterable[str] | Vocabulary) -> str:
    """A query close to ``query`` made of known names (or their ``Vocabulary``): a whole name when
    one is close enough, else ``query`` with each unknown word replaced by the closest known word.
    "" when nothing is close or nothing would change. Accents and case do not count as differences."""
    words = query_words(query)
    if not words:
        return ""
    vocabulary = names if isinstance(names, Vocabulary) else Vocabulary.of(names)
    found = difflib.get_close_matches(" ".join(words), list(vocabulary.names), n=1, cutoff=SUGGESTION_CUTOFF)
    if found:
        return vocabulary.names[found[0]]
    known = vocabulary.words
    corrected, changed = [], False
    for word in words:
        if word in known:
            corrected.append(known[word])
            continue
        close = difflib.get_close_matches(word, list(known), n=1, cutoff=SUGGESTION_CUTOFF)
        if close:
            corrected.append(known[close[0]])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else ""


def suggestion_url(suggestion: str) -> str:
    return f"{reverse('portal:search')}?{urlencode({'q': suggestion})}"


# --- The search ------------------------------------------------------------------------------
def search_site(query: str) -> SiteSearch:
    """Search every group for ``query``; groups without results are left out."""
    query = clean_query(query)[:QUERY_MAX_LENGTH]
    result = SiteSearch(query=query)
    words = query_words(query)
    if not words:
        return result
    all_searchers = searchers()
    for searcher in all_searchers:
        qs = searcher.exact(searcher.base(), words, query)
        count = qs.count()
        rows = list(searcher.order(qs)[:GROUP_SIZE]) if count else []
        more_url = f"{searcher.list_url}?{urlencode({'q': query})}" if searcher.list_url and count else ""
        result.groups.append(ResultGroup(
            searcher.key, searcher.heading, rows, count, more_url=more_url, more_label=searcher.list_label
        ))
    if _uses_trigrams() and result.total < FEW_RESULTS:
        needle = " ".join(words)
        by_key = {s.key: s for s in all_searchers}
        for group in result.groups:
            if not group.count:
                group.results = _close_matches(by_key[group.key], needle)
                group.count = len(group.results)
                group.close_matches = bool(group.results)
    result.groups = [group for group in result.groups if group.count]
    if not result.groups:
        language = current_language()
        vocabulary = Vocabulary.merged(_vocabulary(s, language) for s in all_searchers if s.suggests)
        result.suggestion = suggestion_for(query, vocabulary)
    return result
