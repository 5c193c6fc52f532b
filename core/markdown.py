"""Markdown for text coordinators and applicants write: rendered with Python-Markdown, then
sanitised with nh3 to a small allow-list (no scripts, no styles, no event handlers, safe links)."""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to safe HTML. Raw HTML in the source is escaped or stripped, never trusted."""
    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return mark_safe(sanitise_html(html))  # noqa: S308 — sanitised by nh3 just above
