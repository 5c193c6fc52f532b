"""Site-wide invariants: no missing migrations, a clean system check, and exactly one <h1>, a
language and the skip link on every public page in both languages."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.pages import public_paths

pytestmark = pytest.mark.django_db
H1 = re.compile(r"<h1[\s>]")


def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        assert not exc.code, f"Missing migrations:\n{out.getvalue()}"


def test_system_check_is_clean():
    out = StringIO()
    call_command("check", "--fail-level", "WARNING", stdout=out, stderr=out)
    assert "no issues" in out.getvalue()


def test_every_public_page_has_one_h1_a_language_and_a_skip_link(seeded_with_demo, client):
    paths = public_paths()
    assert len(paths) > 15, "the crawl must reach the detail pages of the seeded data"
    problems = []
    for path in paths:
        for prefix, lang in (("", "en"), ("/sl", "sl")):
            response = client.get(prefix + path)
            expected = 404 if path.startswith("/this-page") else 200
            if response.status_code != expected:
                problems.append(f"{prefix}{path}: HTTP {response.status_code}")
                continue
            html = response.content.decode()
            headings = len(H1.findall(html))
            if headings != 1:
                problems.append(f"{prefix}{path}: {headings} <h1> elements")
            if f'<html lang="{lang}">' not in html:
                problems.append(f"{prefix}{path}: lang is not {lang}")
            if 'href="#main"' not in html:
                problems.append(f"{prefix}{path}: no skip link")
    assert not problems, "\n".join(problems)


def test_every_html_email_is_a_whole_document_in_the_messages_language():
    from pathlib import Path

    from outbox.services import render_email

    folder = Path(__file__).resolve().parents[1] / "templates" / "emails"
    parts = [p for p in folder.glob("*/[a-z]*.html")]
    assert parts, "there are HTML email parts"
    for part in parts:
        assert part.read_text().startswith('{% extends "emails/_layout.html" %}'), part.name
    _subject, _text, html = render_email(
        "portal/accessibility_feedback", {"email": "a@example.org", "message": "x"}, language="sl"
    )
    assert html.startswith("<!DOCTYPE html>") and '<html lang="sl">' in html and "<title>" in html
