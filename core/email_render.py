"""What every HTML email needs at render: its CSS inlined, and times in the reader's zone.

``inline_css`` moves the rules of the layout's ``<style>`` block (``templates/emails/_layout.html``)
into ``style`` attributes with css-inline (one inliner for the process, never a network fetch);
only at-rules (the media queries of the small-screen layout) stay in a ``<style>`` block, for
the mail programs that read one. ``outbox.services.render_email`` calls it once per message.

``registrant_time`` states a session's time in the registrant's own zone (the browser's IANA
zone recorded at registration), for the emails' "11:00–12:30 your time (EET)".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import css_inline
from django.utils import formats, timezone

from core.zones import zone_or_none, zone_short

logger = logging.getLogger(__name__)

# One inliner for the process: it keeps no state between documents. At-rules (media queries)
# stay in a <style> block; a stylesheet link is never fetched.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def inline_css(document: str) -> str:
    """``document`` with the rules of its ``<style>`` blocks written into ``style`` attributes.
    A fragment without a ``<style>`` block is returned as it is (nothing to inline, and it must
    not be wrapped into a document). Should inlining fail, the message keeps its ``<style>``
    block: a plainer email beats none."""
    if "<style" not in document:
        return document
    try:
        return _INLINER.inline(document)
    except (css_inline.InlineError, ValueError):
        logger.exception("CSS inlining failed; the email keeps its <style> block")
        return document


@dataclass(frozen=True)
class LocalTime:
    """A session's time in one zone: ``when`` ("11:00–12:30", with the date when the day is not
    the session's own), ``zone`` (its abbreviation, or the UTC offset where it has none) and
    ``name`` (the IANA name)."""

    when: str
    zone: str
    name: str


def registrant_time(start: datetime, end: datetime, session_zone: str, registrant_zone: str) -> LocalTime | None:
    """The session from ``start`` to ``end`` in the registrant's zone, in the active language's
    formats — or None when that zone is unknown, invalid, or keeps the session zone's clock
    for the whole session (nothing to convert)."""
    own, theirs = zone_or_none(registrant_zone), zone_or_none(session_zone)
    if own is None or theirs is None:
        return None
    session_start, session_end = timezone.localtime(start, theirs), timezone.localtime(end, theirs)
    own_start, own_end = timezone.localtime(start, own), timezone.localtime(end, own)
    if own_start.utcoffset() == session_start.utcoffset() and own_end.utcoffset() == session_end.utcoffset():
        return None
    first = formats.date_format(own_start, "TIME_FORMAT")
    if own_start.date() != session_start.date():
        first = formats.date_format(own_start, "DATETIME_FORMAT")
    if own_end.date() != own_start.date():  # past midnight on the registrant's clock
        when = f"{formats.date_format(own_start, 'DATETIME_FORMAT')}–{formats.date_format(own_end, 'DATETIME_FORMAT')}"
    else:
        when = f"{first}–{formats.date_format(own_end, 'TIME_FORMAT')}"
    return LocalTime(when=when, zone=zone_short(own_start), name=registrant_zone)
