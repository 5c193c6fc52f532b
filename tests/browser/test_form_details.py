"""Form details in a real Chromium (issue 12, item 8): every radio button and checkbox of the
public forms is a target of at least 24 × 24 CSS px (WCAG 2.5.8), the consent checkbox sits
beside its label (which toggles it), and the event page with its registration questions has
zero axe violations in both languages."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def event_path() -> str:
    from events.models import RegistrationQuestion
    from mailing.models import MailingList
    from tests.events.factories import EventFactory, SessionFactory

    MailingList.objects.create(name="Network news", slug="news")
    event = EventFactory(title="Soil workshop", slug="soil-workshop")
    SessionFactory(event=event)
    SessionFactory(event=event, start=event.sessions.get().start.replace(year=event.sessions.get().start.year + 1))
    Kind = RegistrationQuestion.Kind
    RegistrationQuestion.objects.create(
        event=event, kind=Kind.ONE_CHOICE, required=True, order=1, label_en="Lunch preference",
        label_sl="Izbira kosila", choices_en="Vegetarian\nVegan", choices_sl="Vegetarijansko\nVegansko",
    )
    RegistrationQuestion.objects.create(
        event=event, kind=Kind.SEVERAL_CHOICES, order=2, label_en="Topics", choices_en="Soil\nWater",
    )
    RegistrationQuestion.objects.create(event=event, kind=Kind.YES_NO, order=3, label_en="First time?", label_sl="Prvič?")
    return event.get_absolute_url()


def _boxes(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('main input[type=checkbox], main input[type=radio]')]
            .filter((input) => input.offsetParent !== null)
            .map((input) => { const r = input.getBoundingClientRect();
                              return {id: input.id, width: r.width, height: r.height}; })"""
    )


def test_every_radio_and_checkbox_is_at_least_24_px(event_path, browser_page):
    for path in (event_path, "/mailing-list/", "/join/"):
        browser_page.goto(path)
        boxes = _boxes(browser_page)
        assert boxes, path
        small = [box for box in boxes if box["width"] < 24 or box["height"] < 24]
        assert not small, f"{path}: targets under 24 × 24 px: {small}"


def test_the_consent_checkbox_sits_beside_its_label_which_toggles_it(event_path, browser_page):
    for path in (event_path, "/mailing-list/"):
        browser_page.goto(path)
        checkbox = browser_page.locator("#id_consent")
        label = browser_page.locator('label[for="id_consent"]')
        box, text = checkbox.bounding_box(), label.bounding_box()
        assert box and text
        assert text["x"] >= box["x"] + box["width"], f"{path}: the label is not to the right of the checkbox"
        assert abs(text["y"] - box["y"]) < box["height"], f"{path}: the label does not start on the checkbox's line"
        assert not checkbox.is_checked()
        label.click(position={"x": 5, "y": 5})
        assert checkbox.is_checked(), f"{path}: clicking the label does not tick the box"
        assert label.locator('a[href$="/privacy/"]').count() == 1, f"{path}: no privacy-notice link in the label"


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_the_event_page_with_questions_has_no_axe_violations(event_path, browser_page, assert_no_axe_violations, prefix):
    browser_page.goto(prefix + event_path)
    assert browser_page.locator("main [id^=id_question_]").count() > 0
    assert_no_axe_violations(browser_page)
    # Sent empty (the browser's own checks off, as without them): the page with its errors.
    browser_page.evaluate("document.querySelectorAll('main form').forEach((form) => { form.noValidate = true; })")
    browser_page.locator('main form button[type="submit"].primary').last.click()
    browser_page.wait_for_selector(".error-summary")
    assert_no_axe_violations(browser_page)
