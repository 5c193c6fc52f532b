"""Every public page, in both languages, has zero axe-core WCAG 2.1 A/AA violations in Chromium,
exactly one <h1>, a lang attribute, and a skip link that moves focus to the main content."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def public_paths() -> list[str]:
    from tests.browser.pages import public_paths as paths

    return paths()


def test_every_public_page_is_accessible(seeded_with_demo, browser_page, assert_no_axe_violations):
    failures = []
    for path in public_paths():
        for prefix in ("", "/sl"):
            url = prefix + path
            response = browser_page.goto(url)
            assert response is not None
            if response.status >= 400 and not path.startswith("/this-page"):
                failures.append(f"{url}: HTTP {response.status}")
                continue
            expected_lang = "sl" if prefix else "en"
            assert browser_page.locator("html").get_attribute("lang") == expected_lang, url
            assert browser_page.locator("h1").count() == 1, f"{url} must have exactly one <h1>"
            try:
                assert_no_axe_violations(browser_page)
            except AssertionError as exc:
                failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_skip_link_moves_focus_to_main(browser_page):
    browser_page.goto("/")
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    outline = browser_page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused skip link must show a visible focus indicator"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"


def test_dark_mode_on_a_phone_is_accessible_too(seeded_with_demo, browser, live_server, assert_no_axe_violations):
    """The dark colour scheme has its own colours: check their contrast on a small screen."""
    context = browser.new_context(base_url=live_server.url, color_scheme="dark", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path in public_paths():
            assert page.goto(path) is not None
            assert_no_axe_violations(page)  # the 404 page included
    finally:
        context.close()
