"""Form details on every public form (issue 12, item 8): each consent checkbox before its label,
"privacy notice" a link in the consent's label, "(optional)" on every optional field and only
there (never twice), required fields with an asterisk only, and no internal text such as the
consent text's version shown to visitors."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from mailing.models import CONSENT_VERSION, MailingList

from .factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_pages(db) -> list[str]:
    MailingList.objects.create(name="Network news", slug="news")
    event = EventFactory()
    SessionFactory(event=event)
    return [event.get_absolute_url(), "/mailing-list/", "/join/", "/accessibility/"]


def _labels(html: str) -> list[str]:
    return re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", html, re.S)


@pytest.mark.parametrize("prefix, language", [("", "en"), ("/sl", "sl")])
def test_optional_fields_say_so_once_and_required_ones_only_carry_the_asterisk(client, form_pages, prefix, language):
    with translation.override(language):
        marker = gettext("(optional)")
    for path in form_pages:
        html = client.get(prefix + path).content.decode()
        for label in _labels(html):
            if "hp-field" in label or label.startswith("Leave this field"):
                continue
            assert label.count(marker) <= 1, f"{path}: {label}"
            assert not (marker in label and "required-mark" in label), f"{path}: {label}"
            assert "(required)" not in label or "visually-hidden" in label, f"{path}: {label}"


def test_the_registration_forms_optional_fields_are_marked_in_the_template_not_in_the_label(client, form_pages):
    html = client.get(form_pages[0]).content.decode()
    assert '<label for="id_role">Role <span class="optional-mark">(optional)</span></label>' in html
    assert '<label for="id_affiliation">Affiliation <span class="optional-mark">(optional)</span></label>' in html
    assert "mailing list <span class=\"optional-mark\">(optional)</span></label>" in html
    assert '<label for="id_name">Your name <span class="required-mark" aria-hidden="true">*</span></label>' in html


def test_the_accessibility_forms_optional_name_is_marked_once(client):
    html = client.get("/accessibility/").content.decode()
    assert "Your name <span class=\"optional-mark\">(optional)</span>" in html
    assert "(optional) <span" not in html


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_each_consent_checkbox_comes_before_its_label_which_links_the_privacy_notice(client, form_pages, prefix):
    privacy = reverse("portal:privacy")
    for path in (form_pages[0], "/mailing-list/"):
        html = client.get(prefix + path).content.decode()
        match = re.search(r'<div class="choice"><input type="checkbox" name="consent"[^>]*id="id_consent"[^>]*>'
                          r'<label for="id_consent">(.*?)</label></div>', html, re.S)
        assert match, f"{path}: the consent checkbox is not directly before its label"
        assert f'<a href="{prefix}{privacy}">' in match.group(1) or f'<a href="{privacy}">' in match.group(1), path


def test_the_event_consent_links_its_own_words_privacy_notice(client, form_pages):
    html = client.get(form_pages[0]).content.decode()
    assert f'as described in the <a href="{reverse("portal:privacy")}">privacy notice</a>.' in html


def test_the_error_summary_names_the_consent_without_a_nested_link(client, form_pages, settings):
    settings.RATELIMIT_ENABLED = False
    html = client.post(form_pages[0], {"name": "Ana"}).content.decode()
    summary = html[html.index('class="error-summary"'):html.index("</ul>", html.index('class="error-summary"'))]
    assert "as described in the privacy notice.: This field is required." in summary
    assert summary.count("<a ") == summary.count("</a>")


@pytest.mark.parametrize("prefix", ["", "/sl"])
def test_no_internal_consent_version_is_shown(client, form_pages, prefix):
    for path in form_pages:
        html = client.get(prefix + path).content.decode()
        assert CONSENT_VERSION not in html and "Consent text version" not in html, path


def test_radio_and_checkbox_groups_put_each_box_before_its_label(client, form_pages):
    html = client.get("/join/").content.decode()
    assert re.search(r'<li class="choice"><input type="radio" name="kind"[^>]*id="id_kind_0"[^>]*><label for="id_kind_0">', html)
    assert re.search(r'<li class="choice"><input type="checkbox" name="roles"[^>]*id="id_roles_0"[^>]*><label for="id_roles_0">', html)
