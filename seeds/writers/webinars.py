"""Writer for a news item that invites to an event: the ``events.Event`` (its kind as the text
names it, webinar by default), its ``webinars.Webinar`` when it is online (platform, duration),
and the ``events.Session`` rows for the dates the text states.

Sessions carry no source key, so the event remembers, in ``imported_values["sessions"]``, the
starts (UTC, ISO) it has imported: a session is created once and never touched again, so a
coordinator who moves, edits or deletes it keeps that change on every later import.

Several languages (or one the event's choices lack) make the event "mul"; the languages are then
listed in a last "Languages: …" line of the event's description.

Organisers and presenters are the organisations the item names, which the network writer has
created (as external partners) just before. They are set while the event has none, so a
coordinator's choice is never overwritten.
"""

from __future__ import annotations

import datetime
import zoneinfo

from babel import Locale
from django.conf import settings
from django.utils.text import slugify

from core.slugs import unique_slug
from events.models import Event, Session
from network.models import Partner
from seeds.parser import ParsedNewsItem, ParsedSession, event_title_from_headline
from webinars.models import Webinar

from .base import Report, upsert
from .network import organisation_source_key
from .prose import escape_markdown, summary_of

SESSIONS_KEY = "sessions"  # in Event.imported_values: the session starts already imported


def series_title(news_title: str) -> str:
    """The event's own title from an invitation's headline: "Invitation to participate in a
    webinar on promoting X" → "Promoting X". Any other headline is kept as it is."""
    return event_title_from_headline(news_title)


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
            or Partner.objects.filter(name_en__iexact=name).first()
            or Partner.objects.filter(acronym_en__iexact=name).first()
        )
        if partner is not None:
            found.append(partner)
    return found


def _event_language(parsed: ParsedNewsItem) -> str:
    """en / sl for one of those; "mul" for several or another language; English when none is stated."""
    codes = parsed.languages
    if not codes:
        return Event.Language.ENGLISH
    if len(codes) == 1 and codes[0] in Event.Language.values:
        return codes[0]
    return Event.Language.MIXED


def _languages_line(parsed: ParsedNewsItem) -> str:
    """ "Languages: Lithuanian, English." when the event's language field cannot say it."""
    if _event_language(parsed) != Event.Language.MIXED:
        return ""
    names = Locale("en").languages
    return "Languages: " + ", ".join(names.get(code, code) for code in parsed.languages) + "."


def _event_kind(parsed: ParsedNewsItem) -> str:
    return parsed.kind if parsed.kind in Event.Kind.values else Event.Kind.WEBINAR


def _session_zone(session: ParsedSession) -> str:
    """The zone the parser found from a named country; else the site's zone when it agrees with the
    stated offset (or none is stated); else a fixed-offset zone for the stated offset."""
    if session.time_zone:
        return session.time_zone
    site = settings.TIME_ZONE
    offset = session.utc_offset_minutes
    if offset is None:
        return site
    site_offset = session.start.replace(tzinfo=zoneinfo.ZoneInfo(site)).utcoffset()
    if site_offset == datetime.timedelta(minutes=offset):
        return site
    if offset % 60 == 0:
        return "UTC" if offset == 0 else f"Etc/GMT{-offset // 60:+d}"  # Etc/GMT-2 is UTC+2
    return site


def _aware(moment: datetime.datetime, zone: str) -> datetime.datetime:
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))


def _session_values(parsed: ParsedNewsItem, session: ParsedSession) -> dict | None:
    """Field values of a new Session; None when its end cannot be known."""
    zone = _session_zone(session)
    start = _aware(session.start, zone)
    if session.end is not None:
        end = _aware(session.end, zone)
    elif parsed.duration_minutes:
        end = start + datetime.timedelta(minutes=parsed.duration_minutes)
    else:
        return None
    values: dict = {"start": start, "end": end, "time_zone": zone}
    if parsed.capacity:
        values["capacity"] = parsed.capacity
    if parsed.registration_deadline:
        # Open through the whole deadline day, but never past the session's start.
        day_after = parsed.registration_deadline + datetime.timedelta(days=1)
        values["registration_closes_at"] = min(_aware(datetime.datetime.combine(day_after, datetime.time()), zone), start)
    return values


def write_sessions(parsed: ParsedNewsItem, event: Event, report: Report) -> None:
    """Create each stated session once (see the module docstring); a session a coordinator made
    by hand at the same start is adopted as it is."""
    imported = list((event.imported_values or {}).get(SESSIONS_KEY) or [])
    for session in parsed.sessions:
        values = _session_values(parsed, session)
        if values is None:
            report.notes.append(f"Event {event.title!r}: the session on {session.start:%Y-%m-%d} has no end; not created.")
            continue
        key = values["start"].astimezone(datetime.UTC).isoformat()
        if key in imported:
            report.count("skipped", Session)
            continue
        if not event.sessions.filter(start=values["start"]).exists():
            Session.objects.create(event=event, **values)
            report.count("created", Session)
        imported.append(key)
    if imported != (event.imported_values or {}).get(SESSIONS_KEY):
        event.imported_values = {**(event.imported_values or {}), SESSIONS_KEY: imported}
        event.save(update_fields=["imported_values"])


def _write_event(parsed: ParsedNewsItem, *, source: str, report: Report) -> Event:
    key = webinar_source_key(parsed)
    paragraphs = [escape_markdown(p) for p in parsed.body.split("\n\n") if p.strip()]
    if line := _languages_line(parsed):
        paragraphs.append(escape_markdown(line))
    title = series_title(parsed.title)
    return upsert(
        Event,
        source_key=key,
        source=source,
        values={
            "title": title[:300],
            "kind": _event_kind(parsed),
            "summary": summary_of(parsed.body),
            "description": "\n\n".join(paragraphs),
            "footnote": ("\\* " + escape_markdown(parsed.footnote)) if parsed.footnote else "",
            "language": _event_language(parsed),
            "organising_project": parsed.project[:200],
            "presenters_note": _sentence(parsed.facts.get("Presenters", ""))[:500],
            "mode": Event.Mode.ONLINE if parsed.platform or not parsed.sessions else Event.Mode.IN_PERSON,
            "status": Event.Status.PUBLISHED,
        },
        create_only={
            "slug": unique_slug(Event.objects.exclude(source_key=key), title, fallback="webinar", max_length=110)
        },
        report=report,
    )


def write_webinar(parsed: ParsedNewsItem, *, source: str, report: Report) -> None:
    """Create or update the event an invitation describes. A news item that names no platform,
    duration or dated session is not an invitation and is left alone."""
    if not parsed.platform and not parsed.duration_minutes and not parsed.sessions:
        return
    event = _write_event(parsed, source=source, report=report)
    organisations = _organisations(parsed)
    if organisations and not event.organisers.exists():
        event.organisers.set(organisations)
    if organisations and not event.presenters.exists():
        event.presenters.set(organisations)
    missing = len(parsed.organisations) - len(organisations)
    if missing:
        report.notes.append(f"Event {parsed.title!r}: {missing} named organisation(s) not found as partners.")
    write_sessions(parsed, event, report)
    if not parsed.platform and not parsed.duration_minutes:
        return  # an event in person: nothing online to describe
    upsert(
        Webinar,
        source_key=webinar_source_key(parsed),
        source=source,
        values={
            "event": event,
            "platform": (parsed.platform or "Zoom")[:60],
            "duration_minutes": parsed.duration_minutes,
        },
        report=report,
    )
