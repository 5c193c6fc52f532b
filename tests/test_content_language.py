"""WCAG 3.1.2 (Language of Parts) for record content: on every public page, a text a coordinator
wrote that is shown in the other language (the fallback) sits inside an element whose ``lang``
is that language.

The seeded site is English only. Every translated field's value gets a marker word in front; a
crawl of every public page in Slovenian then finds each text node holding the marker and checks
the nearest ``lang`` around it is "en". The same with the values moved to Slovenian and the
English pages.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db.models import F, Value
from django.db.models.functions import Concat

from core.content import translated_fields
from tests.browser.pages import public_paths
from tests.html_lang import TextLanguages

pytestmark = pytest.mark.django_db

def translated_models():
    for model in apps.get_models():
        fields = translated_fields(model)
        if fields:
            yield model, fields


def move_content(*, marker: str, to: str, source: str = "en") -> int:
    """Put ``marker`` in front of every translated value and keep it only in language ``to``."""
    rows = 0
    for model, fields in translated_models():
        for field in fields:
            values = {f"{field}_{to}": Concat(Value(f"{marker} "), F(f"{field}_{source}"))}
            if to != source:
                values[f"{field}_{source}"] = Value("")
            written = model.objects.exclude(**{f"{field}_{source}": ""}).exclude(**{f"{field}_{source}__isnull": True})
            rows += written.update(**values)
    cache.clear()
    return rows


def unmarked(client, *, marker: str, prefix: str, language: str) -> tuple[int, list[str]]:
    seen, problems = 0, []
    for path in public_paths():
        response = client.get(prefix + path, follow=True)  # a page that moved: where it is now
        assert response.status_code == (404 if path.startswith("/this-page") else 200), prefix + path
        parser = TextLanguages(marker)
        parser.feed(response.content.decode())
        for lang, where, text in parser.found:
            seen += 1
            if lang != language:
                problems.append(f"{prefix}{path}: <{where}> lang={lang or '?'}: {text}")
    return seen, problems


def test_english_content_on_slovenian_pages_is_marked_english(seeded_with_demo, client):
    assert move_content(marker="Qzxen", to="en") > 40
    seen, problems = unmarked(client, marker="Qzxen", prefix="/sl", language="en")
    assert seen > 100, "the crawl must show record content"
    assert not problems, f"{len(problems)} unmarked fallbacks:\n" + "\n".join(dict.fromkeys(problems))


def test_slovenian_content_on_english_pages_is_marked_slovenian(seeded_with_demo, client):
    assert move_content(marker="Qzxsl", to="sl") > 40
    seen, problems = unmarked(client, marker="Qzxsl", prefix="", language="sl")
    assert seen > 100, "the crawl must show record content"
    assert not problems, f"{len(problems)} unmarked fallbacks:\n" + "\n".join(dict.fromkeys(problems))


def test_content_in_the_pages_language_is_not_wrapped(seeded_with_demo, client):
    """The marker is checked against the page's own language: no needless lang="en" on English
    pages (a wrapper that always says "en" would pass the first test)."""
    move_content(marker="Qzxen", to="en")
    seen, problems = unmarked(client, marker="Qzxen", prefix="", language="en")
    assert seen > 100 and not problems
    html = client.get("/partners/").content.decode()
    assert '<span lang="en">' not in html and '<div lang="en">' not in html
