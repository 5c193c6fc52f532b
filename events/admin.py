"""Admin for events: sessions inline with their counts, registrations, CSV export, cancelling a
session. Network coordinators see every event; a partner's coordinators only the events their
partner organises. Moves and cancellations go through ``events.services`` so registrants are told."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.csv_export import csv_response
from network.admin import CoordinatorScopedMixin

from . import question_services, services
from .forms import RegistrationQuestionAdminForm, SessionAdminForm
from .models import Event, Registration, RegistrationQuestion, Session


def _registrations_csv(queryset: QuerySet[Registration], filename: str) -> HttpResponse:
    """One row per registration; the answers to the registration questions follow, a column
    per question (by its English label, so the built-in question of several events is one column)."""
    header = ["event", "session start", "time zone", "name", "email", "affiliation", "role", "status",
              "registered at", "mailing-list opt-in"]
    registrations = list(queryset.select_related("session__event").order_by("session__start", "created_at"))
    questions = question_services.questions_by_id(registrations)
    answer_header, answer_cells = question_services.answer_columns(registrations, questions)
    rows = (
        [r.session.event.title, r.session.local_start().isoformat(), r.session.time_zone, r.name, r.email,
         r.affiliation, r.role, r.status, r.created_at.isoformat(), "yes" if r.mailing_list_opt_in else "no", *cells]
        for r, cells in zip(registrations, answer_cells, strict=True)
    )
    return csv_response(filename, header + answer_header, rows)


class SessionsWithPeopleAreProtected:
    """No deleting a session whose registrants would not be told (coordinators cancel it, which
    tells them), nor an event with such a session. The delete page names them (with a 403); the bulk delete
    lists those sessions as protected, with the reason. This is a rule about the rows, not a
    permission: the delete permission itself is left to the codename and the scoping."""

    def sessions_of(self, objs) -> QuerySet[Session]:
        raise NotImplementedError

    def _blocking(self, objs) -> list[str]:
        return [
            format_html("{} · {}", session, _("has registrants: cancel the session instead, so they are told"))
            for session in self.sessions_of(objs).with_people_to_tell().select_related("event")
        ]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        """Django's page already refuses to delete what is protected and says why; refused, it
        answers 403 rather than 200."""
        response = super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if response.status_code == 200 and obj is not None and self._blocking([obj]):
            response.status_code = 403
        return response

    def get_deleted_objects(self, objs, request: HttpRequest):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        return to_delete, model_count, perms_needed, [*protected, *self._blocking(objs)]


class SessionInline(admin.TabularInline):
    model = Session
    form = SessionAdminForm
    extra = 0
    # Deleting a session would tell no one; coordinators cancel it (SessionAdmin's action).
    can_delete = False
    fields = ["start", "end", "time_zone", "capacity", "has_waiting_list", "registration_opens_at",
              "registration_closes_at", "status", "counts"]
    readonly_fields = ["status", "counts"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("confirmed / waiting / cancelled"))
    def counts(self, obj: Session) -> str:
        if obj.pk is None:
            return "–"
        return f"{getattr(obj, 'confirmed_count', 0)} / {getattr(obj, 'waiting_count', 0)} / {getattr(obj, 'cancelled_count', 0)}"


class RegistrationQuestionInline(BothLanguagesMixin, TranslationStackedInline):
    """The questions an event asks when people register, in both languages side by side. The
    built-in "access needs" question is there from the start; deleting it switches it off."""

    model = RegistrationQuestion
    form = RegistrationQuestionAdminForm
    extra = 0
    fields = ["kind", "required", "order", "label", "help_text", "choices", "built_in"]
    readonly_fields = ["built_in"]
    ordering = ["order", "id"]
    verbose_name_plural = _("registration questions (asked in this order; delete one to stop asking it)")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        """The questions are part of the event: whoever may view an event (a partner's coordinators
        their own, ``EventAdmin``'s scoping) sees them."""
        return super().has_view_permission(request, obj) or request.user.has_perm("events.view_event")

    @admin.display(description=_("built-in question"), boolean=True)
    def built_in(self, obj: RegistrationQuestion) -> bool:
        return bool(obj.is_access_needs)


@admin.register(Event)
class EventAdmin(SessionsWithPeopleAreProtected, BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    """Texts in English and Slovenian side by side (``BothLanguagesMixin``)."""

    partner_path = "organisers"
    scoped_partner_fields = ("organisers",)  # any organisation may present
    list_display = ["title", "kind", "mode", "language", "status"]
    list_filter = ["status", "kind", "mode", "language"]
    search_fields = in_both_languages("title", "summary")
    prepopulated_fields = {"slug": ["title_en"]}
    filter_horizontal = ["organisers", "presenters"]
    inlines = [SessionInline, RegistrationQuestionInline]

    def sessions_of(self, objs) -> QuerySet[Session]:
        return Session.objects.filter(event__in=[obj.pk for obj in objs])

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """An event whose status became (or is) cancelled: ``services.cancel_event`` cancels each
        scheduled session so its registrants are told. Runs after the inline sessions are saved."""
        super().save_related(request, form, formsets, change)
        if form.instance.status == Event.Status.CANCELLED:
            services.cancel_event(event=form.instance)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """A moved session goes through ``services.move_session`` so its registrants are told."""
        if formset.model is not Session:
            return super().save_formset(request, form, formset, change)
        moves = []
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed() and {"start", "end", "time_zone"} & set(inline_form.changed_data):
                old = Session.objects.get(pk=instance.pk)
                moves.append((instance.pk, instance.start, instance.end, instance.time_zone))
                instance.start, instance.end, instance.time_zone = old.start, old.end, old.time_zone
        formset.save()
        for pk, start, end, zone in moves:
            services.move_session(session=Session.objects.get(pk=pk), start=start, end=end, time_zone=zone)
        for session in Session.objects.filter(event=form.instance):
            services.fill_from_waiting_list(session=session)


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "email", "affiliation", "role", "status", "created_at", "mailing_list_opt_in"]
    readonly_fields = fields
    can_delete = False
    ordering = ["status", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(SessionsWithPeopleAreProtected, CoordinatorScopedMixin, admin.ModelAdmin):
    partner_path = "event__organisers"
    form = SessionAdminForm
    list_display = ["__str__", "status", "capacity", "confirmed", "waiting", "cancelled", "is_demo"]
    list_filter = ["status", "is_demo", "event"]
    readonly_fields = ["status", "sequence"]
    inlines = [RegistrationInline]
    actions = ["cancel_sessions", "export_registrations"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return super().get_queryset(request).select_related("event").with_counts()

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = Event.objects.for_coordinator(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def sessions_of(self, objs) -> QuerySet[Session]:
        return Session.objects.filter(pk__in=[obj.pk for obj in objs])

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj: Session) -> int:
        return obj.confirmed_count

    @admin.display(description=_("waiting"), ordering="waiting_count")
    def waiting(self, obj: Session) -> int:
        return obj.waiting_count

    @admin.display(description=_("cancelled"), ordering="cancelled_count")
    def cancelled(self, obj: Session) -> str:
        url = reverse("admin:events_registration_changelist") + f"?session__id__exact={obj.pk}"
        return format_html('{} · <a href="{}">{}</a>', obj.cancelled_count, url, _("registrations"))

    def save_model(self, request: HttpRequest, obj: Session, form, change: bool) -> None:
        if change and {"start", "end", "time_zone"} & set(form.changed_data):
            start, end, zone = obj.start, obj.end, obj.time_zone
            old = Session.objects.get(pk=obj.pk)
            obj.start, obj.end, obj.time_zone = old.start, old.end, old.time_zone
            super().save_model(request, obj, form, change)
            services.move_session(session=obj, start=start, end=end, time_zone=zone)
        else:
            super().save_model(request, obj, form, change)
        services.fill_from_waiting_list(session=obj)

    @admin.action(description=_("Cancel the selected sessions and tell their registrants"), permissions=["change"])
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        count = 0
        for session in queryset:
            services.cancel_session(session=session)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d session cancelled.", "%(count)d sessions cancelled.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the registrations as CSV"), permissions=["view"])
    def export_registrations(self, request: HttpRequest, queryset: QuerySet[Session]) -> HttpResponse:
        return _registrations_csv(Registration.objects.filter(session__in=queryset), "registrations.csv")


class SessionListFilter(admin.SimpleListFilter):
    """The sessions the user may see, in one query (the stock related filter read each
    session's event separately). Keeps the ``session__id__exact`` parameter SessionAdmin links to."""

    title = _("session")
    parameter_name = "session__id__exact"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        sessions = (
            Session.objects.filter(event__in=Event.objects.for_coordinator(request.user).values("pk"))
            .select_related("event")
            .order_by("-start", "id")
        )
        return [(str(session.pk), str(session)) for session in sessions]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> QuerySet[Registration]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(session_id=int(value))
        return queryset


@admin.register(Registration)
class RegistrationAdmin(CoordinatorScopedMixin, admin.ModelAdmin):
    partner_path = "session__event__organisers"
    list_display = ["name", "email", "session", "status", "created_at", "mailing_list_opt_in"]
    list_filter = ["status", "session__event", SessionListFilter]
    search_fields = ["name", "email", "affiliation"]
    readonly_fields = [*(f.name for f in Registration._meta.fields if f.name not in ("id", "answers")), "answers_given"]
    actions = ["export_csv", "cancel_selected", "resend_confirmation"]
    list_select_related = ["session__event"]

    @admin.display(description=_("answers to the registration questions"))
    def answers_given(self, obj: Registration) -> str:
        questions = question_services.questions_by_id([obj])
        rows = question_services.labelled_answers(obj, questions, canonical=False)
        if not rows:
            return "–"
        return format_html_join(
            "", "<p><strong>{}</strong><br>{}</p>",
            ((row["question"], linebreaksbr(question_services.answer_text(row["answer"]))) for row in rows),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people register themselves; the rules live in services.register

    @admin.action(description=_("Export as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        return _registrations_csv(queryset, "registrations.csv")

    @admin.action(description=_("Cancel the selected registrations (promotes from the waiting list)"),
                  permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset:
            services.cancel_registration(registration=registration)
        self.message_user(request, _("Registrations cancelled."), messages.SUCCESS)

    @admin.action(description=_("Resend the confirmation (with the join link, if any)"), permissions=["change"])
    def resend_confirmation(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset:
            services.resend_confirmation(registration=registration)
        self.message_user(request, _("Confirmations queued again."), messages.SUCCESS)
