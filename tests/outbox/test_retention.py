"""Retention of sent messages: bodies, attachments, headers and addresses purged after
``RETENTION_OUTBOX_DAYS`` (``outbox.personal_data``); the delivery record stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from outbox.models import OutgoingEmail
from outbox.personal_data import Messages
from outbox.services import queue_email

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def purge_old_outbox() -> int:
    return Messages().apply_retention(now=timezone.now())["outbox_purged"]


def _sent_message(to: str) -> OutgoingEmail:
    email = queue_email(to=to, subject="Hello", body_text=f"Dear {to}", body_html="<p>Hi</p>", reply_to=to,
                        headers={"List-Unsubscribe": "<https://x/unsub>"})
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmail.Status.SENT, sent_at=timezone.now())
    return email


def test_outbox_bodies_and_addresses_are_purged_after_90_days():
    with time_machine.travel(START, tick=False):
        old = _sent_message("old@example.org")
        old_queued = queue_email(to="stuck@example.org", subject="Stuck", body_text="Body")
        old_sending = queue_email(to="held@example.org", subject="Held", body_text="Body")
        OutgoingEmail.objects.filter(pk=old_sending.pk).update(
            status=OutgoingEmail.Status.SENDING, last_attempt_at=timezone.now(), message_id="<1@testserver>"
        )
    with time_machine.travel(START + timedelta(days=60), tick=False):
        recent = _sent_message("recent@example.org")
    with time_machine.travel(START + timedelta(days=91), tick=False):
        assert purge_old_outbox() == 1
        assert purge_old_outbox() == 0
    old.refresh_from_db()
    assert (old.to, old.reply_to, old.body_text, old.body_html) == ("", "", "", "")
    assert old.headers == {} and old.attachments == []
    assert old.subject == "Hello" and old.status == OutgoingEmail.Status.SENT  # the delivery record stays
    recent.refresh_from_db()
    assert recent.body_text == "Dear recent@example.org"
    old_queued.refresh_from_db()
    old_sending.refresh_from_db()
    # Never empties a message that may still go out (a row left sending is sent again).
    assert old_queued.body_text == "Body" and old_sending.body_text == "Body"
