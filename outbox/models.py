"""The outbox table: one row per outgoing message (see ``outbox.services``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self) -> OutgoingEmailQuerySet:
        """Queued rows whose next attempt time has come (the sweep hands these to Celery)."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=timezone.now())


class OutgoingEmail(models.Model):
    """One message in the outbox. Written in the same transaction as the change that causes it;
    sent by ``outbox.tasks.deliver_email`` after commit."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
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
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
