"""The language switcher's endpoint (``/i18n/setlang/``, the form in ``base.html``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.i18n import set_language as django_set_language


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, with ``next`` resolved in the language of its own URL prefix.

    Django finds the same page in the other language by resolving ``next`` in the *active*
    language. On the un-prefixed ``/i18n/setlang/`` that is always the default (English), so a
    visitor on ``/sl/partners/x/`` who chose English was sent back to the Slovenian page.
    Activating the language named by ``next``'s prefix (``/sl/…``) first lets Django resolve it.
    """
    next_url = request.POST.get("next", request.GET.get("next")) or request.META.get("HTTP_REFERER") or ""
    path_language = translation.get_language_from_path(urlsplit(next_url).path)
    if not path_language:
        return django_set_language(request)
    with translation.override(path_language):
        return django_set_language(request)
