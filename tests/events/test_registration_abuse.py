"""Registration abuse, through the public form: nobody without a victim's mailbox can lock the
victim out (per-address limits count only new registrations, per session, and never refuse the
plain address), plus-tags share one allowance, one client makes at most three new registrations
per session in total (not per hour), and no answer tells whether an address is already
registered."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from core.cache import ContentArea, content_versions
from events import services
from events.models import Registration
from outbox.models import OutgoingEmail

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

VICTIM = "ana@example.org"
VICTIM_IP = "192.0.2.10"
# Ten minutes into an hour: the hour-long windows neither roll over during a test nor leave a
# wait shorter than the test run.
NOW = datetime(2030, 3, 4, 9, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _limits_on_and_time_fixed(settings):
    settings.RATELIMIT_ENABLED = True
    with time_machine.travel(NOW, tick=False):
        yield


def _post(client, session, *, email: str, ip: str, name: str = "Ana Novak"):
    data = {"session": session.pk, "name": name, "email": email, "affiliation": "UL", "consent": "on"}
    return client.post(session.event.get_absolute_url(), data, REMOTE_ADDR=ip)


def _attacker_ip(n: int) -> str:
    return f"198.51.100.{n}"


def test_five_posts_with_a_victims_address_lock_the_victim_out_of_nothing(client):
    session, other = SessionFactory(capacity=20), SessionFactory(capacity=20)
    assert [_post(client, session, email=VICTIM, ip=_attacker_ip(n)).status_code for n in range(5)] == [302] * 5
    assert [_post(client, session, email=VICTIM.upper(), ip=_attacker_ip(9)).status_code] == [302]
    assert _post(client, session, email=VICTIM, ip=VICTIM_IP).status_code == 302, "the same session"
    assert _post(client, other, email=VICTIM, ip=VICTIM_IP).status_code == 302, "another session"
    assert Registration.objects.filter(email=VICTIM).count() == 2  # one per session, both the victim's
    # One confirmation per session, to the victim: a repeat sends nothing unless "send it again" is asked for.
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [VICTIM, VICTIM]


def test_plus_tags_share_one_allowance_per_session_and_never_block_the_plain_address(client):
    session, other = SessionFactory(capacity=20), SessionFactory(capacity=20)
    tagged = [f"ana+{n}@example.org" for n in range(1, 6)]
    assert [_post(client, session, email=e, ip=_attacker_ip(n)).status_code for n, e in enumerate(tagged)] == [302] * 5
    assert _post(client, session, email="Ana+6@Example.org", ip=_attacker_ip(7)).status_code == 429
    assert _post(client, session, email="ana+1@example.org", ip=_attacker_ip(8)).status_code == 429, (
        "over the allowance, a registered variant gets the same answer as a new one"
    )
    assert _post(client, session, email=VICTIM, ip=VICTIM_IP).status_code == 302, "the plain address is never refused"
    assert _post(client, other, email="ana+6@example.org", ip=_attacker_ip(7)).status_code == 302, "per session"
    assert Registration.objects.filter(session=session).count() == 6
    assert Registration.objects.filter(session=session, email="ana+1@example.org").exists(), "stored as typed"


CAP_MESSAGE = "No more registrations for this session are accepted from your network connection"


def test_one_client_makes_at_most_three_new_registrations_per_session_in_total(client):
    """A total for as long as registration is open: hours, days and weeks later the client still
    gets no fourth seat (the old cap was 3 an hour, ~72 a day); another client and another
    session are not affected."""
    session = SessionFactory(capacity=50, start=NOW + timedelta(days=60), end=NOW + timedelta(days=60, hours=2))
    other = SessionFactory(capacity=50)
    codes = [_post(client, session, email=f"made-up-{n}@example.org", ip=_attacker_ip(1)).status_code for n in range(3)]
    assert codes == [302] * 3
    assert _post(client, session, email="made-up-1@example.org", ip=_attacker_ip(2)).status_code == 302, "a repeat"
    for later in (timedelta(0), timedelta(hours=1), timedelta(days=1), timedelta(days=59, hours=23)):
        with time_machine.travel(NOW + later, tick=False):
            refused = _post(client, session, email=f"made-up-{later.total_seconds():.0f}@example.org", ip=_attacker_ip(1))
        assert refused.status_code == 200 and CAP_MESSAGE in refused.content.decode(), later
        assert "another connection" in refused.content.decode(), "the page says what a group can do"
    assert _post(client, other, email="made-up-4@example.org", ip=_attacker_ip(1)).status_code == 302
    assert _post(client, session, email="colleague@example.org", ip=_attacker_ip(3)).status_code == 302
    assert Registration.objects.filter(session=session).count() == 4


def test_cancelling_does_not_give_the_allowance_back(client):
    session = SessionFactory(capacity=50)
    for n in range(3):
        assert _post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)).status_code == 302
    for registration in Registration.objects.filter(session=session):
        services.cancel_registration(registration=registration)
    assert CAP_MESSAGE in _post(client, session, email="p9@example.org", ip=_attacker_ip(1)).content.decode()
    assert not Registration.objects.filter(session=session).active().exists()


def test_moving_the_session_starts_the_count_afresh(client):
    """The documented price of keying the count by the session's start: the counter can never
    expire while registration is open, and a coordinator's move hands out a new allowance."""
    session = SessionFactory(capacity=50)
    for n in range(3):
        assert _post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)).status_code == 302
    services.move_session(session=session, start=session.start + timedelta(days=30), end=session.end + timedelta(days=30))
    assert _post(client, session, email="p3@example.org", ip=_attacker_ip(1)).status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_network(client):
    """One subscriber gets a whole /64 and may use a new address in it for every request."""
    session = SessionFactory(capacity=50)
    codes = [_post(client, session, email=f"p{n}@example.org", ip=f"2001:db8:1:2::{n + 1:x}").status_code for n in range(4)]
    assert codes[:3] == [302] * 3
    assert CAP_MESSAGE in _post(client, session, email="p9@example.org", ip="2001:db8:1:2:ffff::1").content.decode()
    assert _post(client, session, email="p9@example.org", ip="2001:db8:1:3::1").status_code == 302, "another /64"


