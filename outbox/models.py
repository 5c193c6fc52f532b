"""The outbox table: one row per outgoing message (see ``outbox.services``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, *, fresh_after: timedelta = timedelta(0)) -> OutgoingEmailQuerySet:
        """Queued rows whose next attempt time has come (the sweep hands these to Celery).

        A row never tried (``attempts == 0``) has had its id handed to Celery when it was
        written, so it counts as due only ``fresh_after`` later; a retry is due at once."""
        now = timezone.now()
        return self.filter(
            Q(attempts=0, next_attempt_at__lte=now - fresh_after) | Q(attempts__gt=0, next_attempt_at__lte=now),
            status=OutgoingEmail.Status.QUEUED,
        )

    def stalled(self, *, claimed_before: datetime) -> OutgoingEmailQuerySet:
        """Rows a worker marked as sending before ``claimed_before`` and never finished: the
        worker died (or lost its database) mid-send, so the message may have been delivered."""
        return self.filter(status=OutgoingEmail.Status.SENDING, last_attempt_at__lte=claimed_before)

    def failed_since(self, since: datetime) -> OutgoingEmailQuerySet:
        """Rows that were given up on (or refused for good) at or after ``since``."""
        return self.filter(status=OutgoingEmail.Status.FAILED, last_attempt_at__gte=since)


class OutgoingEmail(models.Model):
    """One message in the outbox. Written in the same transaction as the change that causes it;
    sent by ``outbox.tasks.deliver_email`` after commit (see ``outbox.delivery`` for the states).

    A ``secret`` message carries something that signs its reader in (a password-reset or
    address-confirmation link: every allauth email, ``portal.accounts``). Whoever may view the
    outbox could otherwise follow the link and take the account over, so its content
    (``SECRET_FIELDS``) is shown to nobody (``outbox.admin``, ``outbox.personal_data``), and is
    blanked in the same UPDATE that records it as sent (``outbox.delivery``; the database refuses a
    sent secret row with a body). Until then the worker needs it; a failed one keeps it until the
    retention purge, still hidden.
    """

    # What a secret message shows nobody, and loses once it has been sent.
    SECRET_FIELDS = ("body_text", "body_html", "attachments", "headers")
    HIDDEN = _("hidden: contains a sign-in link")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # A worker has committed that it is talking to SMTP about this row (outbox.delivery).
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    to = models.EmailField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    # Each item: {"filename": …, "content": text, "mimetype": …}; calendar files are text.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    reply_to = models.EmailField(_("reply to"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=60, blank=True, db_index=True)
    secret = models.BooleanField(_("contains a sign-in link"), default=False)
    # A message that must go out at most once (one reminder per registration, say) has a key.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Messages that belong together ("announcement:12", "registration:34"); see
    # outbox.services.cancel_queued and count_by_status.
    group = models.CharField(_("group"), max_length=100, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Retries end OUTBOX_RETRY_HOURS after the first attempt (outbox.delivery).
    first_attempt_at = models.DateTimeField(_("first attempt"), null=True, blank=True)
    # When the latest attempt began; for a row in SENDING, since when a worker has held it.
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # Generated at the first attempt and sent with every attempt, so that a copy sent again after
    # a crash is recognisably the same message (receiving systems and readers can drop it).
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, default="")
    # A message written as what to render rather than its text (``services.queue_rendered_later``):
    # the name of the renderer an app registered and its arguments (ids, template names). The
    # worker renders it just before the first attempt and clears both, keeping the text.
    renderer = models.CharField(_("renderer"), max_length=100, blank=True, default="")
    render_args = models.JSONField(_("render arguments"), default=dict, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | (models.Q(last_attempt_at__isnull=False) & ~models.Q(message_id="")),
                name="outbox_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~(models.Q(secret=True) & models.Q(status="sent"))
                | (models.Q(body_text="") & models.Q(body_html="")),
                name="outbox_sent_secret_is_blank",
            ),
            models.UniqueConstraint(
                fields=["message_id"], condition=~models.Q(message_id=""), name="outbox_unique_message_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject or _('(written when sent)')} → {self.to}"

    @classmethod
    def blanked(cls) -> dict[str, object]:
        """The values of ``SECRET_FIELDS`` once a secret message has been sent."""
        return {"body_text": "", "body_html": "", "attachments": [], "headers": {}}
