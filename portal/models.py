from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self) -> OutgoingEmailQuerySet:
        """Queued rows whose next attempt time has come (the sweep hands these to Celery)."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=timezone.now())


class OutgoingEmail(models.Model):
    """One message in the outbox. Written in the same transaction as the change that causes it;
    sent by ``portal.tasks.deliver_email`` after commit."""

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


class NewsItemQuerySet(models.QuerySet):
    def published(self) -> NewsItemQuerySet:
        return self.filter(is_published=True, published_on__lte=timezone.localdate())


class ImportedRecord(models.Model):
    """A record the seeds loader may create and update.

    ``imported_values`` keeps what the loader last wrote to each field. On a later import a
    field is only updated while it still holds that value: once a coordinator has edited it,
    the import leaves it alone.
    """

    source = models.CharField(_("imported from"), max_length=200, blank=True, editable=False)
    source_key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)
    imported_values = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True


class NewsItem(ImportedRecord):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=60, blank=True)
    published_on = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (Markdown)"))
    is_published = models.BooleanField(_("published"), default=True)
    related_event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="news_items"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:news_detail", kwargs={"slug": self.slug})


class RateLimitCounter(models.Model):
    """Attempts per hashed (scope, key) in one time window; see ``portal.ratelimit``."""

    key = models.CharField(max_length=64)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="ratelimit_key_window_unique")]

    def __str__(self) -> str:
        return f"{self.key[:12]}… × {self.count}"


class SecurityPolicy(models.Model):
    """Site-wide security switches a network coordinator sets in the admin (one row, pk 1).

    ``require_totp_for_staff``: staff users without an authenticator app are sent to the TOTP
    set-up page before they can use the admin (``portal.security.RequireSecondFactorMiddleware``)."""

    require_totp_for_staff = models.BooleanField(
        _("require a second factor for coordinators"),
        default=False,
        help_text=_(
            "Coordinators without an authenticator app are asked to set one up before they can use the admin."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return str(_("Security policy"))

    @classmethod
    def current(cls) -> SecurityPolicy:
        """The one policy row (created with the defaults on first use)."""
        return cls.objects.get_or_create(pk=1)[0]
