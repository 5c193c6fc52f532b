"""Issue 11's "Done when", in Chromium: the demo network coordinator logs in, gives the Central
Technical Library its Slovenian name in the admin (the field found by its label, "Name
(Slovenian)"), saves, and a visitor then finds it at /sl/partners/?q=tehniska (no accents),
sees the Slovenian name on its /sl/ page in the page's own language and the English name on its
English page. The visitor's pages were cached before the edit: the save shows at once."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import WCAG_TAGS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOVENIAN_NAME = "Centralna tehniška knjižnica Univerze v Ljubljani"


def _label(text: str) -> re.Pattern:
    """A field's whole label as the admin shows it (with its colon)."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/?next=/admin/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert page.url.rstrip("/").endswith("/admin"), page.url


def _axe(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def test_network_coordinator_gives_the_central_technical_library_a_slovenian_name(
    seeded_with_demo, browser, browser_page, live_server
):
    from network.demo import CTK_NAME_PREFIX, DEMO_PASSWORD, NETWORK_COORDINATOR_EMAIL
    from network.models import Partner

    ctk = Partner.objects.get(name_en__startswith=CTK_NAME_PREFIX)
    english_name = ctk.name_en
    assert not ctk.name_sl

    visitor = browser.new_context(base_url=live_server.url, locale="sl-SI").new_page()
    try:
        # Before the edit (and now in the page cache): nothing matches.
        visitor.goto("/sl/partners/?q=tehniska")
        assert SLOVENIAN_NAME not in visitor.locator("main").inner_text()

        page = browser_page
        _log_in(page, NETWORK_COORDINATOR_EMAIL, DEMO_PASSWORD)
        page.goto(f"/admin/network/partner/{ctk.pk}/change/")
        english_field = page.get_by_label(_label("Name (English)"))
        slovenian_field = page.get_by_label(_label("Name (Slovenian)"))
        assert english_field.input_value() == english_name
        assert english_field.get_attribute("lang") == "en" and slovenian_field.get_attribute("lang") == "sl"
        assert page.get_by_label(_label("Description (Markdown, Slovenian)")).is_visible()
        # The languages of a field are one row of the form, side by side where the screen is wide
        # enough (Django's admin wraps the row's fields when they do not fit).
        row = page.locator(".form-row.field-name_en")
        assert row.get_attribute("class").split()[-2:] == ["field-name_en", "field-name_sl"]
        assert row.locator("input").evaluate_all("inputs => inputs.map(i => i.name)") == ["name_en", "name_sl"]
        page.set_viewport_size({"width": 1600, "height": 1000})
        english_box, slovenian_box = english_field.bounding_box(), slovenian_field.bounding_box()
        assert slovenian_box["x"] > english_box["x"] + english_box["width"]
        assert abs(slovenian_box["y"] - english_box["y"]) < 5
        violations = _axe(page)
        assert not violations, describe(violations)

        slovenian_field.fill(SLOVENIAN_NAME)
        with page.expect_navigation():
            page.click("input[name=_save]")
        assert re.search(r"/admin/network/partner/$", page.url), page.url
        assert page.locator(".messagelist .success").count() == 1

        ctk.refresh_from_db()
        assert (ctk.name_en, ctk.name_sl) == (english_name, SLOVENIAN_NAME)

        # A visitor finds it by a word of the Slovenian name typed without its accents.
        visitor.goto("/sl/partners/?q=tehniska")
        link = visitor.locator("main").get_by_role("link", name=SLOVENIAN_NAME)
        assert link.count() == 1
        assert link.get_attribute("href").endswith(f"/sl/partners/{ctk.slug}/")

        # Its Slovenian page names it in Slovenian, in the page's language (no lang="en" on the way).
        visitor.goto(f"/sl/partners/{ctk.slug}/")
        heading = visitor.locator("main h1")
        assert heading.inner_text().strip() == SLOVENIAN_NAME
        assert heading.evaluate("h => h.closest('[lang]').getAttribute('lang')") == "sl"
        assert visitor.title().startswith(SLOVENIAN_NAME)

        # Its English page keeps the English name.
        visitor.goto(f"/partners/{ctk.slug}/")
        assert visitor.locator("main h1").inner_text().strip() == english_name
        assert SLOVENIAN_NAME not in visitor.locator("main").inner_text()
    finally:
        visitor.context.close()


def test_partner_coordinator_fills_their_organisations_slovenian_name_and_description(seeded_with_demo, browser_page):
    from network.demo import CTK_COORDINATOR_EMAIL, CTK_NAME_PREFIX, DEMO_PASSWORD
    from network.models import Partner

    ctk = Partner.objects.get(name_en__startswith=CTK_NAME_PREFIX)
    description = "Osrednja knjižnica za tehniko in naravoslovje; podpira raziskave državljanske znanosti."
    page = browser_page
    _log_in(page, CTK_COORDINATOR_EMAIL, DEMO_PASSWORD)
    page.goto("/admin/network/partner/")
    assert page.locator("#result_list tbody tr").count() == 1  # their own partner only
    with page.expect_navigation():
        page.locator("#result_list tbody tr th a").click()
    assert page.url.endswith(f"/admin/network/partner/{ctk.pk}/change/")
    assert page.locator("select[name=status]").count() == 0  # moderation stays read-only
    page.wait_for_function("() => !document.querySelector('.search-label-icon[aria-label]')")
    violations = _axe(page)
    assert not violations, describe(violations)

    page.get_by_label(_label("Name (Slovenian)")).fill(SLOVENIAN_NAME)
    page.get_by_label(_label("Description (Markdown, Slovenian)")).fill(description)
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".messagelist .success").count() == 1

    ctk.refresh_from_db()
    assert (ctk.name_sl, ctk.description_sl) == (SLOVENIAN_NAME, description)
    page.goto(f"/sl/partners/{ctk.slug}/")
    assert page.locator("main h1").inner_text().strip() == SLOVENIAN_NAME
    assert description in page.locator("main").inner_text()


