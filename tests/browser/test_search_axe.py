"""The site search in a real browser: its pages (results, nothing found with a suggestion, the empty
form, a refused query) have zero axe-core WCAG 2.1 A/AA violations and one <h1> in both
languages, and the header's search box works from the keyboard without JavaScript's help."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERIES = ["library", "librray", "", "x" * 101]


def test_search_pages_are_accessible(seeded_with_demo, browser_page, assert_no_axe_violations):
    failures = []
    for prefix in ("", "/sl"):
        for query in QUERIES:
            url = f"{prefix}/search/?q={query}"
            response = browser_page.goto(url)
            assert response is not None and response.status in (200, 400), url
            assert browser_page.locator("h1").count() == 1, url
            try:
                assert_no_axe_violations(browser_page)
            except AssertionError as exc:
                failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_the_header_search_box_takes_a_query_from_the_keyboard(seeded_with_demo, browser_page):
    browser_page.goto("/partners/")
    box = browser_page.get_by_role("searchbox", name="Search the site")
    box.focus()
    box.type("library")
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_url("**/search/?q=library")
    assert "results for" in browser_page.locator("#search-results").inner_text()
