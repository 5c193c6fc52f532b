"""Writer for a parsed news item: one ``portal.NewsItem``, linked to the webinar event that the
webinar writer created from the same document just before (when there is one)."""

from __future__ import annotations

import re

from django.apps import apps
from django.utils.text import slugify

from portal.models import NewsItem
from portal.slugs import unique_slug
from seeds.parser import ParsedNewsItem

from .base import Report, upsert

SUMMARY_MIN_CHARS = 100
SUMMARY_MAX_CHARS = 300

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"“‘(A-ZČŠŽ0-9])")
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>])")
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


def news_source_key(parsed: ParsedNewsItem) -> str:
    return f"news:{parsed.date.isoformat()}:{slugify(parsed.title)[:80]}"


def escape_markdown(text: str) -> str:
    """Imported prose is text, not Markdown: escape what Markdown would read as markup
    (the seed's "BESPOC*" footnote mark must not start emphasis)."""
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def summary_of(body: str) -> str:
    """The first sentence(s) of the first paragraph: at least ``SUMMARY_MIN_CHARS`` long when the
    paragraph allows, never more than ``SUMMARY_MAX_CHARS``."""
    first = " ".join(body.strip().split("\n\n", 1)[0].split())
    summary = ""
    for sentence in _SENTENCE_END.split(first):
        candidate = f"{summary} {sentence}".strip()
        if summary and len(candidate) > SUMMARY_MAX_CHARS:
            break
        summary = candidate
        if len(summary) >= SUMMARY_MIN_CHARS:
            break
    if len(summary) > SUMMARY_MAX_CHARS:
        summary = summary[: SUMMARY_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return summary


def body_markdown(parsed: ParsedNewsItem) -> str:
    """The parsed body, then the facts as a list, then the footnote, as Markdown."""
    parts = [escape_markdown(paragraph) for paragraph in parsed.body.split("\n\n") if paragraph.strip()]
    if parsed.facts:
        facts = []
        for key, value in parsed.facts.items():
            value = value.rstrip()
            if value and value[-1] not in ".?!":
                value += "."
            facts.append(f"- **{escape_markdown(key)}:** {escape_markdown(value)}")
        parts.append("\n".join(facts))
    if parsed.footnote:
        parts.append("\\* " + escape_markdown(parsed.footnote))
    return "\n\n".join(parts)


def _related_event(parsed: ParsedNewsItem, source: str):
    """The webinar event the webinar writer created from this document just before: found by
    its source key (``seeds.writers.webinars.webinar_source_key``), else by the same source file."""
    if not apps.is_installed("events"):
        return None
    from .webinars import webinar_source_key  # imported here: webinars imports this module

    Event = apps.get_model("events", "Event")
    event = Event.objects.filter(source_key=webinar_source_key(parsed)).first()
    if event is None:
        event = Event.objects.filter(source=source, kind=Event.Kind.WEBINAR).order_by("pk").first()
    return event


def write_news_item(parsed: ParsedNewsItem, *, source: str, report: Report) -> None:
    key = news_source_key(parsed)
    upsert(
        NewsItem,
        source_key=key,
        source=source,
        values={
            "title": parsed.title[:300],
            "category": parsed.category[:60],
            "published_on": parsed.date,
            "summary": summary_of(parsed.body),
            "body": body_markdown(parsed),
            "is_published": True,
            "related_event": _related_event(parsed, source),
        },
        create_only={
            "slug": unique_slug(
                NewsItem.objects.exclude(source_key=key), parsed.title, fallback="news", max_length=110
            )
        },
        report=report,
    )
