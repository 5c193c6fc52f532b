"""Messages that belong together carry a group: counted and cancelled through the outbox's own
functions, never by reading idempotency keys."""

from __future__ import annotations

import pytest
from django.utils import timezone

from outbox import services as outbox
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def _queue(to: str, group: str) -> OutgoingEmail:
    return outbox.queue_email(to=to, subject="News", body_text="Hello", group=group)


def test_count_by_status_counts_one_group_and_names_every_status():
    first = _queue("a@example.org", "announcement:1")
    _queue("b@example.org", "announcement:1")
    _queue("c@example.org", "announcement:2")
    OutgoingEmail.objects.filter(pk=first.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    counts = outbox.count_by_status(group="announcement:1")
    assert counts == {"queued": 1, "sending": 0, "sent": 1, "failed": 0, "cancelled": 0}
    assert outbox.count_by_status(group="announcement:9") == dict.fromkeys(OutgoingEmail.Status.values, 0)


def test_cancel_queued_touches_only_queued_messages_of_the_groups_and_recipient():
    waiting = _queue("Ana@Example.org", "announcement:1")
    sent = _queue("ana@example.org", "announcement:1")
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    other_person = _queue("bo@example.org", "announcement:1")
    other_group = _queue("ana@example.org", "announcement:2")
    assert outbox.cancel_queued(groups=["announcement:1"], to="ana@example.org") == 1
    statuses = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == "cancelled"
    assert statuses[sent.pk] == "sent"
    assert statuses[other_person.pk] == "queued" and statuses[other_group.pk] == "queued"


def test_count_in_group_annotates_many_rows_in_one_query(django_assert_num_queries):
    from django.db.models import OuterRef

    _queue("a@example.org", "registration:1")
    _queue("b@example.org", "registration:2")
    _queue("c@example.org", "registration:2")
    with django_assert_num_queries(1):
        rows = list(
            OutgoingEmail.objects.filter(group="registration:2")
            .annotate(in_group=outbox.count_in_group(OuterRef("group"), status="queued"))
            .values_list("in_group", flat=True)
        )
    assert rows == [2, 2]


def test_written_keys_names_only_the_keys_already_used():
    outbox.queue_email(to="a@example.org", subject="Reminder", body_text="Soon", idempotency_key="reminder:1")
    assert outbox.written_keys(["reminder:1", "reminder:2"]) == {"reminder:1"}
