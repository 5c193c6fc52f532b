"""Announcements: batches through the outbox, each active subscriber exactly once, never the
unsubscribed, resumable after a crash, every message with its unsubscribe headers."""

from uuid import uuid4

import pytest

from mailing import services, tasks, tokens
from mailing.models import Announcement, Subscription
from outbox.models import OutgoingEmail

from .factories import AnnouncementFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcement(news_list):
    return AnnouncementFactory(mailing_list=news_list)


def subscribers(news_list, n, **kwargs):
    return [SubscriptionFactory(mailing_list=news_list, **kwargs) for _ in range(n)]


def test_batches_reach_each_active_subscriber_once(news_list, announcement):
    active = subscribers(news_list, 5)
    subscribers(news_list, 2, status=Subscription.Status.UNSUBSCRIBED)
    subscribers(news_list, 1, status=Subscription.Status.PENDING)
    SubscriptionFactory()  # another list
    chain = services.start_sending(announcement_id=announcement.pk)
    assert chain is not None
    chain = services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2)
    assert chain is not None
    assert OutgoingEmail.objects.count() == 2
    chain = services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2)
    assert chain is not None
    last = chain
    assert services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2) is None
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == sorted(s.email for s in active)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert (announcement.total_recipients, announcement.queued_count) == (5, 5)
    # A stray re-run after the end writes nothing.
    assert services.send_announcement_batch(announcement_id=announcement.pk, chain=last, batch_size=2) is None
    assert OutgoingEmail.objects.count() == 5


def test_resumed_run_after_a_crash_writes_no_duplicates(news_list, announcement, monkeypatch):
    subscribers(news_list, 5)
    chain = services.start_sending(announcement_id=announcement.pk)
    chain = services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=3)
    # The worker died after writing the messages but before the cursor was saved:
    Announcement.objects.filter(pk=announcement.pk).update(cursor=0)
    monkeypatch.setattr(services, "ANNOUNCEMENT_BATCH_SIZE", 2)
    tasks.send_announcement_batch(announcement.pk, str(chain))  # the task chains itself to the end
    keys = list(OutgoingEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 5
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT


def test_a_batch_interrupted_mid_way_rolls_back_and_resumes(news_list, announcement, monkeypatch):
    subscribers(news_list, 4)
    chain = services.start_sending(announcement_id=announcement.pk)
    real = services.queue_templated_email
    calls = {"n": 0}

    def dies_on_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "queue_templated_email", dies_on_third)
    with pytest.raises(SystemExit):
        services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=10)
    assert OutgoingEmail.objects.count() == 0  # the batch was one transaction
    monkeypatch.setattr(services, "queue_templated_email", real)
    services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=10)  # token unspent
    assert OutgoingEmail.objects.count() == 4


def test_unsubscribed_during_sending_never_receive(news_list, announcement, client, django_capture_on_commit_callbacks):
    first, second, third = subscribers(news_list, 3)
    chain = services.start_sending(announcement_id=announcement.pk)
    chain = services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2)  # first and second queued
    client.post(f"/mailing-list/unsubscribe/{tokens.unsubscribe_token(second.pk)}/")
    client.post(f"/mailing-list/unsubscribe/{tokens.unsubscribe_token(third.pk)}/")
    services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2)
    rows = dict(OutgoingEmail.objects.values_list("to", "status"))
    assert rows == {first.email: "queued", second.email: "cancelled"}


def test_delivered_messages_carry_list_headers_and_link(news_list, announcement, mailoutbox, django_capture_on_commit_callbacks, client):
    subscription = SubscriptionFactory(mailing_list=news_list)
    chain = services.start_sending(announcement_id=announcement.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_announcement_batch(announcement.pk, str(chain))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Spring webinars & workshops"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://testserver/mailing-list/unsubscribe/") and header.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header[1:-1] in message.body
    html = message.alternatives[0][0]
    assert "<strong>Register now</strong>" in html and "/mailing-list/unsubscribe/" in html
    # The header's link works as an RFC 8058 one-click unsubscribe.
    path = header[1:-1].removeprefix("http://testserver")
    client.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"


def test_a_draft_is_not_sent_and_start_is_once(news_list, announcement):
    subscribers(news_list, 1)
    assert services.send_announcement_batch(announcement_id=announcement.pk, chain=uuid4()) is None
    assert not OutgoingEmail.objects.exists()
    assert services.start_sending(announcement_id=announcement.pk) is not None
    assert services.start_sending(announcement_id=announcement.pk) is None


def test_stalled_announcements_are_resumed(news_list, announcement):
    from datetime import timedelta

    from django.utils import timezone

    subscribers(news_list, 2)
    services.start_sending(announcement_id=announcement.pk)  # then the broker loses the first task
    Announcement.objects.filter(pk=announcement.pk).update(chain_queued_at=timezone.now() - timedelta(hours=1))
    assert tasks.resume_stalled_announcements() == 1
    assert OutgoingEmail.objects.count() == 2
    assert tasks.resume_stalled_announcements() == 0


