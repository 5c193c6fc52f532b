"""Every write to mailing lists: double opt-in, confirmation, approval, unsubscribing, and
sending announcements in batches. Emails go through the outbox inside the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr
from typing import Any
from uuid import UUID, uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from core import sites
from core.accounts import network_coordinator_emails
from core.content import localised, marked
from core.email_address import normalise_email
from core.markdown import render_plain_text
from outbox import services as outbox
from outbox.services import enqueue_all_after_commit, queue_templated_email

from . import tokens
from .models import Announcement, ConsentRecord, MailingList, Subscription

logger = logging.getLogger(__name__)

NETWORK_NEWS_SLUG = "network-news"
ANNOUNCEMENT_BATCH_SIZE = 200

Status = Subscription.Status


def absolute_url(name: str, *, language: str, **kwargs: Any) -> str:
    """An absolute link for an email, under the recipient's language prefix."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return sites.absolute_url(reverse(name, kwargs=kwargs or None))


def subscriber_language(subscription: Subscription) -> str:
    """The language every message to the subscriber is written in: the one they signed up in."""
    return subscription.language or settings.LANGUAGE_CODE


def list_headers(subscription: Subscription) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers every message of a list carries (the unsubscribe link and the
    list's name in the subscriber's language, like the message)."""
    language = subscriber_language(subscription)
    url = absolute_url("mailing:unsubscribe", language=language, token=tokens.unsubscribe_token(subscription.pk))
    host = sites.site_domain().split(":", 1)[0] or "localhost"
    name = localised(subscription.mailing_list, "name", language).value
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # The name alone encoded (RFC 2047) when it is not ASCII, so the id stays readable.
        "List-Id": formataddr((name, f"{subscription.mailing_list.slug}.{host}")),
    }


def list_links(subscription: Subscription) -> dict[str, str]:
    language = subscriber_language(subscription)
    return {
        "unsubscribe_url": absolute_url(
            "mailing:unsubscribe", language=language, token=tokens.unsubscribe_token(subscription.pk)
        ),
        "manage_url": absolute_url("mailing:manage", language=language, token=tokens.manage_token(subscription.email)),
    }


@dataclass(frozen=True)
class SubscriptionRequest:
    """What ``request_subscription`` did, for tests and callers; never shown to the visitor."""

    to_confirm: list[Subscription]
    already: list[Subscription]


@transaction.atomic
def request_subscription(
    *,
    email: str,
    lists: Iterable[MailingList],
    consent_text: str,
    consent_version: str,
    source: str,
    language: str = "",
) -> SubscriptionRequest:
    """Record consent and put the address on each list as pending, then email one confirmation
    link for all of them. Lists the address is already on (active or awaiting approval) are not
    touched; the email then says so and links to the manage page. The caller shows the same
    page whatever happened, so the form never reveals who is subscribed."""
    email = normalise_email(email)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    source = source[:100]
    now = timezone.now()
    to_confirm: list[Subscription] = []
    already: list[Subscription] = []
    for mailing_list in lists:
        ConsentRecord.objects.create(
            email=email, mailing_list=mailing_list, consent_text=str(consent_text),
            consent_version=consent_version, source=source, language=language, given_at=now,
        )
        subscription = _pending_subscription(mailing_list, email=email, language=language, source=source, now=now)
        (to_confirm if subscription.status == Status.PENDING else already).append(subscription)
    if to_confirm or already:
        _send_confirmation_request(email=email, language=language, to_confirm=to_confirm, already=already)
    return SubscriptionRequest(to_confirm=to_confirm, already=already)


def _pending_subscription(
    mailing_list: MailingList, *, email: str, language: str, source: str, now: datetime
) -> Subscription:
    """The address's subscription to the list, made pending (a new request), unless it is
    already active or awaiting approval, which it is left as."""
    subscription, _created = Subscription.objects.select_for_update().get_or_create(
        mailing_list=mailing_list,
        email=email,
        defaults={"status": Status.PENDING, "language": language, "source": source, "requested_at": now},
    )
    if subscription.status in (Status.ACTIVE, Status.AWAITING_APPROVAL):
        return subscription
    subscription.status, subscription.language = Status.PENDING, language
    subscription.source, subscription.requested_at = source, now
    subscription.save(update_fields=["status", "language", "source", "requested_at"])
    return subscription


def _send_confirmation_request(
    *, email: str, language: str, to_confirm: list[Subscription], already: list[Subscription]
) -> None:
    """One email: the link confirming ``to_confirm``, and a note on the lists ``already`` joined."""
    context: dict[str, Any] = {
        "to_confirm": [s.mailing_list for s in to_confirm],
        "already": [s.mailing_list for s in already],
        "manage_url": absolute_url("mailing:manage", language=language, token=tokens.manage_token(email)),
        "expires_days": tokens.MAX_AGE[tokens.CONFIRM].days,
    }
    if to_confirm:
        context["confirm_url"] = absolute_url(
            "mailing:confirm", language=language, token=tokens.confirm_token([s.pk for s in to_confirm])
        )
    queue_templated_email(
        to=email, template="mailing/confirm_subscription", context=context, language=language,
        purpose="mailing/confirm",
    )


def pending_for_token(*, token: str) -> list[Subscription]:
    """The still-unconfirmed subscriptions a confirmation token names (raises InvalidToken)."""
    ids = tokens.read_confirm_token(token)
    return list(Subscription.objects.filter(pk__in=ids, status=Status.PENDING).select_related("mailing_list"))


@transaction.atomic
def confirm(*, token: str) -> list[Subscription]:
    """Confirm the address: open lists become active, lists that need approval wait for a
    coordinator (who is emailed). Raises ``tokens.InvalidToken``; a second use changes nothing."""
    ids = tokens.read_confirm_token(token)
    now = timezone.now()
    confirmed = list(
        Subscription.objects.select_for_update()
        .filter(pk__in=ids, status=Status.PENDING)
        .select_related("mailing_list")
    )
    for subscription in confirmed:
        subscription.confirmed_at = now
        if subscription.mailing_list.requires_approval:
            subscription.status = Status.AWAITING_APPROVAL
            _notify_coordinators(subscription)
        else:
            subscription.status = Status.ACTIVE
            subscription.unsubscribed_at = None
        subscription.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    return confirmed


def _notify_coordinators(subscription: Subscription) -> None:
    for address in network_coordinator_emails():
        queue_templated_email(
            to=address,
            template="mailing/approval_requested",
            context={
                "subscription": subscription,
                "admin_url": sites.absolute_url(reverse("admin:mailing_approvalrequest_changelist")),
            },
            language=settings.LANGUAGE_CODE,
            purpose="mailing/approval_requested",
            idempotency_key=f"approval-requested:{subscription.pk}:{subscription.confirmed_at:%Y%m%d%H%M%S%f}:{address}",
        )


@transaction.atomic
def decide(*, subscription_ids: Iterable[int], approve: bool, by: Any = None) -> int:
    """Approve or reject requests awaiting approval; approved people get a welcome email with the
    list's unsubscribe headers. Returns how many requests were decided."""
    now = timezone.now()
    subscriptions = list(
        Subscription.objects.select_for_update()
        .filter(pk__in=list(subscription_ids), status=Status.AWAITING_APPROVAL)
        .select_related("mailing_list")
    )
    for subscription in subscriptions:
        subscription.status = Status.ACTIVE if approve else Status.REJECTED
        subscription.decided_at = now
        subscription.decided_by = by if getattr(by, "pk", None) else None
        subscription.save(update_fields=["status", "decided_at", "decided_by"])
        if approve:
            queue_templated_email(
                to=subscription.email,
                template="mailing/approved",
                context={"mailing_list": subscription.mailing_list, **list_links(subscription)},
                language=subscriber_language(subscription),
                headers=list_headers(subscription),
                purpose="mailing/approved",
            )
    return len(subscriptions)


