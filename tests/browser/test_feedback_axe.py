"""The feedback form at the signed link in a real Chromium: zero axe-core WCAG 2.1 A/AA
violations and one <h1>, in both languages, with errors and once answered (the Slovenian round
changes the answer the English one gave)."""

from __future__ import annotations

from datetime import timedelta

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def feedback_path() -> str:
    from django.urls import reverse
    from django.utils import timezone

    from events import feedback
    from tests.events.factories import RegistrationFactory, SessionFactory

    start = (timezone.now() - timedelta(days=1)).replace(second=0, microsecond=0)
    registration = RegistrationFactory(session=SessionFactory(start=start, end=start + timedelta(hours=1)))
    return reverse("events:feedback", kwargs={"token": feedback.feedback_token(registration)})


def test_the_feedback_form_is_accessible(feedback_path, browser_page, assert_no_axe_violations):
    failures = []
    for prefix in ("", "/sl"):
        url = prefix + feedback_path
        response = browser_page.goto(url)
        assert response is not None and response.status == 200, url
        assert browser_page.locator("h1").count() == 1
        assert browser_page.locator("html").get_attribute("lang") == ("sl" if prefix else "en")
        # No rating, past the browser's own check: the server's error summary and messages.
        browser_page.evaluate(
            "document.querySelector('form.stacked').noValidate = true;"
            "document.querySelectorAll('input[name=rating]').forEach(e => { e.checked = false; });"
        )
        browser_page.locator("form.stacked button[type=submit]").click()
        assert browser_page.locator(".error-summary").count() == 1
        for step in ("blank with errors", "answered"):
            try:
                assert_no_axe_violations(browser_page)
            except AssertionError as exc:
                failures.append(f"{url} ({step}): {exc}")
            if step == "blank with errors":
                browser_page.locator("input[name=rating][value='4']").check()
                browser_page.locator("form.stacked button[type=submit]").click()
                assert browser_page.locator(".messages").count() == 1
    assert not failures, "\n".join(failures)