def test_a_stalled_announcement_resumes_within_two_minutes_and_a_busy_one_is_left_alone(news_list, announcement):
    """Whatever the phase of Celery beat's schedule, the first run after a mail-out's chain of
    batch tasks was lost (its worker killed) resumes it within two minutes; a mail-out whose
    last batch was written moments ago is not resumed."""
    from datetime import timedelta

    import time_machine

    from portal.celery import app

    every = timedelta(seconds=app.conf.beat_schedule["resume-stalled-announcements"]["schedule"])
    subscribers(news_list, 3)
    chain = services.start_sending(announcement_id=announcement.pk)
    services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=1)  # then the worker dies
    stalled_at = Announcement.objects.get(pk=announcement.pk).last_batch_at
    with time_machine.travel(stalled_at + timedelta(seconds=30), tick=False):
        assert services.stalled_announcement_ids() == [], "a mail-out between two batches is not stalled"
    for phase in range(0, int(every.total_seconds()), 5):  # beat's first run after the stall
        run = stalled_at + timedelta(seconds=phase)
        while True:
            with time_machine.travel(run, tick=False):
                if services.stalled_announcement_ids() == [announcement.pk]:
                    break
            run += every
        assert run - stalled_at <= timedelta(minutes=2), f"resumed {run - stalled_at} after it stalled"
    with time_machine.travel(stalled_at + timedelta(minutes=2), tick=False):
        assert tasks.resume_stalled_announcements() == 1
    assert OutgoingEmail.objects.count() == 3
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT


BATCH = "mailing.tasks.send_announcement_batch"


@pytest.mark.parametrize("first", ["the waiting task", "the resumed task"])
def test_a_slow_chain_that_is_resumed_goes_on_as_one_chain(
    first, news_list, announcement, network_coordinator_client, queued_tasks, django_capture_on_commit_callbacks,
    mailoutbox, monkeypatch,
):
    """The next batch task waits in the queue behind the deliveries of the batch before it for
    longer than the stall limit, so the chain is resumed though it is alive. Of the two batch
    tasks then queued, whichever runs first carries the chain on and the other ends without
    queueing anything: one chain, every message written and delivered once."""
    from datetime import timedelta

    import time_machine
    from django.urls import reverse
    from django.utils import timezone

    monkeypatch.setattr(services, "ANNOUNCEMENT_BATCH_SIZE", 2)
    subscribers(news_list, 7)  # batches of 2, 2, 2, 1

    def run(task):
        """Run a task as one worker process would, and return what it queued in the order a
        worker queues it: the deliveries at the batch's commit, then the next batch (here the
        commit is the end of the capture, after the task returned)."""
        with django_capture_on_commit_callbacks(execute=True):
            queued_tasks.run(*task)
        queued = queued_tasks.take()
        return sorted(queued, key=lambda task: task[0] == BATCH)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            network_coordinator_client.post(reverse("admin:mailing_announcement_send", args=[announcement.pk]))
        pending = queued_tasks.take()
        assert [name for name, _ in pending] == [BATCH]
        pending = run(pending[0])
        assert [name for name, _ in pending] == ["outbox.tasks.deliver_emails", BATCH]  # the batch's two, together

        clock.shift(timedelta(minutes=2))  # the worker is still busy elsewhere
        assert tasks.resume_stalled_announcements() == 1
        pending += queued_tasks.take()
        batches = [i for i, (name, _) in enumerate(pending) if name == BATCH]
        assert len(batches) == 2
        if first == "the resumed task":
            pending[batches[0]], pending[batches[1]] = pending[batches[1]], pending[batches[0]]

        batches_queued_by_each_batch = []
        while pending:
            task = pending.pop(0)
            queued = run(task)
            if task[0] == BATCH:
                batches_queued_by_each_batch.append(sum(name == BATCH for name, _ in queued))
            pending += queued

    # The first of the pair writes the second batch and queues the third; the other queues nothing.
    assert batches_queued_by_each_batch == [1, 0, 1, 0]
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT
    keys = list(OutgoingEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 7
    recipients = [m.to[0] for m in mailoutbox]
    assert len(recipients) == len(set(recipients)) == 7


def test_a_resume_restarts_the_stall_clock(news_list, announcement, queued_tasks):
    """A resumed chain is not resumed again at beat's next run (its task may be waiting in the
    queue), only once that task too has been silent for the stall limit."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    subscribers(news_list, 1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        services.start_sending(announcement_id=announcement.pk)  # its first task is lost
        clock.shift(services.STALLED_AFTER - timedelta(seconds=1))
        assert tasks.resume_stalled_announcements() == 0
        clock.shift(timedelta(seconds=2))
        assert tasks.resume_stalled_announcements() == 1
        clock.shift(timedelta(seconds=30))
        assert tasks.resume_stalled_announcements() == 0, "resumed moments ago"
        clock.shift(services.STALLED_AFTER)
        assert tasks.resume_stalled_announcements() == 1, "the resumed task was lost too"
    assert [name for name, _ in queued_tasks.take()] == [BATCH, BATCH]


def test_of_tasks_carrying_one_token_only_the_first_to_run_writes(news_list, announcement):
    """A token queued twice (a resume, a task the broker delivered again) writes one batch; a
    spent token, another announcement's token, or none (a task queued before chains had
    tokens) does nothing."""
    subscribers(news_list, 3)
    chain = services.start_sending(announcement_id=announcement.pk)
    assert tasks.send_announcement_batch(announcement.pk, "") is False
    assert tasks.send_announcement_batch(announcement.pk, str(uuid4())) is False
    assert OutgoingEmail.objects.count() == 0
    following = services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2)
    assert following not in (None, chain)
    assert services.send_announcement_batch(announcement_id=announcement.pk, chain=chain, batch_size=2) is None
    assert OutgoingEmail.objects.count() == 2
    assert services.send_announcement_batch(announcement_id=announcement.pk, chain=following, batch_size=2) is None
    assert OutgoingEmail.objects.count() == 3
    announcement.refresh_from_db()
    assert (announcement.status, announcement.chain) == (Announcement.Status.SENT, None)


def test_the_chain_token_is_set_exactly_while_sending(news_list, announcement):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).update(chain=uuid4())  # a draft
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).update(status=Announcement.Status.SENDING)
