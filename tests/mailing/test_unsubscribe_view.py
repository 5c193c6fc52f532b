"""/mailing-list/unsubscribe/<token>/: a button on GET, one click on POST, and RFC 8058 one-click."""

import pytest
from django.test import Client

from mailing import tokens
from mailing.models import Subscription

from .factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def url_for(subscription) -> str:
    return f"/mailing-list/unsubscribe/{tokens.unsubscribe_token(subscription.pk)}/"


def test_get_shows_a_button_and_changes_nothing(client, news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    response = client.get(url_for(subscription))
    assert response.status_code == 200 and b'method="post"' in response.content
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_post_unsubscribes(client, news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    response = client.post(url_for(subscription))
    assert response.status_code == 200 and "You have unsubscribed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed" and subscription.unsubscribed_at is not None


def test_button_post_needs_csrf(news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    response = Client(enforce_csrf_checks=True).post(url_for(subscription))
    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_rfc8058_one_click_post_without_csrf(news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    response = Client(enforce_csrf_checks=True).post(
        url_for(subscription), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"


def test_one_click_with_a_bad_token_changes_nothing(news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    token = tokens.unsubscribe_token(subscription.pk)
    response = Client(enforce_csrf_checks=True).post(
        f"/mailing-list/unsubscribe/{token[:-3]}xyz/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert Subscription.objects.get().status == "active"


def test_unknown_subscription_is_neutral(client, news_list):
    subscription = SubscriptionFactory(mailing_list=news_list)
    url = url_for(subscription)
    subscription.delete()
    assert client.post(url).status_code == 400
