"""Admin for the network. Network coordinators (group "Network coordinators", or superusers)
edit everything and moderate applications. A partner's coordinators see and edit only the
partners they coordinate: every admin view of Partner goes through ``get_queryset``
(changelist, change, history, delete, actions, search, autocomplete), and foreign-key choices to
Partner elsewhere are narrowed the same way. They cannot publish, archive or change membership.

Record texts have an English and a Slovenian value (``translation.py``): every admin of such a
model edits both side by side (``BothLanguagesMixin``), here and in the other apps' admins."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from core.accounts import is_network_coordinator
from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.collation import by_key
from core.content import current_language
from core.forms import URL_FIELDS_ASSUME_HTTPS

from . import services
from .forms import PartnerAdminForm
from .models import NetworkContact, Partner, ServiceModule, ServiceOffer, WorkingGroup, WorkingGroupOutput

# Fields only network coordinators may change.
MODERATION_FIELDS = (
    "status", "is_network_partner", "needs_review", "review_reason", "coordinators", "slug",
    "date_joined", "rejection_reason",
)


class CoordinatorScopedMixin:
    """What a partner's coordinators may see and pick; network coordinators see and pick everything.

    Rows: with ``partner_path`` (the lookup from the model to its partner or partners:
    "partner", "organisers", "session__event__organisers"), only rows belonging to a partner the
    user coordinates are listed, viewed, changed or deleted. Choices: foreign keys and
    many-to-many fields to Partner offer only those partners: the fields in
    ``scoped_partner_fields``, or every Partner field when it is None."""

    partner_path = ""
    scoped_partner_fields: tuple[str, ...] | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        if not self.partner_path or is_network_coordinator(request.user):
            return qs
        mine = qs.model._default_manager.filter(
            **{f"{self.partner_path}__in": Partner.objects.for_coordinator(request.user)}
        )
        return qs.filter(pk__in=mine.values("pk"))

    def _may_see(self, request: HttpRequest, obj) -> bool:
        if obj is None or not self.partner_path or is_network_coordinator(request.user):
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._may_see(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_see(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_see(request, obj)  # type: ignore[misc]

    def _scopes(self, db_field) -> bool:
        return db_field.related_model is Partner and (
            self.scoped_partner_fields is None or db_field.name in self.scoped_partner_fields
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if self._scopes(db_field):
            kwargs["queryset"] = Partner.objects.for_coordinator(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if self._scopes(db_field) and not is_network_coordinator(request.user):
            kwargs["queryset"] = Partner.objects.for_coordinator(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ServiceOfferInline(BothLanguagesMixin, CoordinatorScopedMixin, TranslationTabularInline):
    model = ServiceOffer
    extra = 0
    fk_name = "partner"


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason (emailed to the applicant)"), widget=forms.Textarea, max_length=3000)


@admin.register(Partner)
class PartnerAdmin(BothLanguagesMixin, TranslationAdmin):
    form = PartnerAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["name", "acronym", "kind", "partner_type", "status", "is_network_partner", "needs_review"]
    list_filter = ["status", "is_network_partner", "needs_review", "kind", "partner_type"]
    # ``search_text`` holds both languages without accents ("tehniska"); the columns match as typed.
    search_fields = [*in_both_languages("name", "acronym"), "search_text"]
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ["coordinators"]
    inlines = [ServiceOfferInline]
    actions = ["approve_applications", "reject_applications", "publish", "archive"]
    list_select_related = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        return super().get_queryset(request) & Partner.objects.for_coordinator(request.user)

    # Partners by name in the interface language's alphabet, a partner without a name in it by
    # the name shown (``Partner.sort_name_<language>``); ordering by the plain ``name`` would
    # order by that language's column alone, unnamed partners first.
    def get_ordering(self, request: HttpRequest):
        return [by_key(f"sort_name_{current_language()}"), "id"]

    def get_list_display(self, request: HttpRequest):
        language = current_language()

        @admin.display(description=_("name"), ordering=by_key(f"sort_name_{language}"))
        def name(partner: Partner) -> str:
            return partner.name

        return [name, *self.list_display[1:]]

    def _is_network_coordinator(self, request: HttpRequest) -> bool:
        return is_network_coordinator(request.user)

    def _owns(self, request: HttpRequest, obj: Partner | None) -> bool:
        return obj is None or self._is_network_coordinator(request) or obj.coordinators.filter(pk=request.user.pk).exists()

    def has_view_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Partner | None = None) -> bool:
        return self._is_network_coordinator(request) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_network_coordinator(request) and super().has_add_permission(request)

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return self._is_network_coordinator(request)

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if self._is_network_coordinator(request) else {}

    def get_readonly_fields(self, request: HttpRequest, obj: Partner | None = None):
        if self._is_network_coordinator(request):
            return ["source", "created_at", "updated_at"]
        return [*MODERATION_FIELDS, "source", "created_at", "updated_at"]

    def get_list_filter(self, request):
        return self.list_filter if self._is_network_coordinator(request) else []

    # Writes go through the services, so that a replaced, cleared or deleted logo leaves storage
    # (after commit) and stops being served from /media/.
    def save_model(self, request: HttpRequest, obj: Partner, form, change: bool) -> None:
        with services.replacing_logo(partner=obj):
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Partner) -> None:
        services.delete_partners(partners=Partner.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        services.delete_partners(partners=queryset)

    @admin.action(description=_("Approve the selected applications"), permissions=["moderate"])
    def approve_applications(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        pending = queryset.filter(status=Partner.Status.PENDING)
        count = 0
        for partner in pending:
            services.approve_application(partner=partner)
            count += 1
        self.message_user(request, ngettext("%(n)d application approved.", "%(n)d applications approved.", count) % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Reject the selected applications (with a reason)"), permissions=["moderate"])
    def reject_applications(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        pending = queryset.filter(status=Partner.Status.PENDING)
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            count = 0
            for partner in pending:
                services.reject_application(partner=partner, reason=form.cleaned_data["reason"])
                count += 1
            self.message_user(request, ngettext("%(n)d application rejected.", "%(n)d applications rejected.", count) % {"n": count}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject applications"),
            "form": form,
            "partners": pending,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "network/admin/reject_applications.html", context)

    @admin.action(description=_("Publish the selected partners"), permissions=["moderate"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        n = services.set_status(partners=queryset, status=Partner.Status.PUBLISHED)
        self.message_user(request, ngettext("%(n)d partner published.", "%(n)d partners published.", n) % {"n": n})

    @admin.action(description=_("Archive the selected partners"), permissions=["moderate"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        n = services.set_status(partners=queryset, status=Partner.Status.ARCHIVED)
        self.message_user(request, ngettext("%(n)d partner archived.", "%(n)d partners archived.", n) % {"n": n})


class WorkingGroupOutputInline(BothLanguagesMixin, TranslationTabularInline):
    model = WorkingGroupOutput
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    extra = 0


@admin.register(WorkingGroup)
class WorkingGroupAdmin(BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    list_display = ["name", "status"]
    list_filter = ["status"]
    search_fields = in_both_languages("name")
    prepopulated_fields = {"slug": ("name_en",)}
    filter_horizontal = ["lead_partners", "members"]
    inlines = [WorkingGroupOutputInline]


@admin.register(ServiceModule)
class ServiceModuleAdmin(BothLanguagesMixin, TranslationAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]
    search_fields = in_both_languages("name")
    prepopulated_fields = {"slug": ("name_en",)}

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        """The list's order boxes have no <label> (a column header only): each is named after its
        column and row, "Order: Training" (WCAG 4.1.2)."""
        base = super().get_changelist_form(request, **kwargs)

        class OrderForm(base):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                if "order" in self.fields and self.instance.pk:
                    self.fields["order"].widget.attrs["aria-label"] = f"{self.fields['order'].label}: {self.instance}"

        return OrderForm


@admin.register(ServiceOffer)
class ServiceOfferAdmin(BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    partner_path = "partner"
    list_display = ["partner", "module", "status"]
    list_filter = ["status", "module"]
    search_fields = [f"{relation}__{name}" for relation in ("partner", "module") for name in in_both_languages("name")]


@admin.register(NetworkContact)
class NetworkContactAdmin(BothLanguagesMixin, TranslationAdmin):
    list_display = ["organisation", "address", "phone", "coordinator_name"]
