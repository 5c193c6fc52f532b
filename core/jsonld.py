"""schema.org JSON-LD for ``<script type="application/ld+json">`` blocks.

Django's ``json_script`` filter wraps its output in its own ``<script>`` element of type
application/json, so it cannot produce an ld+json block; this does the same escaping.
``ld_text`` and ``ld_name`` give a record's translated text and name as the public pages'
JSON-LD writes them (events, projects)."""

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from core.content import current_language, language_tagged, localised


def to_json_ld(data: dict[str, Any]) -> SafeString:
    """JSON safe to embed in a script element: ``<`` is escaped, so no ``</script>`` can end it."""
    return mark_safe(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))  # noqa: S308


def ld_text(obj: Any, field: str) -> str | dict[str, str] | None:
    """A record's text for JSON-LD in the page's language: a plain string, or, where it is the
    other language's value shown as a fallback, a value object carrying that language; ``None``
    when neither language has one."""
    value, language = localised(obj, field)
    if not value:
        return None
    return value if language == current_language() else {"@value": value, "@language": language}


def ld_name(obj: Any, field: str) -> str | dict[str, str] | list[dict[str, str]] | None:
    """A name for JSON-LD: written in both languages, every language's value as a language-tagged
    value object (the page's language first); else as ``ld_text``."""
    tagged = language_tagged(obj, field)
    if len(tagged) < 2:
        return ld_text(obj, field)
    page_language = current_language()
    return sorted(tagged, key=lambda value: value["@language"] != page_language)
