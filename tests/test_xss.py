"""Stored XSS: every field a coordinator or applicant fills that the public sees, with each payload,
rendered escaped or stripped on every public page that shows it.

The check parses the page: no element may carry an ``on…`` event attribute, no script other than
the site's own file and the escaped JSON-LD block may exist, and no link or source may use a
``javascript:`` URL. A payload that escapes its context shows up as one of those."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from events.models import Event
from network import services as network_services
from network.models import Partner
from portal.models import NewsItem
from tests.events.factories import EventFactory, SessionFactory, WebinarFactory
from tests.network.factories import PartnerFactory, ServiceModuleFactory, ServiceOfferFactory, WorkingGroupFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1)) <a href=\"javascript:alert(1)\">x</a>",
    "\"><svg onload=alert(1)>",
]


class ActiveContent(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_type: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value and \
                    "".join(value.split()).lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in {"svg", "iframe", "object", "embed"}:
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self._script_type = values.get("type") or ""
            if not (values.get("src", "").startswith("/static/") or self._script_type == "application/ld+json"):
                self.problems.append(f"<script {values}>")

    def handle_data(self, data: str) -> None:
        if self._script_type == "application/ld+json" and "</" in data:
            self.problems.append("JSON-LD with an unescaped closing tag")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_type = None


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    return parser.problems


def fit(model, field: str, payload: str) -> str:
    """The payload cut to the column's length (PostgreSQL enforces it; SQLite does not)."""
    max_length = model._meta.get_field(field).max_length
    return payload[:max_length] if max_length else payload


# Each case stores the payload in one field and returns the public pages that show it.
def partner_field(field: str) -> Callable[[str], list[str]]:
    def build(payload: str) -> list[str]:
        partner = PartnerFactory(**{field: fit(Partner, field, payload)}, slug="xss-partner")
        return [partner.get_absolute_url(), "/partners/", f"/partners/?q={field}"]

    return build


def working_group_mandate(payload: str) -> list[str]:
    group = WorkingGroupFactory(mandate=payload, name=payload[:100], slug="xss-group")
    group.outputs.create(title=payload[:300], link="javascript:alert(1)")
    return [group.get_absolute_url(), "/working-groups/"]


def service_module_fields(payload: str) -> list[str]:
    module = ServiceModuleFactory(summary=payload, offers=payload, name=payload[:100], slug="xss-module")
    ServiceOfferFactory(module=module, note=payload)
    return [module.get_absolute_url(), "/services/"]


def event_field(field: str) -> Callable[[str], list[str]]:
    def build(payload: str) -> list[str]:
        event = EventFactory(**{field: fit(Event, field, payload)}, slug="xss-event", status=Event.Status.PUBLISHED)
        SessionFactory(event=event, start=timezone.now() + timedelta(days=3))
        return [event.get_absolute_url(), "/events/", "/"]

    return build


def webinar_fields(payload: str) -> list[str]:
    webinar = WebinarFactory(event__title=payload, event__description=payload, event__accessibility=payload,
                             event__slug="xss-webinar")
    SessionFactory(event=webinar.event, start=timezone.now() + timedelta(days=3))
    return [webinar.get_absolute_url(), "/webinars/", "/"]


def news_fields(payload: str) -> list[str]:
    item = NewsItem.objects.create(title=payload, slug="xss-news", body=payload, summary=payload)
    return [item.get_absolute_url(), "/news/", "/", "/news/feed/"]


def join_application(payload: str) -> list[str]:
    partner = network_services.submit_application(
        name=payload, acronym=payload[:60], kind="organisation", partner_type="ngo", roles=["promoter"],
        description=payload, contact_name=payload, email="applicant@example.org", city=payload[:120],
        website="https://example.org/?q=" + payload.replace(" ", "%20")[:100],
    )
    network_services.approve_application(partner=Partner.objects.get(pk=partner.pk))
    return [Partner.objects.get(pk=partner.pk).get_absolute_url(), "/partners/"]


CASES = {
    "partner name": partner_field("name"),
    "partner description": partner_field("description"),
    "partner acronym": partner_field("acronym"),
    "partner website": partner_field("website"),
    "working group name, mandate and outputs": working_group_mandate,
    "service module summary, offers and offer note": service_module_fields,
    "event title": event_field("title"),
    "event summary": event_field("summary"),
    "event description": event_field("description"),
    "event accessibility": event_field("accessibility"),
    "event venue": event_field("venue"),
    "webinar title, description and accessibility": webinar_fields,
    "news title, summary and body": news_fields,
    "join application (published)": join_application,
}


@pytest.mark.parametrize("payload", PAYLOADS, ids=["script", "img-onerror", "javascript-link", "svg-onload"])
@pytest.mark.parametrize("case", CASES.keys())
def test_payload_is_escaped_or_stripped(client, case, payload):
    problems = []
    for path in CASES[case](payload):
        for prefix in ("", "/sl"):
            response = client.get(prefix + path)
            assert response.status_code == 200, f"{prefix}{path}: {response.status_code}"
            body = response.content.decode()
            if response["Content-Type"].startswith("text/html"):
                problems += [f"{prefix}{path}: {p}" for p in active_content(body)]
            else:  # feeds: the payload must be escaped text, never markup
                assert "<script>" not in body and "<svg" not in body and "<img " not in body, path
    assert not problems, "\n".join(problems)


def test_the_checker_catches_each_payload_unescaped():
    """The checker itself: each payload, inserted raw, is reported."""
    for payload in PAYLOADS:
        assert active_content(f"<p>{payload}</p>"), payload
    assert active_content('<a href="javascript:alert(1)">x</a>')
    assert active_content("<img src=x onerror=alert(1)>")
    assert active_content("<script>alert(1)</script>")
    assert active_content('"><svg onload=alert(1)>')
    assert not active_content('<a href="https://example.org">ok</a><script src="/static/js/site.js"></script>')


def test_website_form_fields_refuse_javascript_urls():
    from network.forms import JoinForm

    form = JoinForm(data={"website": "javascript:alert(1)"})
    assert not form.is_valid()
    assert "website" in form.errors


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_a_stored_script_url_as_website_is_not_a_link(client, url):
    """Forms refuse these; a value that reached the database another way is still not clickable."""
    partner = PartnerFactory(website=url, slug="xss-website")
    body = client.get(partner.get_absolute_url()).content.decode()
    assert not active_content(body)
    assert 'href="data:' not in body
