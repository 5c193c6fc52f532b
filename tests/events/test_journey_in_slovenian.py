"""The Done-when of the participant's journey in Slovenian: every page and email on the way —
result page, the email and its link, one's own page with the join link, the switch, the
cancellation — is in the language the person registered in, with /sl/ links."""

from __future__ import annotations

import re

import pytest
from django.utils.html import strip_tags

from events.models import Registration
from tests.events.factories import SECRET_PASSCODE
from tests.events.test_journey import _emails, _own_page_link, _register, webinar_dates  # noqa: F401

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = re.compile(r"\b(You are|registered|Your registration|waiting list|Cancel|Dear|Monday|Tuesday|"
                           r"Wednesday|Thursday|Friday|Saturday|Sunday|January|December)\b")


def slovenian(html: str) -> str:
    """The text of a page's <main> (or a whole email), checked for English interface words."""
    text = strip_tags(html.split("<main", 1)[1].split("</main>", 1)[0] if "<main" in html else html)
    found = ENGLISH_WORDS.findall(text)
    assert not found, f"English in a Slovenian page or email: {found}"
    return text


def test_the_journey_in_slovenian(client, webinar_dates, django_capture_on_commit_callbacks):  # noqa: F811
    webinar, first, second = webinar_dates
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, first, prefix="/sl")
    assert response["Location"].startswith("/sl/")
    result = slovenian(client.get(response["Location"]).content.decode())
    assert "Prijavljeni ste" in result or "potrjena" in result

    (confirmation,) = _emails()
    assert confirmation.language == "sl"
    slovenian(confirmation.subject + "\n" + confirmation.body_text)
    own_page = _own_page_link(confirmation)
    assert own_page.startswith("/sl/events/registration/")
    page = client.get(own_page).content.decode()
    slovenian(page)
    assert SECRET_PASSCODE in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(own_page, {"action": "switch", "session": second.pk})
    assert Registration.objects.get().session_id == second.pk
    switch_email = _emails()[-1]
    slovenian(switch_email.subject + "\n" + switch_email.body_text)
    assert "/sl/events/registration/" in switch_email.body_text

    cancel = own_page.rstrip("/") + "/cancel/"
    slovenian(client.get(cancel).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel)
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    cancelled_email = _emails()[-1]
    slovenian(cancelled_email.subject + "\n" + cancelled_email.body_text)
    slovenian(client.get(own_page).content.decode())
