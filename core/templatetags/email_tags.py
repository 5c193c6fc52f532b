"""Template tags for the email templates (``templates/emails``), in both engines (HTML and text).

``{% registrant_time session registration as own %}``: the session's time in the registrant's
own zone (``core.email_render.LocalTime``), or None when it is the session's clock anyway.
``{{ text|plain_text }}``: Markdown written by a coordinator, as plain text for a text part.
"""

from __future__ import annotations

from django import template

from core.email_render import LocalTime
from core.email_render import registrant_time as local_time

register = template.Library()


@register.simple_tag
def registrant_time(session, registration) -> LocalTime | None:
    """Duck-typed on purpose (core knows no app): ``session`` has ``start``, ``end`` and
    ``time_zone``; ``registration`` has ``time_zone`` (the browser's IANA zone, or "")."""
    zone = getattr(registration, "time_zone", "") or ""
    if not zone or session is None:
        return None
    return local_time(session.start, session.end, session.time_zone, zone)
