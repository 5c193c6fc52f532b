"""Admin for the infrastructure catalogue. Network coordinators edit every resource and see every
request. A partner's coordinators see, add and edit only their own partners' resources (the
partner field offers only those partners) and see only the requests to those resources, whose
status and internal note they may change: the status through ``services.set_status``, so it
records when and by whom. Nobody adds a request here (people send them from the resource's page).

Resource texts are edited in English and Slovenian side by side (``BothLanguagesMixin``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.collation import by_key
from core.content import current_language
from network.admin import CoordinatorScopedMixin

from . import services
from .forms import ResourceAdminForm
from .models import Resource, UseRequest


@admin.register(Resource)
class ResourceAdmin(BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    partner_path = "partner"
    form = ResourceAdminForm
    list_display = ["title", "partner", "kind", "cost", "published"]
    list_filter = ["published", "kind", "cost"]
    # ``search_text`` holds both languages and the partner's name without accents; the columns match as typed.
    search_fields = [*in_both_languages("title"), "search_text"]
    prepopulated_fields = {"slug": ("title_en",)}
    list_select_related = ["partner"]
    readonly_fields = ["created_at", "updated_at"]

    def get_ordering(self, request: HttpRequest):
        return [by_key(f"sort_title_{current_language()}"), "id"]


class StatusActionsMixin:
    """The changelist's actions "mark as answered / closed / new", each through the service."""

    def _set(self, request: HttpRequest, queryset: QuerySet[UseRequest], status: str) -> None:
        count = 0
        for use_request in queryset:
            if use_request.status != status:
                services.set_status(request=use_request, status=status, actor=request.user)
                count += 1
        self.message_user(  # type: ignore[attr-defined]
            request,
            ngettext("%(n)d request changed.", "%(n)d requests changed.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected requests as answered"), permissions=["change"])
    def mark_answered(self, request: HttpRequest, queryset: QuerySet[UseRequest]) -> None:
        self._set(request, queryset, UseRequest.Status.ANSWERED)

    @admin.action(description=_("Mark the selected requests as closed"), permissions=["change"])
    def mark_closed(self, request: HttpRequest, queryset: QuerySet[UseRequest]) -> None:
        self._set(request, queryset, UseRequest.Status.CLOSED)


@admin.register(UseRequest)
class UseRequestAdmin(StatusActionsMixin, CoordinatorScopedMixin, admin.ModelAdmin):
    partner_path = "resource__partner"
    list_display = ["created_at", "resource", "status", "name", "organisation", "wanted_from", "wanted_to"]
    list_filter = ["status"]
    search_fields = ["name", "email", "organisation", *in_both_languages("resource__title")]
    list_select_related = ["resource"]
    date_hierarchy = "created_at"
    actions = ["mark_answered", "mark_closed"]
    fields = [
        "resource", "status", "internal_note", "name", "email", "organisation", "wanted_from", "wanted_to",
        "message", "language", "consent_text", "consent_given_at", "created_at", "status_changed_at",
        "status_changed_by",
    ]
    readonly_fields = [f for f in fields if f not in ("status", "internal_note")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people send requests from the resource's page; the rules live in services.request_use

    def save_model(self, request: HttpRequest, obj: UseRequest, form, change: bool) -> None:
        """The note is saved as typed; a new status goes through ``services.set_status``."""
        wanted = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if wanted != obj.status:
            services.set_status(request=obj, status=wanted, actor=request.user)
