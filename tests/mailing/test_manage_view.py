"""/mailing-list/manage/<token>/: the signed page where a person sees and changes their lists."""

import pytest

from mailing import tokens
from mailing.models import Subscription

from .factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_shows_only_this_persons_subscriptions(client, news_list, partners_list):
    SubscriptionFactory(mailing_list=news_list, email="me@example.org")
    SubscriptionFactory(mailing_list=news_list, email="someone-else@example.org")
    response = client.get(f"/mailing-list/manage/{tokens.manage_token('me@example.org')}/")
    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1") == 1
    assert "someone-else" not in html
    assert "Active" in html


def test_unticking_leaves_and_ticking_requests_opt_in(client, news_list, partners_list, mailoutbox, django_capture_on_commit_callbacks):
    SubscriptionFactory(mailing_list=news_list, email="me@example.org")
    url = f"/mailing-list/manage/{tokens.manage_token('me@example.org')}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"lists": [partners_list.pk], "consent": "on"})
    assert response.status_code == 200
    statuses = dict(Subscription.objects.values_list("mailing_list__slug", "status"))
    assert statuses == {"network-news": "unsubscribed", "partners-information-exchange": "pending"}
    assert len(mailoutbox) == 1 and "/mailing-list/confirm/" in mailoutbox[0].body


def test_adding_a_list_needs_consent(client, news_list, partners_list):
    url = f"/mailing-list/manage/{tokens.manage_token('me@example.org')}/"
    response = client.post(url, {"lists": [partners_list.pk]})
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    assert not Subscription.objects.exists()


def test_tampered_manage_token(client):
    token = tokens.manage_token("me@example.org")
    assert client.get(f"/mailing-list/manage/{token}x/").status_code == 400


def test_saving_leaves_lists_that_were_not_offered_alone(client, news_list, partners_list):
    partners_list.is_active = False  # closed for sign-up: not on the form
    partners_list.save()
    SubscriptionFactory(mailing_list=news_list, email="me@example.org")
    SubscriptionFactory(mailing_list=partners_list, email="me@example.org")
    url = f"/mailing-list/manage/{tokens.manage_token('me@example.org')}/"
    assert f'value="{partners_list.pk}"' not in client.get(url).content.decode()
    response = client.post(url, {"lists": [news_list.pk]})
    assert response.status_code == 200
    statuses = dict(Subscription.objects.values_list("mailing_list__slug", "status"))
    assert statuses == {"network-news": "active", "partners-information-exchange": "active"}
    client.post(url, {"consent": ""})  # untick everything offered (a browser posts its CSRF token)
    statuses = dict(Subscription.objects.values_list("mailing_list__slug", "status"))
    assert statuses == {"network-news": "unsubscribed", "partners-information-exchange": "active"}
