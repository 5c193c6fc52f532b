"""Writer for a parsed news item: one ``portal.NewsItem``, linked to the webinar event that the
webinar writer created from the same document just before (when there is one)."""

from __future__ import annotations

from django.utils.text import slugify

from core.slugs import unique_slug
from events.models import Event
from portal.models import NewsItem
from seeds.parser import ParsedNewsItem
from seeds.vocabulary import NEWS_CATEGORY, fill_from_catalogue

from .base import Report, upsert
from .prose import escape_markdown, summary_of
from .webinars import webinar_source_key


def news_source_key(parsed: ParsedNewsItem) -> str:
    return f"news:{parsed.date.isoformat()}:{slugify(parsed.title)[:80]}"


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
    event = Event.objects.filter(source_key=webinar_source_key(parsed)).first()
    if event is None:
        event = Event.objects.filter(source=source, kind=Event.Kind.WEBINAR).order_by("pk").first()
    return event


def write_news_item(parsed: ParsedNewsItem, *, source: str, report: Report) -> None:
    key = news_source_key(parsed)
    item = upsert(
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
    fill_from_catalogue(item, "category", context=NEWS_CATEGORY)
