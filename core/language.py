"""The language switcher: a plain link to the same page in the other language.

Languages live in the URL (English at ``/``, Slovenian under ``/sl/``), so switching is a link,
not a form: it works without JavaScript, keeps the query string, can be bookmarked, and leaves
public pages free of a CSRF token (so that they can be cached, see ``core.cache``).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def url_in_language(url: str, language: str) -> str:
    """The same page in ``language``. URL patterns are resolved and reversed where they can be
    (so translated paths would work); an unknown path (a 404 page) has its prefix swapped."""
    translated = translate_url(url, language)
    if translated != url or translation.get_language_from_path(urlsplit(url).path) == language:
        return translated
    parts = urlsplit(url)
    path = parts.path
    current = translation.get_language_from_path(path)
    if current and current != settings.LANGUAGE_CODE:
        path = path[len(current) + 1 :] or "/"
    if language != settings.LANGUAGE_CODE:
        path = f"/{language}{path}"
    return urlunsplit(("", "", path, parts.query, ""))
