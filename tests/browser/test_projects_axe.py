"""The project catalogue in a real Chromium: ``/projects/``, a project's page and the listing
criteria have zero axe-core WCAG 2.1 A/AA violations and one <h1>, in both languages, with
content in one language only (the fallback marked) and every filter shown."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project_path() -> str:
    from tests.network.factories import PartnerFactory
    from tests.projects.factories import ProjectFactory, TopicFactory

    lead = PartnerFactory(name_en="Alpha Library", name_sl="Knjižnica Alfa", slug="alpha", region="Pomurska")
    project = ProjectFactory(
        slug="river-watch", title_en="River Watch", title_sl="Opazujemo reke", summary_en="Watch a river.",
        summary_sl="", lead_partner=lead, status="recruiting", region="Pomurska", online=True,
        how_to_take_part_en="Write to **the library**.", participation_en="Measure the water.",
        website="https://river.example.org",
    )
    project.topics.add(TopicFactory(name_en="Water", name_sl="Voda"))
    project.partners.add(PartnerFactory(name="Beta Institute"))
    ProjectFactory(title="Bird Count", lead_partner=lead, status="completed")
    return project.get_absolute_url()


def test_project_pages_are_accessible(project_path, browser_page, assert_no_axe_violations):
    failures = []
    for prefix in ("", "/sl"):
        for path in ("/projects/", project_path, "/projects/criteria/"):
            url = prefix + path
            response = browser_page.goto(url)
            assert response is not None and response.status == 200, url
            assert browser_page.locator("h1").count() == 1, f"{url} must have exactly one <h1>"
            assert browser_page.locator("html").get_attribute("lang") == ("sl" if prefix else "en")
            try:
                assert_no_axe_violations(browser_page)
            except AssertionError as exc:
                failures.append(str(exc))
    assert not failures, "\n".join(failures)


def test_the_join_now_checkbox_is_a_big_enough_target_and_filters(project_path, browser_page):
    browser_page.goto("/projects/")
    box = browser_page.locator("#id_join").bounding_box()
    assert box is not None and box["width"] >= 24 and box["height"] >= 24
    browser_page.get_by_label("Only projects you can join now").check()
    browser_page.locator("main").get_by_role("button", name="Search").click()  # the filters, not the header
    assert "River Watch" in browser_page.content() and "Bird Count" not in browser_page.content()
