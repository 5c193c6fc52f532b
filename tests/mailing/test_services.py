"""mailing.services: re-subscribing, approval, consent records, the webinar opt-in."""

import pytest

from mailing import services
from mailing.models import CONSENT_TEXT, CONSENT_VERSION, ConsentRecord, Subscription

from .factories import SubscriptionFactory

pytestmark = pytest.mark.django_db


def request(email, lists, **kwargs):
    return services.request_subscription(
        email=email, lists=lists, consent_text=str(CONSENT_TEXT), consent_version=CONSENT_VERSION, source="test", **kwargs
    )


def test_resubscribing_after_unsubscribing_works(news_list, django_capture_on_commit_callbacks, mailoutbox):
    subscription = SubscriptionFactory(mailing_list=news_list, email="back@example.org", status="unsubscribed")
    with django_capture_on_commit_callbacks(execute=True):
        result = request("Back@Example.org", [news_list])
    assert [s.pk for s in result.to_confirm] == [subscription.pk]
    subscription.refresh_from_db()
    assert subscription.status == "pending"
    from mailing import tokens

    services.confirm(token=tokens.confirm_token([subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.unsubscribed_at is None
    assert ConsentRecord.objects.filter(email="back@example.org").count() == 1
    assert len(mailoutbox) == 1


def test_one_row_per_list_and_address(news_list):
    request("a@example.org", [news_list])
    request("A@EXAMPLE.ORG ", [news_list])
    assert Subscription.objects.count() == 1
    assert ConsentRecord.objects.count() == 2  # each request's consent is kept


def test_approve_and_reject(partners_list, django_capture_on_commit_callbacks, mailoutbox):
    yes = SubscriptionFactory(mailing_list=partners_list, status="awaiting_approval")
    no = SubscriptionFactory(mailing_list=partners_list, status="awaiting_approval")
    active = SubscriptionFactory(mailing_list=partners_list, status="active")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.decide(subscription_ids=[yes.pk, active.pk], approve=True) == 1
        assert services.decide(subscription_ids=[no.pk], approve=False) == 1
    assert dict(Subscription.objects.values_list("pk", "status")) == {yes.pk: "active", no.pk: "rejected", active.pk: "active"}
    assert [m.to for m in mailoutbox] == [[yes.email]]
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_webinar_registration_opt_in_asks_for_confirmation(news_list, django_capture_on_commit_callbacks, mailoutbox):
    from events.signals import registration_opt_in

    with django_capture_on_commit_callbacks(execute=True):
        registration_opt_in.send(sender=None, email="Reg@Example.org", language="sl", registration=None)
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.status, subscription.source, subscription.language) == (
        "reg@example.org", "pending", "webinar registration", "sl"
    )
    assert ConsentRecord.objects.get().source == "webinar registration"
    assert len(mailoutbox) == 1 and "/sl/mailing-list/confirm/" in mailoutbox[0].body
