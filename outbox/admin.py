from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "purpose", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "purpose", "language", "created_at"]
    search_fields = ["to", "subject", "=group"]
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    readonly_fields = [*(f.name for f in OutgoingEmail._meta.fields), "hidden_content"]
    list_per_page = 50

    def get_fields(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> list[str]:
        """Every field, except that a secret message shows one line in place of its content:
        whoever may view the outbox must not be able to follow a password-reset or
        address-confirmation link in it (``OutgoingEmail``). The list's search fields do not
        include bodies either."""
        fields = [f.name for f in OutgoingEmail._meta.fields]
        if obj is None or not obj.secret:
            return fields
        at = fields.index(OutgoingEmail.SECRET_FIELDS[0])
        shown = [name for name in fields if name not in OutgoingEmail.SECRET_FIELDS]
        return [*shown[:at], "hidden_content", *shown[at:]]

    @admin.display(description=_("content"))
    def hidden_content(self, obj: OutgoingEmail) -> str:
        return str(OutgoingEmail.HIDDEN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> bool:
        # Viewable, never edited: what was sent is a record.
        return False

    @admin.action(description=_("Send the selected messages again"), permissions=["view"])
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        count = services.resend(email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
