"""Tables of the shared infrastructure: the seeds bookkeeping every imported record inherits,
rate-limit counters and the site-wide security policy."""

from __future__ import annotations

from django.db import models
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
