"""/mailing-list/: double opt-in from the form to a confirmed subscription."""

import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailing.models import ConsentRecord, Subscription
from outbox.models import OutgoingEmail

from .conftest import link_path
from .factories import SubscriptionFactory

pytestmark = pytest.mark.django_db
URL = "/mailing-list/"


def without_csrf(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content.decode())


def post(client, email, lists, **extra):
    data = {"email": email, "lists": [m.pk for m in lists], "consent": "on", **extra}
    return client.post(URL, data, follow=True)


def test_get_shows_unticked_lists_and_consent_text(client, news_list, partners_list):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "Network news" in html and "Partners&#x27; information exchange" in html
    assert "checked" not in html
    assert "keeps my email address" in html
    assert 'name="website_url"' in html


def test_double_opt_in_end_to_end(client, news_list, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, " New.Person@Example.org ", [news_list])
    assert response.status_code == 200
    assert "Please confirm by email" in response.content.decode()
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.status) == ("new.person@example.org", "pending")
    consent = ConsentRecord.objects.get()
    assert consent.source == "mailing-list sign-up form" and consent.consent_version and "keeps my email" in consent.consent_text
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.person@example.org"]
    assert "List-Unsubscribe" not in message.extra_headers  # a confirmation is not a list message
    confirm_path = link_path(message.body, "confirm")

    # A mail scanner opening the link confirms nothing.
    page = client.get(confirm_path)
    assert page.status_code == 200 and b'method="post"' in page.content
    subscription.refresh_from_db()
    assert subscription.status == "pending"

    done = client.post(confirm_path)
    assert done.status_code == 200 and "you are subscribed" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.confirmed_at is not None


def test_same_response_for_known_and_unknown_addresses(client, news_list, mailoutbox, django_capture_on_commit_callbacks):
    SubscriptionFactory(mailing_list=news_list, email="known@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = post(client, "known@example.org", [news_list])
        unknown = post(client, "unknown@example.org", [news_list])
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert Subscription.objects.get(email="known@example.org").status == "active"
    # The owner of the known address is told in their inbox, not on the page.
    known_mail = next(m for m in mailoutbox if m.to == ["known@example.org"])
    assert "already" in known_mail.body and "/mailing-list/confirm/" not in known_mail.body


def test_no_list_ticked_or_no_consent_stores_nothing(client, news_list):
    response = client.post(URL, {"email": "a@example.org", "consent": "on"})
    assert response.status_code == 200 and "Tick at least one list" in response.content.decode()
    response = client.post(URL, {"email": "a@example.org", "lists": [news_list.pk]})
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    assert not Subscription.objects.exists() and not ConsentRecord.objects.exists()


def test_honeypot_stores_nothing(client, news_list, mailoutbox):
    response = client.post(URL, {"email": "bot@example.org", "lists": [news_list.pk], "consent": "on", "website_url": "http://spam"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_rate_limited_per_address(client, news_list, settings):
    settings.RATELIMIT_ENABLED = True
    for _ in range(5):
        assert client.post(URL, {"email": "same@example.org", "lists": [news_list.pk], "consent": "on"}).status_code == 302
    response = client.post(URL, {"email": "SAME@example.org", "lists": [news_list.pk], "consent": "on"})
    assert response.status_code == 429
    assert ConsentRecord.objects.count() == 5


def test_plus_tagged_sign_ups_do_not_lock_the_plain_address_out(client, news_list, settings):
    """Five accepted sign-ups for ana+1@ … ana+5@ (a stranger's, from five addresses) leave ana@
    its own allowance: the limit counts the address as typed."""
    settings.RATELIMIT_ENABLED = True
    data = {"lists": [news_list.pk], "consent": "on"}
    for n in range(1, 6):
        response = client.post(URL, {**data, "email": f"ana+{n}@example.org"}, REMOTE_ADDR=f"198.51.100.{n}")
        assert response.status_code == 302
    assert client.post(URL, {**data, "email": "ana@example.org"}, REMOTE_ADDR="192.0.2.10").status_code == 302
    assert Subscription.objects.filter(email="ana@example.org").exists()


def test_rate_limited_per_client(client, news_list, settings):
    settings.RATELIMIT_ENABLED = True
    for n in range(30):
        client.post(URL, {"email": f"p{n}@example.org", "lists": [news_list.pk], "consent": "on"})
    response = client.post(URL, {"email": "another@example.org", "lists": [news_list.pk], "consent": "on"})
    assert response.status_code == 429
    assert not Subscription.objects.filter(email="another@example.org").exists()


garbage = st.one_of(st.text(max_size=300), st.just("\x00"), st.just("<script>alert(1)</script>"), st.just("x" * 5000))


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=garbage, lists=st.lists(st.one_of(garbage, st.integers()), max_size=3), consent=garbage)
def test_garbage_input_never_500_and_stores_nothing_invalid(client, settings, news_list, email, lists, consent):
    settings.RATELIMIT_ENABLED = False
    before = Subscription.objects.count()
    response = client.post(URL, {"email": email, "lists": [str(x) for x in lists], "consent": consent})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert Subscription.objects.count() == before
