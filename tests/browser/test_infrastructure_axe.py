"""The infrastructure catalogue's list, a resource's page (its form with errors too) and the page
after sending a request, in both languages: zero axe-core WCAG 2.1 A/AA violations in Chromium,
one <h1>, the page's lang."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_infrastructure_pages_are_accessible(browser_page, assert_no_axe_violations):
    from tests.infrastructure.factories import ResourceFactory
    from tests.network.factories import PartnerFactory

    partner = PartnerFactory(name="Alpha Library", region="Gorenjska", city="Kranj", email="info@alpha.example")
    ResourceFactory(partner=partner, title_en="English only kit", title_sl="")
    ResourceFactory(
        partner=partner, slug="pond-kit", title_en="Pond kit", title_sl="Komplet za mlako", cost="fee",
        fee_note_en="Ten euros a week.", lead_time_days=2, description_en="Nets, jars and a *guide*.",
    )
    for prefix, lang in (("", "en"), ("/sl", "sl")):
        for path in ("/infrastructure/", "/infrastructure/pond-kit/"):
            response = browser_page.goto(prefix + path)
            assert response is not None and response.status == 200, prefix + path
            assert browser_page.locator("html").get_attribute("lang") == lang
            assert browser_page.locator("h1").count() == 1
            assert_no_axe_violations(browser_page)
        # The form sent empty: the error summary and the per-field messages.
        browser_page.locator("form.stacked button[type=submit]").click()
        browser_page.wait_for_load_state()
        if browser_page.locator(".error-summary").count() == 0:  # the browser's own checks stopped it
            browser_page.evaluate("document.querySelector('form.stacked').noValidate = true")
            browser_page.locator("form.stacked button[type=submit]").click()
            browser_page.wait_for_load_state()
        assert browser_page.locator(".error-summary").count() == 1
        assert_no_axe_violations(browser_page)
        # Sent properly: the page that says who received it.
        browser_page.fill("#id_name", "Ana Novak")
        browser_page.fill("#id_email", f"ana{lang}@example.org")
        browser_page.fill("#id_message", "For a school project.")
        browser_page.check("#id_consent")
        browser_page.locator("form.stacked button[type=submit]").click()
        browser_page.wait_for_url(f"**{prefix}/infrastructure/pond-kit/request-sent/")
        assert browser_page.locator("h1").count() == 1
        assert_no_axe_violations(browser_page)
