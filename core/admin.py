from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .accounts import is_network_coordinator
from .models import AuditEntry, SecurityPolicy


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    """One row; network coordinators (who hold every permission of the site's apps) switch it."""

    list_display = ["__str__", "require_totp_for_staff", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SecurityPolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SecurityPolicy | None = None) -> bool:
        return False


# The keys services write into ``AuditEntry.detail`` (``core.audit.record`` callers), as the
# admin shows them; a key not listed here is shown as stored.
DETAIL_LABELS = {
    "told": pgettext_lazy("audit detail", "registrants told"),
    "sessions": pgettext_lazy("audit detail", "sessions"),
    "from": pgettext_lazy("audit detail", "from"),
    "to": pgettext_lazy("audit detail", "to"),
    "time_zone": pgettext_lazy("audit detail", "time zone"),
    "rows": pgettext_lazy("audit detail", "rows"),
    "columns": pgettext_lazy("audit detail", "columns"),
    "format": pgettext_lazy("audit detail", "format"),
    "selected": pgettext_lazy("audit detail", "selected"),
    "of": pgettext_lazy("audit detail", "of"),
    "attended": pgettext_lazy("audit detail", "attended"),
    "absent": pgettext_lazy("audit detail", "did not attend"),
    "unmatched_rows": pgettext_lazy("audit detail", "unmatched rows"),
    "kept_by_hand": pgettext_lazy("audit detail", "kept as marked by hand"),
    "kind": pgettext_lazy("audit detail", "kind"),
    "recipients": pgettext_lazy("audit detail", "recipients"),
    "event": pgettext_lazy("audit detail", "event"),
    "session": pgettext_lazy("audit detail", "session"),
    "records": pgettext_lazy("audit detail", "records"),
}


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, read-only, for network coordinators alone (a partner's coordinators do not
    see it, even with the permission: it spans every partner's events)."""

    list_display = ["at", "actor_label", "action", "target_label", "detail_text"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "target_label"]
    date_hierarchy = "at"
    list_select_related = False
    readonly_fields = ["at", "actor_label", "action", "target_type", "target_id", "target_label", "detail_text"]
    fields = readonly_fields

    @admin.display(description=_("detail"))
    def detail_text(self, obj: AuditEntry) -> str:
        return ", ".join(
            f"{DETAIL_LABELS.get(key, key)}: {value}" for key, value in (obj.detail or {}).items()
        ) or "–"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_network_coordinator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return is_network_coordinator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