def test_the_count_outlives_the_purge_of_expired_counters_while_registration_is_open(client):
    """The daily purge deletes counters whose window has ended; the client's count for a session
    lasts until the session starts, however long that is."""
    from core.ratelimit import purge_expired

    session = SessionFactory(capacity=50, start=NOW + timedelta(days=400), end=NOW + timedelta(days=400, hours=1))
    for n in range(3):
        assert _post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)).status_code == 302
    with time_machine.travel(NOW + timedelta(days=399), tick=False):
        purge_expired()
        assert CAP_MESSAGE in _post(client, session, email="p9@example.org", ip=_attacker_ip(1)).content.decode()


def test_the_seat_cap_holds_while_redis_is_down(client, settings):
    """The counters are rows in the database: a cache that refuses every connection changes nothing."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    session = SessionFactory(capacity=50)
    responses = [_post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)) for n in range(4)]
    assert [r.status_code for r in responses] == [302, 302, 302, 200]
    assert CAP_MESSAGE in responses[3].content.decode()


def test_repeats_count_against_nothing(client):
    session = SessionFactory(capacity=50)
    codes = [_post(client, session, email=VICTIM, ip=_attacker_ip(1)).status_code for _ in range(10)]
    codes += [_post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)).status_code for n in range(2)]
    assert codes == [302] * 12
    assert Registration.objects.filter(session=session).count() == 3


# --- The registrant oracle --------------------------------------------------------------------
def _visible(response, address: str) -> str:
    """The page as the visitor sees it, without the form token and the address they typed."""
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    return body.replace(address, "ADDRESS")


def test_a_full_session_answers_the_same_whether_or_not_the_address_is_registered(client):
    session = SessionFactory(capacity=1, has_waiting_list=False)
    known = Registration.objects.create(
        session=session, name="Ana Novak", email=VICTIM, consent_text="I agree.",
        status=Registration.Status.CONFIRMED, confirmed_at=NOW, confirmation_sent_at=NOW - timedelta(hours=1),
    )
    for_known = _post(client, session, email=VICTIM, ip=_attacker_ip(1))
    for_unknown = _post(client, session, email="stranger@example.org", ip=_attacker_ip(1))
    assert for_known.status_code == for_unknown.status_code == 200
    assert "This session is full." in for_known.content.decode()
    assert _visible(for_known, VICTIM) == _visible(for_unknown, "stranger@example.org")
    # What differs goes to the registered person's inbox only: their confirmation, again.
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [VICTIM]
    assert list(Registration.objects.values_list("pk", flat=True)) == [known.pk]
    _post(client, session, email=VICTIM, ip=_attacker_ip(1))
    assert OutgoingEmail.objects.count() == 1, "not again within RESEND_INTERVAL"


def test_over_the_seat_cap_the_answer_does_not_depend_on_the_address(client):
    session = SessionFactory(capacity=50)
    _post(client, session, email=VICTIM, ip=VICTIM_IP)
    for n in range(3):
        assert _post(client, session, email=f"p{n}@example.org", ip=_attacker_ip(1)).status_code == 302
    registered = _post(client, session, email=VICTIM, ip=_attacker_ip(1))
    unknown = _post(client, session, email="stranger@example.org", ip=_attacker_ip(1))
    assert registered.status_code == unknown.status_code == 200
    assert CAP_MESSAGE in registered.content.decode()
    assert _visible(registered, VICTIM) == _visible(unknown, "stranger@example.org")


@pytest.mark.parametrize("waiting_list", [False, True])
def test_a_repeat_and_a_new_registration_end_on_the_same_page(client, waiting_list):
    """Kept as it was: with seats (or a waiting list) left, everyone is sent to "check your inbox"."""
    event = EventFactory()
    session = SessionFactory(event=event, capacity=0 if waiting_list else 5, has_waiting_list=waiting_list)
    first = _post(client, session, email=VICTIM, ip=VICTIM_IP)
    repeat = _post(client, session, email=VICTIM, ip=_attacker_ip(1))
    new = _post(client, session, email="stranger@example.org", ip=_attacker_ip(1))
    expected = reverse("events:registered", kwargs={"slug": event.slug})
    assert [r.status_code for r in (first, repeat, new)] == [302] * 3
    assert first["Location"] == repeat["Location"] == new["Location"] == expected


def test_the_service_resends_to_a_registrant_of_a_full_session_and_still_refuses(
    mailoutbox, django_capture_on_commit_callbacks
):
    """The re-sent confirmation is committed although ``register`` raises."""
    session = SessionFactory(capacity=1, has_waiting_list=False)
    kwargs = dict(session=session, name="Ana", email=VICTIM, consent_text="I agree.", language="en")
    services.register(**kwargs)
    mailoutbox.clear()
    with time_machine.travel(NOW + services.RESEND_INTERVAL + timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.RegistrationError) as info:
            services.register(**kwargs)
    assert info.value.code == "full"
    assert [m.to for m in mailoutbox] == [[VICTIM]] and "confirmed" in mailoutbox[0].subject.lower()


def test_a_repeat_and_send_it_again_leave_the_cached_pages_alone(client, django_capture_on_commit_callbacks):
    """Recording that an email went out is bookkeeping: if it made the seat counts' cached pages
    stale, a cache miss on /events/ right after typing an address would tell that it is
    registered. (A repeat for an open session sends nothing by itself; the refusal of a full
    session re-sends, and "send it again" sends.)"""
    an_hour_ago = NOW - timedelta(hours=1)
    open_session = SessionFactory(capacity=20)
    full = SessionFactory(capacity=1, has_waiting_list=False)
    registered = RegistrationFactory(session=open_session, email=VICTIM, confirmation_sent_at=an_hour_ago)
    RegistrationFactory(session=full, email=VICTIM, confirmation_sent_at=an_hour_ago)
    areas = list(ContentArea)
    before = content_versions(areas)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, open_session, email=VICTIM, ip=_attacker_ip(1)).status_code == 302
        registered.refresh_from_db()
        assert registered.confirmation_sent_at == an_hour_ago, "a repeat sends nothing by itself"
        resend = client.post(reverse("events:registered", kwargs={"slug": open_session.event.slug}),
                             {"action": "resend"}, REMOTE_ADDR=_attacker_ip(1))
        assert resend.status_code == 302
        assert _post(client, full, email=VICTIM, ip=_attacker_ip(1)).status_code == 200
    assert content_versions(areas) == before
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [VICTIM, VICTIM], "the resend and the refusal's"
    registered.refresh_from_db()
    assert registered.confirmation_sent_at == NOW
