"""A message to 2,000 registrants while the Celery worker is SIGKILLed part-way: every registrant
gets it, and none sees it twice.

The worker is killed as soon as the first batch is written (the message's cursor has moved, most
of its emails are not yet in the outbox): the chain is cut while batches are still being written
and messages delivered, so the rest is written only if the stalled chain is resumed. What beat does
then is done here by hand, as in ``test_outbox_worker_kills``: the stalled chain is resumed with
its current token (``events.messaging.resume_chain``) and the outbox sweep re-queues rows the dead
worker held. A batch is one transaction, so one killed mid-batch wrote nothing and runs again;
each email's idempotency key (message and registration) keeps the outbox at one row per person.
As in that test, a message caught in flight by the kill may reach the SMTP server twice, always
under its one Message-ID, which mail programs drop: this test counts distinct Message-IDs per
registrant.
"""

from __future__ import annotations

import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.utils import timezone

from events import messaging
from events import tasks as event_tasks
from events.models import Event, RegistrantMessage, Registration, Session
from outbox import tasks as outbox_tasks
from outbox.models import OutgoingEmail

from .conftest import ArrivalsSink, killable_worker_for, running, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("many-connections")]  # see pyproject's addopts

REGISTRANTS = 2000
CONCURRENCY = 4  # prefork children, as in test_outbox_worker_kills
POLL = 0.1  # seconds between looks at the sink and the outbox


class CountingSink(ArrivalsSink):
    """An aiosmtpd server on loopback that records, per recipient, the Message-IDs it received."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        message = message_from_bytes(envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.arrivals[recipient.lower()].append(message["Message-ID"])
        return "250 Message accepted for delivery"

    def snapshot(self) -> dict[str, list[str]]:
        with self.lock:
            return {to: list(ids) for to, ids in self.arrivals.items()}


@pytest.fixture
def counting_sink():
    with running(CountingSink()) as sink:
        yield sink


@pytest.fixture
def killable_worker(services_required, counting_sink, tmp_path):
    """``celery -A portal worker`` (prefork, its own queue and process group) on the test
    database, sending to the sink."""
    with killable_worker_for(
        counting_sink, queue_prefix="it-messages-", log=tmp_path / "celery.log", concurrency=CONCURRENCY
    ) as worker:
        yield worker


def _registrants() -> tuple[Event, Session]:
    event = Event.objects.create(title="Data day", slug="data-day", status=Event.Status.PUBLISHED)
    start = timezone.now() + timedelta(days=3)
    session = Session.objects.create(event=event, start=start, end=start + timedelta(hours=1), capacity=REGISTRANTS)
    Registration.objects.bulk_create(
        Registration(
            session=session, name=f"Person {i}", email=f"person{i}@example.org", consent_text="I agree.",
            status=Registration.Status.CONFIRMED, language="sl" if i % 2 else "en",
        )
        for i in range(REGISTRANTS)
    )
    return event, session


def test_writing_to_2000_registrants_reaches_each_once_although_the_worker_is_killed(killable_worker, counting_sink):
    started = time.monotonic()
    event, session = _registrants()
    message = RegistrantMessage.objects.create(
        event=event, session=session, recipients=["confirmed"], subject_en="Before the data day",
        subject_sl="Pred dnevom podatkov", body_en="Dear {name}, see you {session_time}. Your page: {manage_link}",
        body_sl="Pozdravljeni, {name}. Vaša stran: {manage_link}",
    )
    killable_worker.start()
    chain = messaging.start_sending(message_id=message.pk)
    event_tasks.queue_batch(message.pk, chain)  # what the admin does after its commit

    def progress() -> tuple[int, str]:
        return RegistrantMessage.objects.values_list("cursor", "state").get(pk=message.pk)

    assert wait_until(lambda: progress()[0] > 0, 90, every=0.01), progress()
    killed_at = timezone.now()
    killable_worker.kill()
    cursor_at_kill, state_at_kill = progress()
    written_at_kill = OutgoingEmail.objects.filter(group=message.outbox_group).count()
    last_id = Registration.objects.filter(session=session).order_by("-pk").values_list("pk", flat=True)[0]
    killable_worker.start()

    # What beat's sweep does once SENDING_TIMEOUT has passed; here the test knows when the worker
    # died, so rows claimed before that, and rows whose task died with it, are handed over again.
    outbox_tasks.sweep(older_than=timedelta(0), stalled_after=timezone.now() - killed_at, limit=REGISTRANTS)
    last_beat = [time.monotonic()]

    def beat_now_and_then() -> None:
        """What beat does every 30 s (here every 2 s): resume a stalled chain; now and then sweep
        the outbox for rows waiting longer than the backlog explains."""
        if time.monotonic() - last_beat[0] < 2:
            return
        last_beat[0] = time.monotonic()
        for pk in messaging.stalled_message_ids(older_than=timedelta(seconds=2)):
            token = messaging.resume_chain(message_id=pk, older_than=timedelta(seconds=2))
            if token is not None:
                event_tasks.queue_batch(pk, token)
        outbox_tasks.sweep(older_than=timedelta(seconds=30), stalled_after=timezone.now() - killed_at)

    wait_until(lambda: counting_sink.unique() >= REGISTRANTS, 120, every=POLL, then=beat_now_and_then)
    assert wait_until(
        lambda: not OutgoingEmail.objects.filter(group=message.outbox_group)
        .exclude(status=OutgoingEmail.Status.SENT).exists()
        and OutgoingEmail.objects.filter(group=message.outbox_group).count() == REGISTRANTS,
        15, every=POLL, then=beat_now_and_then,
    )
    time.sleep(0.5)  # late copies, if any, arrive now

    arrivals = counting_sink.snapshot()
    figures = {
        "written_at_kill": written_at_kill,
        "cursor_at_kill": cursor_at_kill,
        "delivered": len(arrivals),
        "copies": sum(len(ids) for ids in arrivals.values()),
        "seen_twice_by_a_reader": sum(len(set(ids)) - 1 for ids in arrivals.values()),
        "seconds": round(time.monotonic() - started, 1),
    }
    print(f"\nregistrant message, worker killed part-way: {figures}")

    # The kill cut the chain: the rest was written by the resumed chain.
    assert state_at_kill == RegistrantMessage.State.QUEUED and cursor_at_kill < last_id
    assert 0 < written_at_kill < REGISTRANTS
    assert set(arrivals) == {f"person{i}@example.org" for i in range(REGISTRANTS)}
    assert figures["seen_twice_by_a_reader"] == 0, "a second copy always carries the first's Message-ID"
    assert figures["copies"] - REGISTRANTS <= 4 * CONCURRENCY, "only what was in flight at the kill is sent again"
    rows = OutgoingEmail.objects.filter(group=message.outbox_group)
    assert rows.count() == REGISTRANTS
    assert rows.values("idempotency_key").distinct().count() == REGISTRANTS
    message.refresh_from_db()
    assert message.state == RegistrantMessage.State.SENT and message.total_recipients == REGISTRANTS
