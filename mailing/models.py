"""Mailing lists as data, subscriptions with their double opt-in state, the consent given, and
announcements sent to a list's subscribers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.email_address import normalise_email

# The consent text shown on every sign-up form. Change the version whenever the text changes:
# each ConsentRecord keeps the text and the version the person saw.
CONSENT_VERSION = "2025-01"
CONSENT_TEXT = _(
    "I agree that the Citizen Science Network (Central Technical Library at the University of "
    "Ljubljana) keeps my email address to send me messages of the lists I ticked, until I "
    "unsubscribe. Every message has a one-click unsubscribe link."
)


class MailingListQuerySet(models.QuerySet):
    def open_for_signup(self) -> MailingListQuerySet:
        return self.filter(is_active=True).order_by("position", "name_en")


class MailingList(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    requires_approval = models.BooleanField(
        _("requires approval"),
        default=False,
        help_text=_("A coordinator approves each confirmed request before the person receives messages."),
    )
    is_active = models.BooleanField(_("open for sign-up"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = MailingListQuerySet.as_manager()

    class Meta:
        verbose_name = _("mailing list")
        verbose_name_plural = _("mailing lists")
        ordering = ["position", "name_en"]

    def __str__(self) -> str:
        return self.name


class SubscriptionQuerySet(models.QuerySet):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(status=Subscription.Status.ACTIVE)

    def for_email(self, email: str) -> SubscriptionQuerySet:
        return self.filter(email=normalise_email(email))


class Subscription(models.Model):
    """One address on one list. The row is kept across unsubscribing and re-subscribing."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (not confirmed)")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        REJECTED = "rejected", _("Rejected")

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("mailing list")
    )
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    requested_at = models.DateTimeField(_("last requested"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["mailing_list", "email"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "email"], name="mailing_subscription_list_email_unique"),
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower(models.functions.Trim("email"))),
                name="mailing_subscription_email_normalised",
            ),
        ]
        indexes = [models.Index(fields=["mailing_list", "status", "id"], name="mailing_sub_list_status_idx")]

    def __str__(self) -> str:
        return f"{self.email} · {self.mailing_list}"


class ApprovalRequest(Subscription):
    """The approval queue in the admin: confirmed requests for lists that need a coordinator."""

    class Meta:
        proxy = True
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")


class ConsentRecord(models.Model):
    """What a person agreed to, when and on which form. No IP address is stored."""

    email = models.EmailField(_("email"), max_length=254, db_index=True)
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="consents", verbose_name=_("mailing list")
    )
    consent_text = models.TextField(_("consent text"))
    consent_version = models.CharField(_("consent version"), max_length=40)
    source = models.CharField(_("form"), max_length=100)
    language = models.CharField(_("language"), max_length=10, blank=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.email} · {self.mailing_list} · {self.consent_version}"


class Announcement(models.Model):
    """A message a coordinator writes once and sends to every active subscriber of a list.

    Sending walks the list's subscriptions in id order, a batch per task run; ``cursor`` is the
    last subscription id whose message is in the outbox. Each message's outbox idempotency key
    is ``announcement:<id>:<subscription id>``, so a re-run never writes a second copy.

    The batch tasks form one chain, each queueing the next; ``chain`` is the token the next
    batch task must carry (set while sending, and only then). A batch that runs replaces it with
    a new token for its successor, so of several tasks carrying one token (a resumed chain that
    was only slow, a task the broker delivered twice) only the first writes a batch and queues
    a successor: the chain never forks (``mailing.services.send_announcement_batch``).
    ``chain_queued_at`` is when a task with the current token was last queued; a chain silent
    for too long is resumed (``mailing.services.stalled_announcement_ids``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.PROTECT, related_name="announcements", verbose_name=_("mailing list")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    send_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    last_batch_at = models.DateTimeField(_("last batch"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    total_recipients = models.PositiveIntegerField(_("recipients"), default=0)
    queued_count = models.PositiveIntegerField(_("messages queued"), default=0)
    cursor = models.BigIntegerField(default=0, editable=False)
    chain = models.UUIDField(null=True, blank=True, editable=False)
    chain_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sending", chain__isnull=False)
                | (~models.Q(status="sending") & models.Q(chain__isnull=True)),
                name="announcement_chain_exactly_while_sending",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def idempotency_key(self, subscription_id: int) -> str:
        return f"announcement:{self.pk}:{subscription_id}"

    @property
    def outbox_group(self) -> str:
        """The outbox group of this announcement's messages (``outbox.services.count_by_status``)."""
        return f"announcement:{self.pk}"

    @staticmethod
    def outbox_group_of(pk: models.Expression) -> models.Expression:
        """``outbox_group`` as a database expression over ``pk`` (to count a whole list in one query)."""
        return Concat(models.Value("announcement:"), Cast(pk, output_field=models.CharField()))