def subscription_for_unsubscribe_token(*, token: str) -> Subscription:
    """Raises ``tokens.InvalidToken`` or ``Subscription.DoesNotExist``."""
    return Subscription.objects.select_related("mailing_list").get(pk=tokens.read_unsubscribe_token(token))


@transaction.atomic
def unsubscribe(*, token: str) -> Subscription:
    """One click: take the address off the list the token names, and cancel any announcement
    to it still waiting in the outbox. Raises ``tokens.InvalidToken`` or ``Subscription.DoesNotExist``;
    unsubscribing twice is harmless."""
    subscription_id = tokens.read_unsubscribe_token(token)
    subscription = Subscription.objects.select_for_update().select_related("mailing_list").get(pk=subscription_id)
    _unsubscribe(subscription)
    return subscription


def _unsubscribe(subscription: Subscription) -> None:
    """Take the address off the list and cancel the list's announcements to it that are still
    waiting in the outbox."""
    if subscription.status != Status.UNSUBSCRIBED:
        subscription.status = Status.UNSUBSCRIBED
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at"])
    announcements = Announcement.objects.filter(mailing_list_id=subscription.mailing_list_id)
    outbox.cancel_queued(groups=[a.outbox_group for a in announcements.only("pk")], to=subscription.email)


@transaction.atomic
def update_subscriptions(
    *,
    email: str,
    wanted: Iterable[MailingList],
    offered: Iterable[MailingList],
    consent_text: str,
    consent_version: str,
    language: str = "",
) -> SubscriptionRequest | None:
    """The manage page: leave the offered lists not ticked, and request (double opt-in) the new
    ones ticked. Lists the page did not offer (closed for sign-up) are left as they are: not
    showing a box is not the person unticking it."""
    email = normalise_email(email)
    offered_ids = {m.pk for m in offered}
    wanted = [m for m in wanted if m.pk in offered_ids]
    wanted_ids = {m.pk for m in wanted}
    current = Subscription.objects.select_for_update().filter(email=email).select_related("mailing_list")
    on = {s.mailing_list_id for s in current if s.status in (Status.ACTIVE, Status.AWAITING_APPROVAL, Status.PENDING)}
    for subscription in current:
        if (
            subscription.mailing_list_id in offered_ids
            and subscription.mailing_list_id not in wanted_ids
            and subscription.mailing_list_id in on
        ):
            _unsubscribe(subscription)
    new = [m for m in wanted if m.pk not in on]
    if not new:
        return None
    return request_subscription(
        email=email,
        lists=new,
        consent_text=consent_text,
        consent_version=consent_version,
        source="manage page",
        language=language,
    )


