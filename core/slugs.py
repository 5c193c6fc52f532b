"""Slugs that do not clash with the rows already in a table."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.text import slugify


def unique_slug(taken: QuerySet, text: str, *, fallback: str, max_length: int = 100) -> str:
    """A slug of ``text`` (``fallback`` when nothing is left of it) that no row of ``taken`` uses:
    "name", then "name-2", "name-3" … One query per clash."""
    base = slugify(text)[:max_length].strip("-") or fallback
    slug, n = base, 2
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
