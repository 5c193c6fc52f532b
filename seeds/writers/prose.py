"""Imported prose as Markdown: escaping and summaries, shared by the news and webinar writers."""

from __future__ import annotations

import re

SUMMARY_MIN_CHARS = 100
SUMMARY_MAX_CHARS = 300

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"“‘(A-ZČŠŽ0-9])")
_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>])")
_BLOCK_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


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
