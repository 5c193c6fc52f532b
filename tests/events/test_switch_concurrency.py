"""Switching dates under load on PostgreSQL: both sessions are locked (in key order) before the
seats are counted, so no date is overbooked and switches in opposite directions do not deadlock;
without the lock (the control run) the same load overbooks, which proves the test can fail."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from events import services
from events.models import Registration

from .factories import EventFactory, RegistrationFactory, SessionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.xdist_group("many-connections"),  # one at a time: see pyproject's addopts
]

MOVERS = 30


def _switch_all(moves: list[tuple[int, int]], *, accept_waiting_list: bool) -> list[BaseException]:
    """Each (registration id, session id) switched in its own thread, all released at once."""
    barrier = threading.Barrier(len(moves))
    errors: list[BaseException] = []

    def worker(registration_id: int, session_id: int) -> None:
        try:
            registration = Registration.objects.get(pk=registration_id)
            session = type(registration.session).objects.get(pk=session_id)
            barrier.wait()
            services.switch_registration(
                registration=registration, session=session, accept_waiting_list=accept_waiting_list
            )
        except BaseException as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=move) for move in moves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _two_dates(*, capacity_a: int, capacity_b: int):
    event = EventFactory()
    a = SessionFactory(event=event, capacity=capacity_a)
    b = SessionFactory(event=event, capacity=capacity_b, start=a.start + timedelta(days=1))
    return a, b


def _confirmed(session) -> int:
    return Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED).count()


def test_thirty_switches_into_ten_seats_confirm_ten_and_leave_the_others_where_they_were(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    a, b = _two_dates(capacity_a=MOVERS, capacity_b=10)
    movers = [RegistrationFactory(session=a).pk for _ in range(MOVERS)]
    errors = _switch_all([(pk, b.pk) for pk in movers], accept_waiting_list=False)
    assert _confirmed(b) == 10
    assert _confirmed(a) == MOVERS - 10, "nobody lost their seat without getting the new one"
    assert len(errors) == MOVERS - 10
    assert all(isinstance(e, services.RegistrationError) and e.code == "waiting_list" for e in errors)


def test_switches_in_both_directions_at_once_neither_deadlock_nor_overbook():
    a, b = _two_dates(capacity_a=15, capacity_b=15)
    from_a = [RegistrationFactory(session=a).pk for _ in range(12)]
    from_b = [RegistrationFactory(session=b).pk for _ in range(12)]
    moves = [(pk, b.pk) for pk in from_a] + [(pk, a.pk) for pk in from_b]
    errors = _switch_all(moves, accept_waiting_list=True)
    assert errors == [], errors  # a deadlock would be an OperationalError here
    assert _confirmed(a) <= 15 and _confirmed(b) <= 15
    assert Registration.objects.filter(status=Registration.Status.CANCELLED).count() == 0
    assert Registration.objects.exclude(status=Registration.Status.CANCELLED).count() == 24


def _no_lock(session_id: int, **kwargs):
    import time

    from events.models import Session

    session = Session.objects.select_related("event").get(pk=session_id)
    time.sleep(0.05)  # widen the count-then-move window like a slow request would
    return session


def test_control_without_the_lock_overbooks(monkeypatch):
    """The same load with ``_lock_session`` replaced by a plain read must overbook the new date;
    if it does not, the tests above prove nothing."""
    monkeypatch.setattr(services, "_lock_session", _no_lock)
    a, b = _two_dates(capacity_a=MOVERS, capacity_b=10)
    movers = [RegistrationFactory(session=a).pk for _ in range(MOVERS)]
    _switch_all([(pk, b.pk) for pk in movers], accept_waiting_list=False)
    assert _confirmed(b) > 10
