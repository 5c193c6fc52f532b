"""Writer for a news item that invites to a webinar series: the ``events.Event`` (kind webinar)
and its ``webinars.Webinar`` (platform, duration). The document gives no dates, so no sessions.

Organisers and presenters are the organisations the item names, which the network writer has
created (as external partners) just before. They are set while the event has none, so a
coordinator's choice is never overwritten.
"""

from __future__ import annotations

import re

from django.utils.text import slugify

from core.slugs import unique_slug
from events.models import Event
from network.models import Partner
from seeds.parser import ParsedNewsItem
from webinars.models import Webinar

from .base import Report, upsert
from .network import organisation_source_key
from .prose import escape_markdown, summary_of

LANGUAGES = {"english": Event.Language.ENGLISH, "slovenian": Event.Language.SLOVENIAN, "slovene": Event.Language.SLOVENIAN}


_INVITATION = re.compile(
    r"^(?:an?\s+)?invitation\s+to\s+(?:participate\s+in|attend|join|take\s+part\s+in)\s+"
    r"(?:an?\s+|the\s+)?(?:online\s+)?(?:webinars?|seminars?)(?:\s+series)?\s+(?:on|about)\s+(?P<topic>.+)$",
    re.IGNORECASE,
)


def series_title(news_title: str) -> str:
    """The webinar's own title from an invitation's headline: "Invitation to participate in a
    webinar on promoting X" → "Promoting X". Any other headline is kept as it is."""
    match = _INVITATION.match(news_title.strip())
    if not match:
        return news_title.strip()
    topic = match["topic"].strip().rstrip(".")
    return topic[0].upper() + topic[1:]


def webinar_source_key(parsed: ParsedNewsItem) -> str:
    return f"webinar:{parsed.date.isoformat()}:{slugify(parsed.title)[:80]}"


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def _organisations(parsed: ParsedNewsItem) -> list[Partner]:
    """The named organisations, looked up by the network writer's key, then by name."""
    found: list[Partner] = []
    for name in parsed.organisations:
        partner = (
            Partner.objects.filter(source_key=organisation_source_key(name)).first()
            or Partner.objects.filter(name__iexact=name).first()
            or Partner.objects.filter(acronym__iexact=name).first()
        )
        if partner is not None:
            found.append(partner)
    return found


def write_webinar(parsed: ParsedNewsItem, *, source: str, report: Report) -> None:
    """Create or update the webinar series an invitation describes. A news item that is not
    about an online seminar (no platform and no duration) is left alone."""
    if not parsed.platform and not parsed.duration_minutes:
        return
    key = webinar_source_key(parsed)
    description = "\n\n".join(escape_markdown(p) for p in parsed.body.split("\n\n") if p.strip())
    presenters_note = _sentence(parsed.facts.get("Presenters", ""))
    event = upsert(
        Event,
        source_key=key,
        source=source,
        values={
            "title": series_title(parsed.title)[:300],
            "kind": Event.Kind.WEBINAR,
            "summary": summary_of(parsed.body),
            "description": description,
            "footnote": ("\\* " + escape_markdown(parsed.footnote)) if parsed.footnote else "",
            "language": LANGUAGES.get(parsed.language.strip().lower(), Event.Language.ENGLISH),
            "organising_project": parsed.project[:200],
            "presenters_note": presenters_note[:500],
            "mode": Event.Mode.ONLINE,
            "status": Event.Status.PUBLISHED,
        },
        create_only={
            "slug": unique_slug(
                Event.objects.exclude(source_key=key), series_title(parsed.title), fallback="webinar", max_length=110
            )
        },
        report=report,
    )
    organisations = _organisations(parsed)
    if organisations and not event.organisers.exists():
        event.organisers.set(organisations)
    if organisations and not event.presenters.exists():
        event.presenters.set(organisations)
    missing = len(parsed.organisations) - len(organisations)
    if missing:
        report.notes.append(f"Webinar {parsed.title!r}: {missing} named organisation(s) not found as partners.")
    upsert(
        Webinar,
        source_key=key,
        source=source,
        values={
            "event": event,
            "platform": (parsed.platform or "Zoom")[:60],
            "duration_minutes": parsed.duration_minutes,
        },
        report=report,
    )
