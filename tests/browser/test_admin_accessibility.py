"""The admin pages coordinators use every day (the partner and event change forms, and their
lists) have no axe-core WCAG 2.1 A/AA violations, after logging in through the allauth login."""

from __future__ import annotations

import pytest

from tests.browser.conftest import WCAG_TAGS, describe
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Rules disabled for Django's own admin, each with the reason. None is needed: the admin's own
# violations (unlabelled tabular-inline fields, aria-label on the filter icons, breadcrumb links
# told apart by colour only) are fixed by templates/admin/base_site.html, static/js/admin.js and
# static/css/admin.css.
EXCLUDED_RULES: dict[str, str] = {}


def admin_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    if EXCLUDED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in EXCLUDED_RULES}
    return Axe().run(page, options=options).response["violations"]


def test_coordinator_admin_pages_are_accessible(seeded_with_demo, browser_page):
    from events.models import Event
    from network.models import Partner

    make_user("a11y.coordinator@example.org", is_staff=True, groups=("Network coordinators",))
    from network.services import ensure_coordinator_groups

    ensure_coordinator_groups()
    page = browser_page
    page.goto("/accounts/login/?next=/admin/")
    page.fill("input[name=login]", "a11y.coordinator@example.org")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert page.url.rstrip("/").endswith("/admin"), page.url

    partner = Partner.objects.order_by("pk").first()
    event = Event.objects.order_by("pk").first()
    paths = [
        "/admin/",
        f"/admin/network/partner/{partner.pk}/change/",
        "/admin/network/partner/",
        f"/admin/events/event/{event.pk}/change/",
        "/admin/events/event/",
    ]
    failures = []
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        # static/js/admin.js runs after the admin's own "load" handlers.
        page.wait_for_function("() => !document.querySelector('.search-label-icon[aria-label]')")
        violations = admin_violations(page)
        if violations:
            failures.append(f"{path}:\n{describe(violations)}")
    assert not failures, "\n".join(failures)
