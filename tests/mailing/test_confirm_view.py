"""/mailing-list/confirm/<token>/: GET shows a button, POST confirms; bad tokens change nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mailing import services, tokens
from mailing.models import CONSENT_TEXT, CONSENT_VERSION, Subscription

pytestmark = pytest.mark.django_db


def request(email, lists):
    return services.request_subscription(
        email=email, lists=lists, consent_text=str(CONSENT_TEXT), consent_version=CONSENT_VERSION, source="test"
    )


def confirm_url(subscriptions) -> str:
    return f"/mailing-list/confirm/{tokens.confirm_token([s.pk for s in subscriptions])}/"


def test_post_confirms_and_second_post_changes_nothing(client, news_list):
    result = request("a@example.org", [news_list])
    url = confirm_url(result.to_confirm)
    assert client.post(url).status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.status == "active"
    first_confirmed_at = subscription.confirmed_at
    again = client.post(url)
    assert again.status_code == 200 and "nothing left to confirm" in again.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at == first_confirmed_at


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # tampered signature
        lambda t: "x" + t,  # tampered payload
        lambda t: "not-a-token",
    ],
)
def test_tampered_token_neutral_and_no_change(client, news_list, mangle):
    result = request("a@example.org", [news_list])
    token = tokens.confirm_token([s.pk for s in result.to_confirm])
    url = f"/mailing-list/confirm/{mangle(token)}/"
    assert client.get(url).status_code == 400
    response = client.post(url)
    assert response.status_code == 400 and "Nothing has been changed" in response.content.decode()
    assert Subscription.objects.get().status == "pending"


def test_expired_token_neutral_and_no_change(client, news_list):
    with time_machine.travel(timezone.now() - timedelta(days=8), tick=False):
        result = request("a@example.org", [news_list])
        url = confirm_url(result.to_confirm)
    assert client.post(url).status_code == 400
    assert Subscription.objects.get().status == "pending"


def test_token_within_its_week_still_works(client, news_list):
    with time_machine.travel(timezone.now() - timedelta(days=6), tick=False):
        result = request("a@example.org", [news_list])
        url = confirm_url(result.to_confirm)
    assert client.post(url).status_code == 200
    assert Subscription.objects.get().status == "active"


def test_wrong_purpose_token_is_rejected(client, news_list):
    result = request("a@example.org", [news_list])
    subscription = result.to_confirm[0]
    # An unsubscribe token and a manage token for the same person do not confirm.
    for token in (tokens.unsubscribe_token(subscription.pk), tokens.manage_token("a@example.org")):
        assert client.post(f"/mailing-list/confirm/{token}/").status_code == 400
    confirm_token = tokens.confirm_token([subscription.pk])
    assert client.post(f"/mailing-list/unsubscribe/{confirm_token}/").status_code == 400
    assert client.get(f"/mailing-list/manage/{confirm_token}/").status_code == 400
    assert Subscription.objects.get().status == "pending"


def test_approval_list_waits_for_a_coordinator(client, partners_list, mailoutbox, django_capture_on_commit_callbacks, settings):
    settings.NETWORK_COORDINATOR_EMAILS = ["coordinators@network.example"]
    result = request("partner@library.example", [partners_list])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(result.to_confirm))
    assert "a coordinator will review" in response.content.decode()
    assert Subscription.objects.get().status == "awaiting_approval"
    assert [m.to for m in mailoutbox] == [["coordinators@network.example"]]
