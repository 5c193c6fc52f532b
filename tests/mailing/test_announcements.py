"""Announcements: batches through the outbox, each active subscriber exactly once, never the
unsubscribed, resumable after a crash, every message with its unsubscribe headers."""

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
    assert services.start_sending(announcement_id=announcement.pk)
    assert services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2) is True
    assert OutgoingEmail.objects.count() == 2
    assert services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2) is True
    assert services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2) is False
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == sorted(s.email for s in active)
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert (announcement.total_recipients, announcement.queued_count) == (5, 5)
    # A stray re-run after the end writes nothing.
    assert services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2) is False
    assert OutgoingEmail.objects.count() == 5


def test_resumed_run_after_a_crash_writes_no_duplicates(news_list, announcement, monkeypatch):
    subscribers(news_list, 5)
    services.start_sending(announcement_id=announcement.pk)
    services.send_announcement_batch(announcement_id=announcement.pk, batch_size=3)
    # The worker died after writing the messages but before the cursor was saved:
    Announcement.objects.filter(pk=announcement.pk).update(cursor=0)
    monkeypatch.setattr(services, "ANNOUNCEMENT_BATCH_SIZE", 2)
    tasks.send_announcement_batch(announcement.pk)  # the task chains itself to the end
    keys = list(OutgoingEmail.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 5
    assert Announcement.objects.get(pk=announcement.pk).status == Announcement.Status.SENT


def test_a_batch_interrupted_mid_way_rolls_back_and_resumes(news_list, announcement, monkeypatch):
    subscribers(news_list, 4)
    services.start_sending(announcement_id=announcement.pk)
    real = services.queue_templated_email
    calls = {"n": 0}

    def dies_on_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "queue_templated_email", dies_on_third)
    with pytest.raises(SystemExit):
        services.send_announcement_batch(announcement_id=announcement.pk, batch_size=10)
    assert OutgoingEmail.objects.count() == 0  # the batch was one transaction
    monkeypatch.setattr(services, "queue_templated_email", real)
    services.send_announcement_batch(announcement_id=announcement.pk, batch_size=10)
    assert OutgoingEmail.objects.count() == 4


def test_unsubscribed_during_sending_never_receive(news_list, announcement, client, django_capture_on_commit_callbacks):
    first, second, third = subscribers(news_list, 3)
    services.start_sending(announcement_id=announcement.pk)
    services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2)  # first and second queued
    client.post(f"/mailing-list/unsubscribe/{tokens.unsubscribe_token(second.pk)}/")
    client.post(f"/mailing-list/unsubscribe/{tokens.unsubscribe_token(third.pk)}/")
    services.send_announcement_batch(announcement_id=announcement.pk, batch_size=2)
    rows = dict(OutgoingEmail.objects.values_list("to", "status"))
    assert rows == {first.email: "queued", second.email: "cancelled"}


def test_delivered_messages_carry_list_headers_and_link(news_list, announcement, mailoutbox, django_capture_on_commit_callbacks, client):
    subscription = SubscriptionFactory(mailing_list=news_list)
    services.start_sending(announcement_id=announcement.pk)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_announcement_batch(announcement.pk)
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
    assert services.send_announcement_batch(announcement_id=announcement.pk) is False
    assert not OutgoingEmail.objects.exists()
    assert services.start_sending(announcement_id=announcement.pk) is True
    assert services.start_sending(announcement_id=announcement.pk) is False


def test_stalled_announcements_are_resumed(news_list, announcement):
    from datetime import timedelta

    from django.utils import timezone

    subscribers(news_list, 2)
    services.start_sending(announcement_id=announcement.pk)
    Announcement.objects.filter(pk=announcement.pk).update(send_started_at=timezone.now() - timedelta(hours=1))
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
    services.start_sending(announcement_id=announcement.pk)
    services.send_announcement_batch(announcement_id=announcement.pk, batch_size=1)  # then the worker dies
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
