"""Admin for events: sessions inline with their counts, registrations, CSV export, cancelling a
session. Network coordinators see every event; a partner's coordinators only the events their
partner organises. Moves and cancellations go through ``events.services`` so registrants are told."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from network.models import Partner
from core.accounts import is_network_coordinator

from . import services
from .forms import SessionAdminForm
from .models import Event, Registration, Session


def _registrations_csv(queryset: QuerySet[Registration], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["event", "session start", "time zone", "name", "email", "affiliation", "role", "status",
                     "registered at", "mailing-list opt-in"])
    for r in queryset.select_related("session__event").order_by("session__start", "created_at"):
        row = [r.session.event.title, r.session.local_start().isoformat(), r.session.time_zone, r.name, r.email,
               r.affiliation, r.role, r.status, r.created_at.isoformat(), "yes" if r.mailing_list_opt_in else "no"]
        # Neutralise spreadsheet formulas in visitor-supplied text.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return response


class ScopedToCoordinatorMixin:
    """Limit rows to events organised by partners the user coordinates."""

    event_path = "event"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)  # type: ignore[misc]
        if is_network_coordinator(request.user):
            return qs
        events = Event.objects.for_coordinator(request.user).values("pk")
        return qs.filter(**{f"{self.event_path}__in" if self.event_path else "pk__in": events})

    def _may_edit(self, request: HttpRequest, obj) -> bool:
        if obj is None or is_network_coordinator(request.user):
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._may_edit(request, obj)  # type: ignore[misc]


def _protect_sessions_with_people(request: HttpRequest, deleted: tuple, sessions: QuerySet[Session]) -> tuple:
    """``get_deleted_objects`` plus, as "protected", every session whose registrants would not
    be told: the delete page then refuses and names them (use "Cancel session" instead). Those
    sessions (and their events) also deny the per-object delete permission; that is reported
    here, by name, rather than as a missing permission."""
    to_delete, model_count, perms_needed, protected = deleted
    blocking = [
        format_html("{} · {}", session, _("has registrants: cancel the session instead, so they are told"))
        for session in sessions.with_people_to_tell().select_related("event")
    ]
    if blocking:
        perms_needed = {
            name for name, model in ((name, _model_by_verbose_name(name)) for name in perms_needed)
            if model is None or not request.user.has_perm(f"events.delete_{model._meta.model_name}")
        }
    return to_delete, model_count, perms_needed, [*protected, *blocking]


def _model_by_verbose_name(name: str) -> type[Event] | type[Session] | None:
    return next((m for m in (Event, Session) if str(m._meta.verbose_name) == str(name)), None)


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


@admin.register(Event)
class EventAdmin(ScopedToCoordinatorMixin, admin.ModelAdmin):
    event_path = ""
    list_display = ["title", "kind", "mode", "language", "status"]
    list_filter = ["status", "kind", "mode", "language"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers", "presenters"]
    inlines = [SessionInline]

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "organisers" and not is_network_coordinator(request.user):
            kwargs["queryset"] = Partner.objects.for_coordinator(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        """Not while a session of the event has registrants who would not be told."""
        if obj is not None and Session.objects.filter(event=obj).with_people_to_tell().exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request: HttpRequest):
        events = [obj.pk for obj in objs]
        return _protect_sessions_with_people(
            request, super().get_deleted_objects(objs, request), Session.objects.filter(event__in=events)
        )

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
class SessionAdmin(ScopedToCoordinatorMixin, admin.ModelAdmin):
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

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        """Not while the session has registrants who would not be told ("Cancel session" tells them)."""
        if obj is not None and Session.objects.filter(pk=obj.pk).with_people_to_tell().exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request: HttpRequest):
        sessions = Session.objects.filter(pk__in=[obj.pk for obj in objs])
        return _protect_sessions_with_people(request, super().get_deleted_objects(objs, request), sessions)

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
class RegistrationAdmin(ScopedToCoordinatorMixin, admin.ModelAdmin):
    event_path = "session__event"
    list_display = ["name", "email", "session", "status", "created_at", "mailing_list_opt_in"]
    list_filter = ["status", "session__event", SessionListFilter]
    search_fields = ["name", "email", "affiliation"]
    readonly_fields = [f.name for f in Registration._meta.fields if f.name != "id"]
    actions = ["export_csv", "cancel_selected", "resend_confirmation"]
    list_select_related = ["session__event"]

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