# ---------------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------------


#: A chain is stalled when no task carrying its token has been queued for this long. Beat checks
#: every 30 s (``portal/celery.py``), so a lost chain resumes within 75 + 30 s < two minutes.
STALLED_AFTER = timedelta(seconds=75)


@transaction.atomic
def start_sending(*, announcement_id: int) -> UUID | None:
    """Mark a draft as sending and count its recipients. Returns the token of its batch chain,
    which the caller hands to the first batch task after commit; ``None`` when it was already
    sending or sent."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement_id)
    if announcement.status != Announcement.Status.DRAFT:
        return None
    now = timezone.now()
    announcement.status = Announcement.Status.SENDING
    announcement.send_started_at = now
    announcement.total_recipients = announcement.mailing_list.subscriptions.active().count()
    announcement.chain, announcement.chain_queued_at = uuid4(), now
    announcement.save(update_fields=["status", "send_started_at", "total_recipients", "chain", "chain_queued_at"])
    return announcement.chain


def render_announcement(announcement: Announcement, language: str) -> dict[str, Any]:
    """The parts of an announcement's email that are the same for every subscriber reading
    ``language``: its body rendered once per batch (HTML and plain text), in that language or
    else (the HTML marked with its own ``lang``) in the other."""
    with translation.override(language):
        return {
            "announcement": announcement,
            "mailing_list": announcement.mailing_list,
            "body_html": marked(announcement, "body", markdown=True),
            "body_text": render_plain_text(localised(announcement, "body").value).rstrip("\n"),
        }


def _queue_announcement(announcement: Announcement, subscriptions: list[Subscription]) -> None:
    """Write the announcement's message to each subscription's address, in its language."""
    rendered: dict[str, dict[str, Any]] = {}
    written: list[int] = []
    for subscription in subscriptions:
        language = subscriber_language(subscription)
        if language not in rendered:
            rendered[language] = render_announcement(announcement, language)
        email = queue_templated_email(
            to=subscription.email,
            template="mailing/announcement",
            context={**rendered[language], **list_links(subscription)},
            language=language,
            headers=list_headers(subscription),
            purpose="mailing/announcement",
            idempotency_key=announcement.idempotency_key(subscription.pk),
            group=announcement.outbox_group,
            enqueue_after_commit=False,
        )
        written.append(email.pk)
    enqueue_all_after_commit(written)  # the batch's messages in a few tasks, after its commit


@transaction.atomic
def send_announcement_batch(*, announcement_id: int, chain: UUID, batch_size: int | None = None) -> UUID | None:
    """Write the next batch of an announcement's messages to the outbox, one per active
    subscription after the cursor, and move the cursor — if ``chain`` is the announcement's
    current chain token; otherwise do nothing.

    Returns the token for the next batch task, which the caller queues after commit, or
    ``None`` when nothing is left to do (the last batch, a stale token, an announcement not
    sending). Each run that writes a batch replaces the token, so when one token was queued
    twice (a resume of a chain that was only slow, a redelivered task), the first task to run
    writes the batch and carries the chain on, and the other finds its token spent and ends
    without queueing anything: one chain at most, however often it is resumed.

    Locks the announcement, so no two batches of one announcement run at once; a batch is
    all-or-nothing, and the outbox idempotency key makes a re-run after a crash (its token is
    unspent: nothing was committed) write nothing twice."""
    announcement = (
        Announcement.objects.select_for_update().select_related("mailing_list").filter(pk=announcement_id).first()
    )
    if announcement is None or announcement.status != Announcement.Status.SENDING or announcement.chain != chain:
        return None
    batch_size = batch_size or ANNOUNCEMENT_BATCH_SIZE
    batch = list(
        announcement.mailing_list.subscriptions.active()
        .filter(pk__gt=announcement.cursor)
        .select_related("mailing_list")
        .order_by("pk")[:batch_size]
    )
    _queue_announcement(announcement, batch)
    now = timezone.now()
    announcement.last_batch_at = announcement.chain_queued_at = now
    if batch:
        announcement.cursor = batch[-1].pk
    if len(batch) == batch_size:
        announcement.chain = uuid4()
    else:
        announcement.status = Announcement.Status.SENT
        announcement.finished_at = now
        announcement.chain = announcement.chain_queued_at = None
    announcement.queued_count = sum(outbox.count_by_status(group=announcement.outbox_group).values())
    announcement.total_recipients = max(announcement.total_recipients, announcement.queued_count)
    announcement.save(
        update_fields=[
            "last_batch_at", "cursor", "status", "finished_at", "queued_count", "total_recipients",
            "chain", "chain_queued_at",
        ]
    )
    return announcement.chain


def stalled_announcement_ids(*, older_than: timedelta = STALLED_AFTER) -> list[int]:
    """Announcements still sending whose chain has had no task queued for ``older_than`` (its
    worker died, or the broker lost or never took the task; a batch is a few seconds' work).
    The periodic task (every 30 s, ``portal/celery.py``) resumes them, so a stalled mail-out
    goes on within two minutes."""
    cutoff = timezone.now() - older_than
    sending = Announcement.objects.filter(status=Announcement.Status.SENDING)
    stalled = sending.filter(chain_queued_at__lt=cutoff) | sending.filter(chain_queued_at__isnull=True)
    return list(stalled.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def resume_chain(*, announcement_id: int, older_than: timedelta = STALLED_AFTER) -> UUID | None:
    """The token to queue one more batch task with, if the announcement's chain is (still)
    stalled; ``None`` otherwise. The token is the chain's current one, not a new one: a chain
    that was only slow (its next task waiting in the queue behind the deliveries of the batch
    before it, which can take longer than ``older_than``) goes on with whichever of the two
    tasks runs first, and the other ends without doing anything. A new token would instead
    cancel the waiting task, and a queue slower than ``older_than`` would then cancel every
    resumed task too, for ever. Restarts the stall clock, so the chain is resumed again only
    if this task is lost too."""
    now = timezone.now()
    announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if announcement is None or announcement.status != Announcement.Status.SENDING:
        return None
    if announcement.chain_queued_at is not None and announcement.chain_queued_at >= now - older_than:
        return None  # a batch ran, or another check resumed it, since it was found stalled
    announcement.chain_queued_at = now
    announcement.save(update_fields=["chain_queued_at"])
    return announcement.chain


@transaction.atomic
def purge_unconfirmed(*, older_than: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """Forget addresses that are not on a list any more: sign-ups never confirmed within
    ``older_than``, and subscriptions unsubscribed or rejected longer ago than that; then the
    consent records that no longer belong to any subscription. A consent record is the evidence
    for the messages a subscription received, so it lives exactly as long as its subscription
    row. Returns (subscriptions, consent records) deleted."""
    cutoff = (now or timezone.now()) - older_than
    gone = (
        Q(status=Status.PENDING, confirmed_at__isnull=True, requested_at__lt=cutoff)
        | Q(status=Status.UNSUBSCRIBED, unsubscribed_at__lt=cutoff)
        | Q(status=Status.REJECTED, decided_at__lt=cutoff)
    )
    subscriptions = Subscription.objects.filter(gone).delete()[0]
    orphaned = ConsentRecord.objects.filter(given_at__lt=cutoff).exclude(
        Exists(Subscription.objects.filter(mailing_list=OuterRef("mailing_list"), email=OuterRef("email")))
    )
    return subscriptions, orphaned.delete()[0]
