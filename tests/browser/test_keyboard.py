"""Keyboard only: from the home page to a confirmed webinar registration with Tab, Shift+Tab, Space
and Enter (text is typed into the focused field), with a visible focus indicator at every step."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80
FOCUS_STATE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id || "", name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "", href: el.getAttribute("href") || "",
    text: (el.textContent || "").trim().slice(0, 60), checked: !!el.checked,
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
  };
}"""


class Keyboard:
    """Drives the page with the four keys only and checks the focus after every key press."""

    def __init__(self, page) -> None:
        self.page = page
        self.steps: list[str] = []

    def focused(self) -> dict:
        return self.page.evaluate(FOCUS_STATE)

    def assert_visible_focus(self) -> dict:
        state = self.focused()
        if state["tag"] in {"body", "html"}:
            return state  # nothing focused yet (start of a page)
        visible = (state["outlineStyle"] != "none" and state["outlineWidth"] > 0) or state["boxShadow"] not in ("", "none")
        assert visible, f"no visible focus on {state} after {self.steps[-5:]}"
        return state

    def press(self, key: str) -> dict:
        assert key in {"Tab", "Shift+Tab", "Space", "Enter"}
        self.page.keyboard.press(key)
        self.steps.append(key)
        return self.assert_visible_focus()

    def follow(self) -> None:
        """Enter on the focused link or button, which loads a new page (focus was checked on Tab)."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.steps.append("Enter")
        self.page.wait_for_load_state()

    def tab_until(self, matches: Callable[[dict], bool], *, what: str) -> dict:
        for _ in range(MAX_TABS):
            state = self.press("Tab")
            if matches(state):
                return state
        raise AssertionError(f"Tab never reached {what}; last focus {self.focused()}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.steps.append(f"type {text!r}")


def test_register_for_a_webinar_with_the_keyboard_only(seeded_with_demo, browser_page):
    from events.models import Registration
    from webinars.models import Webinar

    webinar = Webinar.objects.published().select_related("event").first()
    assert webinar is not None, "the seeds include a webinar"
    detail = webinar.get_absolute_url()
    page = browser_page
    keys = Keyboard(page)

    page.goto("/")
    keys.tab_until(lambda s: s["href"] == "/webinars/", what="the Webinars link in the navigation")
    keys.follow()
    assert page.url.endswith("/webinars/")

    keys.tab_until(lambda s: s["href"] == detail, what=f"the link to {detail}")
    keys.follow()
    assert page.url.endswith(detail)

    # The dates are radio buttons: Tab into the group, Space selects the focused one.
    state = keys.tab_until(lambda s: s["name"] == "session" and s["type"] == "radio", what="the first date")
    keys.press("Space")
    assert keys.focused()["checked"], "Space selects the focused date"
    assert page.locator("input[name=session]:checked").count() == 1

    keys.tab_until(lambda s: s["id"] == "id_name", what="the name field")
    keys.type("Keyboard Tester")
    keys.tab_until(lambda s: s["id"] == "id_email", what="the email field")
    keys.type("keyboard@example.org")
    keys.press("Tab")
    state = keys.press("Shift+Tab")  # back to the email field, and its text is still there
    assert state["id"] == "id_email"
    assert page.input_value("#id_email") == "keyboard@example.org"
    keys.tab_until(lambda s: s["id"] == "id_affiliation", what="the affiliation field")
    keys.type("Library of Keys")
    keys.tab_until(lambda s: s["id"] == "id_consent", what="the consent checkbox")
    keys.press("Space")
    assert page.is_checked("#id_consent")
    state = keys.tab_until(lambda s: s["tag"] == "button" and s["type"] == "submit", what="the Register button")
    assert re.search("Register", state["text"])
    keys.follow()
    assert "/registered/" in page.url, page.url

    registration = Registration.objects.get(email="keyboard@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.name == "Keyboard Tester"
    assert registration.session.event_id == webinar.event_id
    assert not any(step.startswith("click") for step in keys.steps)
