"""Parallel registrations on PostgreSQL: the session lock holds capacity and the per-client cap on
new registrations; without it (the control runs) the same load overbooks and passes the cap,
which proves the tests can fail."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection, connections

from events import services
from events.models import Registration, Session

from .factories import SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.xdist_group("many-connections"),  # one at a time: see pyproject's addopts
]

THREADS = 50


def _race(session_id: int, emails: list[str], *, client: str = "") -> list[BaseException]:
    barrier = threading.Barrier(len(emails))
    errors: list[BaseException] = []

    def worker(email: str) -> None:
        try:
            barrier.wait()
            services.register(
                session=Session(pk=session_id), name="Racer", email=email, consent_text="I agree.", language="en",
                client=client,
            )
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(email,)) for email in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@contextmanager
def _lock_held(session_id: int, *, before_commit: Callable[[], object] = lambda: None) -> Iterator[None]:
    """Another transaction holds ``session_id``'s lock while the block runs; when it ends, that
    transaction runs ``before_commit`` and commits."""
    from django.db import transaction

    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                services._lock_session(session_id)
                holding.set()
                release.wait(10)
                before_commit()
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def test_fifty_parallel_registrations_never_confirm_more_than_capacity(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session = SessionFactory(capacity=10)
    errors = _race(session.pk, [f"p{i}@example.org" for i in range(THREADS)])
    assert errors == []
    assert Registration.objects.filter(session=session, status="confirmed").count() == 10
    assert Registration.objects.filter(session=session, status="waitlisted").count() == THREADS - 10


def _no_lock(session_id: int, **kwargs) -> Session:
    import time

    session = Session.objects.select_related("event").get(pk=session_id)
    time.sleep(0.05)  # widen the count-then-insert window like a slow request would
    return session


def _without_the_lock(monkeypatch) -> None:
    """``_lock_session`` replaced by a plain read, and a pause between the checks (seats, the
    client's allowance) and the insert, as a slow request would have: every racer checks before
    any has inserted, however fast the checks themselves are."""
    import time

    monkeypatch.setattr(services, "_lock_session", _no_lock)
    create = services._create_registration

    def slow_create(*args, **kwargs):
        time.sleep(0.1)
        return create(*args, **kwargs)

    monkeypatch.setattr(services, "_create_registration", slow_create)


def test_control_without_the_lock_overbooks(monkeypatch):
    """The same race with ``_lock_session`` replaced by a plain read must overbook; if it does
    not, the test above proves nothing."""
    _without_the_lock(monkeypatch)
    session = SessionFactory(capacity=10)
    _race(session.pk, [f"c{i}@example.org" for i in range(THREADS)])
    assert Registration.objects.filter(session=session, status="confirmed").count() > 10


@pytest.mark.parametrize("locked", [True, False], ids=["locked", "control-without-lock"])
def test_parallel_registrations_from_one_client_hold_at_most_three_seats(monkeypatch, locked):
    """The per-client cap on new registrations is checked and counted under the session lock."""
    if not locked:
        _without_the_lock(monkeypatch)
    session = SessionFactory(capacity=50)
    errors = _race(session.pk, [f"h{i}@example.org" for i in range(20)], client="198.51.100.1")
    seats = Registration.objects.filter(session=session).count()
    if locked:
        assert seats == 3
        assert len(errors) == 17
        assert all(isinstance(e, services.RegistrationError) and e.code == "client_cap" for e in errors)
    else:
        assert seats > 3


def test_same_email_twice_at_once_gives_one_registration_and_one_confirmation():
    session = SessionFactory(capacity=10)
    mail.outbox = []
    errors = _race(session.pk, ["same@example.org"] * 2)
    assert errors == []
    assert Registration.objects.filter(session=session).count() == 1
    from outbox.models import OutgoingEmail

    assert OutgoingEmail.objects.filter(to="same@example.org").count() == 1


def test_locking_a_session_leaves_its_event_and_sibling_sessions_free():
    """``_lock_session`` locks the session row only (FOR UPDATE OF): while one transaction holds
    a session, another can lock a second session of the same event, and the event row itself
    (an admin saving the event), without waiting."""
    from django.db import transaction

    from .factories import EventFactory

    event = EventFactory()
    first, second = SessionFactory(event=event), SessionFactory(event=event)
    outcome: dict[str, object] = {}

    def other() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                services._lock_session(second.pk)
                outcome["sibling"] = "locked"
                type(event).objects.select_for_update(nowait=True).get(pk=event.pk)
                outcome["event"] = "locked"
        except BaseException as exc:  # noqa: BLE001 — asserted below
            outcome["error"] = exc
        finally:
            connections.close_all()

    with _lock_held(first.pk):
        other_thread = threading.Thread(target=other)
        other_thread.start()
        other_thread.join()
    assert outcome == {"sibling": "locked", "event": "locked"}


def test_a_registration_that_cannot_get_the_lock_in_time_answers_busy_and_stores_nothing(client, monkeypatch):
    """Overload: the session's lock is held past ``LOCK_TIMEOUT`` by another transaction. The
    visitor gets 503 with Retry-After (a page that says nothing was saved), never a 500; no
    registration, no email, no counted allowance is left behind."""
    from outbox.models import OutgoingEmail

    monkeypatch.setattr(services, "LOCK_TIMEOUT", "300ms")
    session = SessionFactory(capacity=10)
    with _lock_held(session.pk):
        response = client.post(session.event.get_absolute_url(), {
            "session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "affiliation": "UL",
            "consent": "on",
        })
    assert response.status_code == 503 and response["Retry-After"] == str(services.BUSY_RETRY_AFTER)
    assert "nothing was saved" in response.content.decode()
    assert not Registration.objects.exists() and not OutgoingEmail.objects.exists()
    # once the lock is free, the same form goes through
    again = client.post(session.event.get_absolute_url(), {
        "session": session.pk, "name": "Ana Novak", "email": "ana@example.org", "affiliation": "UL", "consent": "on",
    })
    assert again.status_code == 302 and Registration.objects.filter(email="ana@example.org").count() == 1


def test_a_registration_counts_the_seats_confirmed_while_it_waited_for_the_lock():
    """One transaction holds the session's lock; a registration queues behind it; only then does
    the first confirm the last seat and commit. The registration must count that seat (and join
    the waiting list): a count read from before its wait for the lock would confirm it too.
    Deterministic, where the fifty-thread race above is a matter of timing."""
    from django.utils import timezone

    session = SessionFactory(capacity=1, has_waiting_list=True)
    outcome: dict[str, object] = {}

    def confirm_the_last_seat() -> None:
        Registration.objects.create(session_id=session.pk, name="First", email="first@example.org",
                                    consent_text="I agree.", status="confirmed", confirmed_at=timezone.now())

    def registrant() -> None:
        try:
            outcome["result"] = services.register(session=Session(pk=session.pk), name="Second",
                                                  email="second@example.org", consent_text="I agree.", language="en")
        except BaseException as exc:  # noqa: BLE001 — asserted below
            outcome["error"] = exc
        finally:
            connections.close_all()

    registrant_thread = threading.Thread(target=registrant)
    try:
        with _lock_held(session.pk, before_commit=confirm_the_last_seat):
            registrant_thread.start()
            for _ in range(500):  # until the registration waits for the lock
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND wait_event_type = 'Lock'")
                    if cursor.fetchone()[0]:
                        break
                threading.Event().wait(0.01)
            else:
                raise AssertionError("the registration never waited for the lock")
    finally:
        if registrant_thread.ident is not None:
            registrant_thread.join()
    assert "error" not in outcome, outcome
    assert outcome["result"].registration.status == "waitlisted"
    assert Registration.objects.filter(session=session, status="confirmed").count() == 1
