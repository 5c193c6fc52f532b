"""Tables of the shared infrastructure: the seeds bookkeeping every imported record inherits,
rate-limit counters, the site-wide security policy and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class RateLimitCounter(models.Model):
    """Attempts per hashed (scope, key) in one time window; see ``core.ratelimit``."""

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
    set-up page before they can use the admin (``core.security.RequireSecondFactorMiddleware``)."""

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


class AuditAction(models.TextChoices):
    """The consequential things coordinators (or the site on their behalf) do; see ``core.audit``."""

    REGISTRANTS_MESSAGED = "registrants_messaged", _("Registrants messaged")
    SESSION_MOVED = "session_moved", _("Session moved")
    SESSION_CANCELLED = "session_cancelled", _("Session cancelled")
    EVENT_CANCELLED = "event_cancelled", _("Event cancelled")
    REGISTRATIONS_EXPORTED = "registrations_exported", _("Registrations exported")
    ATTENDANCE_RECORDED = "attendance_recorded", _("Attendance recorded")
    ATTENDANCE_MARKED = "attendance_marked", _("Attendance marked by hand")
    PERSONAL_DATA_EXPORTED = "personal_data_exported", _("Personal data exported")
    PERSONAL_DATA_ERASED = "personal_data_erased", _("Personal data erased")


class AuditEntry(models.Model):
    """Who did what to which record, and when (``core.audit.record`` writes these).

    ``actor_label`` keeps the account's name after the account is deleted (``actor`` is then
    null); ``target_label`` likewise keeps what the target was called. ``detail`` holds counts
    and formats, never a registrant's personal data. Entries are deleted after
    ``RETENTION_AUDIT_DAYS`` (two years by default) by the daily retention run."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, db_index=True)
    target_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("on"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AuditAction.values), name="auditentry_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.actor_label or '–'} · {self.get_action_display()}"
