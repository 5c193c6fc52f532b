"""Record content in the reader's language, with the fallback marked.

Every text a coordinator writes has an English and a Slovenian value (django-modeltranslation's
``<field>_en``/``<field>_sl`` columns, named in each app's ``translation.py``). Its descriptors
already fall back — ``partner.name`` is the Slovenian name on /sl/ pages, else the English one —
but they do not say which language they returned, and a page must put English text under /sl/
inside an element with ``lang="en"`` (WCAG 3.1.2, Language of Parts). ``localised`` reads the
columns in the same order as modeltranslation (the active language, then
``MODELTRANSLATION_FALLBACK_LANGUAGES``) and returns the value with its language; the
``{% content %}`` tag (``core.templatetags.core_tags``) wraps a fallback in a ``span`` or ``div``
with that ``lang``. Written here because modeltranslation has no such call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from modeltranslation.manager import get_translatable_fields_for_model
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.utils import build_localized_fieldname, resolution_order

from core.collation import sort_key
from core.markdown import render_markdown


class Localised(NamedTuple):
    value: str
    language: str  # the language ``value`` is written in ("" for an empty value)


def current_language() -> str:
    """The active language as one of ``MODELTRANSLATION_LANGUAGES`` ("sl-si" -> "sl")."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in AVAILABLE_LANGUAGES else settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def translated_fields(model: type) -> tuple[str, ...]:
    """The fields of ``model`` that have a value per language (its ``translation.py``)."""
    return tuple(get_translatable_fields_for_model(model) or ())


def is_translated(obj: Any, field: str) -> bool:
    # ``obj.__class__``, not ``type(obj)``: a lazy object (the footer's contact block) is a wrapper.
    return getattr(obj, "_meta", None) is not None and field in translated_fields(obj.__class__)


def localised(obj: Any, field: str, language: str | None = None) -> Localised:
    """``obj.<field>`` in ``language`` (the active one by default), or in the first fallback
    language that has a value; ``Localised("", "")`` when no language has one. A field that is
    not translated is returned as it is, in ``language``."""
    language = language or current_language()
    if not is_translated(obj, field):
        value = getattr(obj, field, "")
        return Localised(value if value is not None else "", language if value else "")
    for candidate in resolution_order(language, settings.MODELTRANSLATION_FALLBACK_LANGUAGES):
        value = getattr(obj, build_localized_fieldname(field, candidate), None)
        if value not in (None, ""):
            return Localised(value, candidate)
    return Localised("", "")


def marked(obj: Any, field: str, *, markdown: bool = False) -> SafeString:
    """HTML for ``obj.<field>`` in the active language; a fallback in the other language is
    wrapped in ``<span lang="…">`` (``<div lang="…">`` around rendered Markdown). The
    ``{% content %}`` tag, and form labels that show a record's name, use it."""
    value, language = localised(obj, field)
    is_fallback = language not in ("", current_language())
    if markdown:
        html = render_markdown(value)
        return format_html('<div lang="{}">{}</div>', language, html) if is_fallback else html
    return format_html('<span lang="{}">{}</span>', language, value) if is_fallback else format_html("{}", value)


def in_language(obj: Any, field: str, language: str) -> str:
    """``obj.<field>`` exactly as written in ``language`` ("" if it was not), without fallback."""
    if not is_translated(obj, field):
        return getattr(obj, field, "") or ""
    return getattr(obj, build_localized_fieldname(field, language), None) or ""


def all_languages(obj: Any, field: str) -> dict[str, str]:
    """``{"en": …, "sl": …}``: every language's own value ("" where it is empty), e.g. for the
    API, which returns both so that a client chooses."""
    return {language: in_language(obj, field, language) for language in AVAILABLE_LANGUAGES}


def set_in_all_languages(obj: Any, field: str, value: str) -> None:
    """Write ``value`` as ``obj.<field>`` in every language (erasing personal data, say: a plain
    assignment writes only the active language's column)."""
    if not is_translated(obj, field):
        setattr(obj, field, value)
        return
    for language in AVAILABLE_LANGUAGES:
        setattr(obj, build_localized_fieldname(field, language), value)
    obj.__dict__[field] = value


def language_tagged(obj: Any, field: str) -> list[dict[str, str]]:
    """JSON-LD value objects, one per language that has a value:
    ``[{"@value": "Central Technical Library", "@language": "en"}, {"@value": "…", "@language": "sl"}]``."""
    return [
        {"@value": value, "@language": language}
        for language, value in all_languages(obj, field).items()
        if value
    ]


def in_reading_order(records: Iterable[Any], field: str = "name") -> list[Any]:
    """``records`` sorted by ``field`` as the visitor reads it (their language, else the other),
    in their language's alphabet (``core.collation``): for lists too short to keep sort keys
    (working groups, modules, a filter's choices). Partners sort in the database instead
    (``Partner.objects.in_name_order``)."""
    language = current_language()
    return sorted(records, key=lambda record: (sort_key(localised(record, field).value, language), record.pk))


def for_api(obj: Any, field: str) -> dict[str, str]:
    """``{"name": …, "name_sl": …}`` for the JSON API and CSV exports: the English value under the
    field's own name (the Slovenian one where no English was written, as the English pages show
    it), and the Slovenian value exactly as written under ``<field>_sl`` ("" where there is none)."""
    return {field: localised(obj, field, "en").value, f"{field}_sl": in_language(obj, field, "sl")}