def test_every_bilingual_admin_form_is_accessible(seeded_with_demo, browser_page):
    """The change forms of every model with texts in both languages (fields side by side, tabular
    inlines with a column per language) and their lists: no axe-core WCAG 2.1 A/AA violation."""
    from events.models import Event
    from mailing.models import MailingList
    from network.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_EMAIL
    from network.models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup, WorkingGroupOutput
    from portal.models import NewsItem

    def first_or_new(model, **values):
        # Transactional tests empty the tables a data migration filled: make what is missing.
        return model.objects.order_by("pk").first() or model.objects.create(**values)

    group = first_or_new(WorkingGroup, name="Open data", name_sl="Odprti podatki", slug="open-data")
    WorkingGroupOutput.objects.create(working_group=group, title="Guide", title_sl="Vodnik")
    module = first_or_new(ServiceModule, name="Training", name_sl="Usposabljanje", slug="training")
    offer = first_or_new(ServiceOffer, partner=Partner.objects.order_by("pk").first(), module=module, note_sl="Mesečno")
    objects = [
        group, module, offer, first_or_new(NetworkContact, organisation="CTK"), Event.objects.order_by("pk").first(),
        first_or_new(NewsItem, title="Launch", title_sl="Začetek", slug="launch", body="Live."),
        first_or_new(MailingList, name="News", name_sl="Novice", slug="news"),
    ]
    page = browser_page
    _log_in(page, NETWORK_COORDINATOR_EMAIL, DEMO_PASSWORD)
    failures = []
    for obj in objects:
        assert obj is not None
        base = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/"
        for path in (f"{base}{obj.pk}/change/", base):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            page.wait_for_function("() => !document.querySelector('.search-label-icon[aria-label]')")
            violations = _axe(page)
            if violations:
                failures.append(f"{path}:\n{describe(violations)}")
    assert not failures, "\n".join(failures)
