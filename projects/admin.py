"""Admin for the project catalogue.

Network coordinators edit every project, the topics and the listing criteria, mark criteria as
met, and publish or return projects (actions that go through ``projects.services``; publishing
is refused, with the reason, while a criterion is not marked as met). A partner's coordinators
see, add and edit only the projects their organisation leads (``CoordinatorScopedMixin`` on
``lead_partner``), write how the project meets each criterion, and send a project for review
("Submit for review"); they cannot otherwise change its publication state, feature it, or
publish it, and their change to a published project sends it back for review (it leaves the
public pages until a network coordinator publishes it again). The publication state is read-only for everyone in the form: it changes only through
the actions, so every change is in the project's publication history."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from core.accounts import is_network_coordinator
from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.collation import by_key
from core.content import current_language
from core.forms import URL_FIELDS_ASSUME_HTTPS
from network.admin import CoordinatorScopedMixin
from network.models import Partner

from . import services
from .forms import ProjectAdminForm
from .models import CriterionCheck, ListingCriterion, Project, ProjectStateChange, Topic

# Fields only network coordinators may change.
NETWORK_ONLY_FIELDS = ("featured",)


class FollowsProjectPermissions:
    """An inline that is part of the project: whoever may view or change the project (a partner's
    coordinators their own, through ``ProjectAdmin``'s scoping) may view or change it too."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("projects.view_project") or request.user.has_perm("projects.change_project")


class CriterionCheckInline(FollowsProjectPermissions, admin.TabularInline):
    """One row per active listing criterion: the criteria not filled in yet are offered as new rows.
    The lead partner's coordinators say how the project meets each (the note); whether it is met
    is the network coordinators' judgement."""

    model = CriterionCheck
    extra = 0
    fields = ["criterion", "met", "note"]
    verbose_name_plural = _("listing criteria (every active one must be met before the project is published)")

    def _may_change(self, request: HttpRequest, obj) -> bool:
        return request.user.has_perm("projects.change_project") if obj is not None else (
            request.user.has_perm("projects.add_project")
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_change(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CriterionCheck]:
        """Checks against criteria no longer active are kept, not shown (they are no condition)."""
        return super().get_queryset(request).filter(criterion__active=True)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [] if is_network_coordinator(request.user) else ["met"]

    def get_extra(self, request: HttpRequest, obj=None, **kwargs) -> int:
        return len(missing_criteria(obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "criterion":
            kwargs["queryset"] = ListingCriterion.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def missing_criteria(project: Project | None) -> list[ListingCriterion]:
    """Active criteria ``project`` has no check for yet (all of them for a new project)."""
    criteria = ListingCriterion.objects.filter(active=True).order_by("order", "id")
    if project is not None and project.pk:
        criteria = criteria.exclude(checks__project=project)
    return list(criteria)


class ProjectStateChangeInline(FollowsProjectPermissions, admin.TabularInline):
    """The publication history, read-only: rows are written by ``projects.services``."""

    model = ProjectStateChange
    extra = 0
    can_delete = False
    fields = ["at", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What the partner should change"), widget=forms.Textarea, max_length=3000, strip=True
    )


@admin.register(Project)
class ProjectAdmin(BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    form = ProjectAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    partner_path = "lead_partner"
    scoped_partner_fields = ("lead_partner",)  # any published partner may take part
    list_display = ["title", "lead_partner", "status", "review_state", "featured", "updated_at"]
    list_filter = ["review_state", "status", "featured", "topics"]
    search_fields = [*in_both_languages("title"), "search_text"]
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ["partners", "topics"]
    inlines = [CriterionCheckInline, ProjectStateChangeInline]
    actions = ["submit_for_review", "publish", "return_to_partners"]
    list_select_related = ["lead_partner"]

    def get_ordering(self, request: HttpRequest):
        return [by_key(f"sort_title_{current_language()}"), "id"]

    def get_readonly_fields(self, request: HttpRequest, obj: Project | None = None):
        fields = ["review_state", "created_at", "updated_at"]
        return fields if is_network_coordinator(request.user) else [*fields, *NETWORK_ONLY_FIELDS]

    def get_list_filter(self, request: HttpRequest):
        return self.list_filter if is_network_coordinator(request.user) else ["review_state", "status"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Participating partners: for a partner's coordinators, the published partners and those
        already on a project they edit (a pending applicant's name is not theirs to see)."""
        if db_field.name == "partners" and not is_network_coordinator(request.user):
            kwargs["queryset"] = Partner.objects.filter(
                Q(status=Partner.Status.PUBLISHED) | Q(projects__in=Project.objects.for_coordinator(request.user))
            ).distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset_kwargs(self, request: HttpRequest, obj, inline, prefix: str):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, CriterionCheckInline) and request.method != "POST":
            kwargs["initial"] = [{"criterion": c.pk} for c in missing_criteria(obj)]
        return kwargs

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """After a change is saved: a partner's coordinators' change to a published project sends it
        back for review (``services.changed_after_publication``), and they are told so."""
        super().save_related(request, form, formsets, change)
        if change and form.has_changed() and services.changed_after_publication(
            project=form.instance, actor=request.user
        ):
            self.message_user(request, _(
                "“%(project)s” was published, so it awaits the network coordinators' review again: "
                "it is off the public pages until they publish it again."
            ) % {"project": form.instance}, messages.WARNING)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return is_network_coordinator(request.user)

    def _run(self, request: HttpRequest, queryset: QuerySet[Project], move, **kwargs) -> int:
        """Call the service ``move`` on each project; a refusal is shown with its reason. Returns
        how many projects moved."""
        count = 0
        for project in queryset:
            try:
                move(project=project, actor=request.user, **kwargs)
            except services.ReviewError as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                count += 1
        return count

    def _done(self, request: HttpRequest, message: str) -> None:
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Submit the selected projects for review"), permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        if n := self._run(request, queryset, services.submit):
            self._done(request, ngettext(
                "%(n)d project submitted for review.", "%(n)d projects submitted for review.", n) % {"n": n})

    @admin.action(description=_("Publish the selected projects"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        if n := self._run(request, queryset, services.publish):
            self._done(request, ngettext("%(n)d project published.", "%(n)d projects published.", n) % {"n": n})

    @admin.action(
        description=_("Return the selected projects to their partners (with a note)"), permissions=["publish"]
    )
    def return_to_partners(self, request: HttpRequest, queryset: QuerySet[Project]) -> HttpResponse | None:
        form = ReturnForm(request.POST if "note" in request.POST else None)
        if form.is_bound and form.is_valid():
            if n := self._run(request, queryset, services.return_to_partner, note=form.cleaned_data["note"]):
                self._done(request, ngettext(
                    "%(n)d project returned to its partner.", "%(n)d projects returned to their partners.", n
                ) % {"n": n})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return projects to their partners"),
            "form": form,
            "projects": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "projects/admin/return_projects.html", context)


@admin.register(Topic)
class TopicAdmin(BothLanguagesMixin, TranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = in_both_languages("name")
    prepopulated_fields = {"slug": ("name_en",)}


@admin.register(ListingCriterion)
class ListingCriterionAdmin(BothLanguagesMixin, TranslationAdmin):
    list_display = ["label", "order", "active"]
    list_filter = ["active"]
    search_fields = in_both_languages("label")
