"""Admin for events: sessions inline with their counts, registrations, their export (CSV and
Excel, ``events.exports``) and attendance (``events.attendance``), cancelling a session. Network coordinators see every event; a partner's coordinators only the events their
partner organises. Moves and cancellations go through ``events.services`` so registrants are told."""

from __future__ import annotations

from datetime import UTC

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from core import audit
from core.admin_languages import BothLanguagesMixin, in_both_languages
from core.forms import URL_FIELDS_ASSUME_HTTPS
from network.admin import CoordinatorScopedMixin
from outbox import services as outbox
from outbox.models import OutgoingEmail

from . import attendance, exports, feedback, figures, messaging, question_services, services, tasks
from .forms import RegistrantMessageAdminForm, RegistrationQuestionAdminForm, SessionAdminForm
from .listing import deadline_text
from .models import Event, FeedbackAnswer, RegistrantMessage, Registration, RegistrationQuestion, Session


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


def told_text(count: int) -> str:
    """ "37 registrants told." """
    return ngettext("%(count)d registrant told.", "%(count)d registrants told.", count) % {"count": count}


def move_and_tell(request: HttpRequest, session: Session, *, start, end, time_zone: str) -> Session:
    """Move ``session`` (``services.move_session`` emails its registrants), record it in the audit
    log and tell the coordinator the new time and how many were told. No change, no message."""
    old_start, sequence = session.start, session.sequence
    moved = services.move_session(session=session, start=start, end=end, time_zone=time_zone)
    if moved.sequence == sequence:
        return moved
    told = moved.registrations.active().count()
    audit.record(
        actor=request.user,
        action=audit.Action.SESSION_MOVED,
        target=moved,
        detail={"from": old_start.astimezone(UTC).isoformat(), "to": moved.start.astimezone(UTC).isoformat(),
                "time_zone": moved.time_zone, "told": told},
    )
    messages.success(
        request,
        _("Moved to %(when)s; %(told)s") % {"when": deadline_text(moved.local_start()), "told": told_text(told)},
    )
    return moved


class ExportRegistrationsActions:
    """"Export registrations (CSV)" and "(XLSX)" on a changelist of sessions or events. The
    registrations are personal data: the actions need the permission to view registrations, and
    the selection comes from the admin's own (coordinator-scoped) queryset."""

    def registrations_of(self, queryset: QuerySet) -> QuerySet[Registration]:
        raise NotImplementedError

    def has_export_registrations_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("events.view_registration")

    def _export(self, request: HttpRequest, queryset: QuerySet, file_format: str) -> HttpResponse:
        selected = list(queryset[:2])
        return exports.export_registrations(
            registrations=self.registrations_of(queryset),
            file_format=file_format,
            actor=request.user,
            target=selected[0] if len(selected) == 1 else None,
            extra={"selected": queryset.count(), "of": queryset.model._meta.model_name},
        )

    @admin.action(description=_("Export registrations (CSV)"), permissions=["export_registrations"])
    def export_registrations(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._export(request, queryset, exports.CSV)

    @admin.action(description=_("Export registrations (XLSX)"), permissions=["export_registrations"])
    def export_registrations_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return self._export(request, queryset, exports.XLSX)


class AttendanceUploadForm(forms.Form):
    report = forms.FileField(
        label=_("Participants report (CSV)"),
        help_text=_("In Zoom: Reports → Usage → the meeting's participants → Export. At most 5 MB."),
    )

    def clean_report(self):
        upload = self.cleaned_data["report"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Upload the report as a CSV file (.csv)."))
        if upload.size > attendance.MAX_REPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; a participants report is much smaller."))
        return upload


class RecordAttendanceMixin:
    """"Record attendance" on a session: upload the meeting's participants report
    (``events.attendance``); the page then lists the rows that matched no registration."""

    def get_urls(self):
        urls = super().get_urls()  # type: ignore[misc]
        mine = [
            path(
                "<path:object_id>/attendance/",
                self.admin_site.admin_view(self.record_attendance_view),  # type: ignore[attr-defined]
                name="events_session_attendance",
            )
        ]
        return mine + urls

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return [*fields, "attendance"] if obj is not None else fields

    @admin.display(description=_("attendance"))
    def attendance(self, obj: Session) -> str:
        counts = obj.registrations.active().aggregate(
            came=Count("pk", filter=Q(attended=True)), absent=Count("pk", filter=Q(attended=False))
        )
        url = reverse("admin:events_session_attendance", args=[obj.pk])
        return format_html(
            '{} · <a href="{}">{}</a>',
            _("%(came)d attended, %(absent)d did not") % counts,
            url,
            _("Record attendance"),
        )

    def record_attendance_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        session = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if session is None:
            raise Http404
        if not self.has_change_permission(request, session):  # type: ignore[attr-defined]
            raise PermissionDenied
        result = None
        form = AttendanceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                rows = attendance.parse_participants_csv(form.cleaned_data["report"].read(), tz=session.tz)
            except attendance.ReportError as error:
                form.add_error("report", error.message)
            else:
                result = attendance.record_participants(session=session, rows=rows, actor=request.user)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d registrant marked as attended.", "%(count)d registrants marked as attended.",
                        result.matched,
                    ) % {"count": result.matched},
                )
                if result.kept:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)d registrant marked by hand was left as marked.",
                            "%(count)d registrants marked by hand were left as marked.",
                            result.kept,
                        ) % {"count": result.kept},
                    )
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": _("Record attendance"),
            "subtitle": str(session),
            "session": session,
            "form": form,
            "result": result,
            "max_unmatched": 200,
        }
        return TemplateResponse(request, "admin/events/session/record_attendance.html", context)

    @admin.action(description=_("Record attendance (upload the participants report)"), permissions=["change"])
    def record_attendance(self, request: HttpRequest, queryset: QuerySet[Session]) -> HttpResponse | None:
        sessions = list(queryset[:2])
        if len(sessions) != 1:
            self.message_user(request, _("Choose one session to record its attendance."), messages.WARNING)  # type: ignore[attr-defined]
            return None
        return HttpResponseRedirect(reverse("admin:events_session_attendance", args=[sessions[0].pk]))


class EventFiguresMixin:
    """"Figures" on an event (``events.figures``): registrations over time, the counts, the
    attendance rate and the affiliations, for whoever may view the event (a partner's
    coordinators their own events, ``CoordinatorScopedMixin``)."""

    def get_urls(self):
        urls = super().get_urls()  # type: ignore[misc]
        view = self.admin_site.admin_view(self.figures_view)  # type: ignore[attr-defined]
        return [path("<path:object_id>/figures/", view, name="events_event_figures"), *urls]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return [*fields, "figures_link"] if obj is not None else fields

    @admin.display(description=_("figures"))
    def figures_link(self, obj: Event) -> str:
        url = reverse("admin:events_event_figures", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Registrations over time, attendance and affiliations"))

    def figures_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The figures of one of the events the user may see (``get_object``: the admin's own,
        coordinator-scoped queryset). Another partner's event is refused, one that does not
        exist is not found."""
        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        event = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if event is None:
            if self._exists_outside_scope(unquote(object_id)):
                raise PermissionDenied
            raise Http404
        if not self.has_view_permission(request, event):  # type: ignore[attr-defined]
            raise PermissionDenied
        event_figures = figures.event_figures(event)
        rate = event_figures.attendance_rate
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": _("Figures"),
            "subtitle": str(event),
            "event": event,
            "figures": event_figures,
            "chart": figures.registrations_chart(event_figures),
            "attendance_percent": None if rate is None else round(rate * 100),
        }
        return TemplateResponse(request, "admin/events/event/figures.html", context)

    def _exists_outside_scope(self, object_id: str) -> bool:
        """Whether an event with this key exists, whoever's it is: a coordinator asking for
        another partner's event is refused (403), not told it is missing. Only whether it exists
        is read; the page shows nothing but what ``get_object`` returned."""
        try:
            return self.model._default_manager.filter(pk=object_id).exists()  # type: ignore[attr-defined]
        except ValueError:  # not a key at all (an out-of-range number finds nothing)
            return False


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
class EventAdmin(
    EventFiguresMixin, ExportRegistrationsActions, SessionsWithPeopleAreProtected, BothLanguagesMixin,
    CoordinatorScopedMixin,
    TranslationAdmin,
):
    """Texts in English and Slovenian side by side (``BothLanguagesMixin``)."""

    partner_path = "organisers"
    scoped_partner_fields = ("organisers",)  # any organisation may present
    list_display = ["title", "kind", "mode", "language", "status"]
    list_filter = ["status", "kind", "mode", "language"]
    search_fields = in_both_languages("title", "summary")
    prepopulated_fields = {"slug": ["title_en"]}
    filter_horizontal = ["organisers", "presenters"]
    inlines = [SessionInline, RegistrationQuestionInline]
    actions = ["export_registrations", "export_registrations_xlsx"]

    def sessions_of(self, objs) -> QuerySet[Session]:
        return Session.objects.filter(event__in=[obj.pk for obj in objs])

    def registrations_of(self, queryset: QuerySet[Event]) -> QuerySet[Registration]:
        return Registration.objects.filter(session__event__in=queryset.values("pk"))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """An event whose status became (or is) cancelled: ``services.cancel_event`` cancels each
        scheduled session so its registrants are told. Runs after the inline sessions are saved."""
        super().save_related(request, form, formsets, change)
        if form.instance.status == Event.Status.CANCELLED:
            to_cancel = Session.objects.filter(
                event=form.instance, status=Session.Status.SCHEDULED, end__gt=timezone.now()
            )
            told = Registration.objects.filter(session__in=to_cancel).active().count()
            sessions = to_cancel.count()
            services.cancel_event(event=form.instance)
            if sessions:
                audit.record(actor=request.user, action=audit.Action.EVENT_CANCELLED, target=form.instance,
                             detail={"sessions": sessions, "told": told})
                messages.success(request, _("Event cancelled; %(told)s") % {"told": told_text(told)})

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
            move_and_tell(request, Session.objects.get(pk=pk), start=start, end=end, time_zone=zone)
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


class WriteToRegistrantsActions:
    """"Write to registrants" and "Send a follow-up": open a new message (``RegistrantMessageAdmin``)
    for the one session selected."""

    def _compose(self, request: HttpRequest, queryset: QuerySet[Session], kind: str) -> HttpResponse | None:
        sessions = list(queryset[:2])
        if len(sessions) != 1:
            self.message_user(request, _("Select one session."), messages.WARNING)  # type: ignore[attr-defined]
            return None
        return HttpResponseRedirect(_write_to_registrants_url(sessions[0], kind))

    @admin.action(description=_("Write to registrants"), permissions=["change"])
    def write_to_registrants(self, request: HttpRequest, queryset: QuerySet[Session]) -> HttpResponse | None:
        return self._compose(request, queryset, RegistrantMessage.Kind.MESSAGE)

    @admin.action(description=_("Send a follow-up (recording, slides, feedback)"), permissions=["change"])
    def send_follow_up(self, request: HttpRequest, queryset: QuerySet[Session]) -> HttpResponse | None:
        return self._compose(request, queryset, RegistrantMessage.Kind.FOLLOW_UP)


class EventListFilter(admin.SimpleListFilter):
    """The events the user may see (a partner's coordinator: their own partner's, drafts of
    other partners never listed), in one query; replaces the stock related filter, which lists
    every event. ``event_path`` is the lookup from the listed model to its event."""

    title = _("event")
    parameter_name = "event"
    event_path = "event_id"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(str(e.pk), str(e)) for e in Event.objects.for_coordinator(request.user).order_by("title_en", "id")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(**{self.event_path: int(value)}) if value and value.isdigit() else queryset


class RegistrationEventFilter(EventListFilter):
    event_path = "session__event_id"


@admin.register(Session)
class SessionAdmin(
    RecordAttendanceMixin, ExportRegistrationsActions, WriteToRegistrantsActions, SessionsWithPeopleAreProtected,
    CoordinatorScopedMixin, admin.ModelAdmin,
):
    partner_path = "event__organisers"
    form = SessionAdminForm
    list_display = ["__str__", "status", "capacity", "confirmed", "waiting", "cancelled", "is_demo"]
    list_filter = ["status", "is_demo", EventListFilter]
    readonly_fields = ["status", "sequence"]
    inlines = [RegistrationInline]
    actions = ["cancel_sessions", "export_registrations", "export_registrations_xlsx", "record_attendance",
               "write_to_registrants", "send_follow_up"]

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
            move_and_tell(request, obj, start=start, end=end, time_zone=zone)
        else:
            super().save_model(request, obj, form, change)
        services.fill_from_waiting_list(session=obj)

    @admin.action(description=_("Cancel the selected sessions and tell their registrants"), permissions=["change"])
    def cancel_sessions(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        """Each session cancelled is recorded in the audit log and named in a message with the
        number of registrants told; one already cancelled is left alone."""
        for session in queryset.select_related("event"):
            if session.status == Session.Status.CANCELLED:
                continue
            told = session.registrations.active().count()
            services.cancel_session(session=session)
            audit.record(actor=request.user, action=audit.Action.SESSION_CANCELLED, target=session,
                         detail={"told": told})
            self.message_user(
                request, _("Cancelled %(session)s; %(told)s") % {"session": session, "told": told_text(told)},
                messages.SUCCESS,
            )

    def registrations_of(self, queryset: QuerySet[Session]) -> QuerySet[Registration]:
        return Registration.objects.filter(session__in=queryset.values("pk"))


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
    # Narrow enough for a laptop; the rest (affiliation, answers, times) is on the registration's page.
    list_display = ["name", "email", "session", "status", "attended"]
    list_filter = ["status", "attended", RegistrationEventFilter, SessionListFilter]
    search_fields = ["name", "email", "affiliation"]
    readonly_fields = [*(f.name for f in Registration._meta.fields if f.name not in ("id", "answers")), "answers_given"]
    actions = ["export_csv", "export_xlsx", "mark_attended", "mark_not_attended", "cancel_selected",
               "resend_confirmation"]
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

    @admin.action(description=_("Export registrations (CSV)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        return exports.export_registrations(registrations=queryset, file_format=exports.CSV, actor=request.user)

    @admin.action(description=_("Export registrations (XLSX)"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Registration]) -> HttpResponse:
        return exports.export_registrations(registrations=queryset, file_format=exports.XLSX, actor=request.user)

    def _mark(self, request: HttpRequest, queryset: QuerySet[Registration], *, attended: bool) -> int:
        count = 0
        for registration in queryset.select_related("session__event"):
            attendance.set_attended(registration=registration, attended=attended, actor=request.user)
            count += 1
        return count

    @admin.action(description=_("Mark as attended"), permissions=["change"])
    def mark_attended(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        count = self._mark(request, queryset, attended=True)
        self.message_user(
            request,
            ngettext("%(count)d registration marked as attended.", "%(count)d registrations marked as attended.",
                     count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark as did not attend"), permissions=["change"])
    def mark_not_attended(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        count = self._mark(request, queryset, attended=False)
        self.message_user(
            request,
            ngettext("%(count)d registration marked as not attended.",
                     "%(count)d registrations marked as not attended.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cancel the selected registrations (promotes from the waiting list)"),
                  permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset:
            services.cancel_registration(registration=registration)
        self.message_user(request, _("Registrations cancelled."), messages.SUCCESS)

    @admin.action(description=_("Resend the confirmation (with the join link, if any)"), permissions=["change"])
    def resend_confirmation(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        for registration in queryset:
            services.send_again(registration=registration, ignore_interval=True)
        self.message_user(request, _("Confirmations queued again."), messages.SUCCESS)


# ----------------------------------------------------------------------------------------
# Writing to registrants (messages and follow-ups) and the feedback they give
# ----------------------------------------------------------------------------------------


@admin.register(RegistrantMessage)
class RegistrantMessageAdmin(BothLanguagesMixin, CoordinatorScopedMixin, TranslationAdmin):
    """Write once in English and Slovenian; see the preview for a sample registrant in both,
    send a test to yourself, then send (in batches, through the outbox; cancellable while
    queued). Each registrant gets their language (the other where theirs is empty). A partner's
    coordinators write to the registrants of their own partner's events only."""

    partner_path = "event__organisers"
    form = RegistrantMessageAdminForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["subject", "event", "session", "kind", "state", "progress", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = in_both_languages("subject")
    list_select_related = ["event", "session__event"]
    change_form_template = "admin/events/registrantmessage/change_form.html"
    fields = ["event", "session", "kind", "recipients", "subject", "body", "recording_url", "slides_url",
              "absent_subject", "absent_body", "placeholders", "preview", "state", "progress"]
    editable_once_sent = ["event", "session", "kind", "recipients", "recording_url", "slides_url",
                          *in_both_languages("subject", "body", "absent_subject", "absent_body")]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RegistrantMessage]:
        """Each row carries its outbox counts (one query for the whole list)."""
        group = RegistrantMessage.outbox_group_of(OuterRef("pk"))
        return super().get_queryset(request).annotate(
            **{f"n_{status}": outbox.count_in_group(group, status=status) for status in OutgoingEmail.Status.values}
        )

    def get_readonly_fields(self, request: HttpRequest, obj: RegistrantMessage | None = None) -> list[str]:
        readonly = ["placeholders", "preview", "state", "progress"]
        if obj is not None and obj.state != RegistrantMessage.State.DRAFT:
            readonly += self.editable_once_sent
        return readonly

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        mine = Event.objects.for_coordinator(request.user)
        if db_field.name == "event":
            kwargs["queryset"] = mine
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.filter(event__in=mine.values("pk")).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: RegistrantMessage, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj: RegistrantMessage | None = None) -> str:
        return _(
            "In the text: {name} (the registrant's name), {session_time} (their session's time, in their own "
            "time zone when known), {manage_link} (their own registration page), and {join_link} (how to join "
            "an online session: in messages to confirmed registrants alone)."
        )

    @admin.display(description=_("preview"))
    def preview(self, obj: RegistrantMessage) -> str:
        if not obj.pk:
            return _("Save the draft to see a preview.")
        shown = messaging.previews(obj, name=str(_("Sample Registrant")), email="registrant@example.org")
        if not shown:
            return _("The event has no session yet.")
        return format_html_join(
            "",
            '<div class="registrant-message-preview" lang="{}"><h2>{}{}</h2>{}</div>',
            (
                (p.language, p.subject, f" · {_('for those who did not attend')}" if p.absent else "", p.html)
                for p in shown
            ),
        )

    @admin.display(description=_("progress"))
    def progress(self, obj: RegistrantMessage) -> str:
        if obj.pk is None or obj.state == RegistrantMessage.State.DRAFT:
            return "—"
        counts = {status: getattr(obj, f"n_{status}", None) for status in OutgoingEmail.Status.values}
        if None in counts.values():  # an instance not loaded through get_queryset
            counts = messaging.progress(obj)
        return _("%(sent)d sent, %(queued)d queued, %(failed)d failed, %(cancelled)d cancelled, of %(total)d") % {
            "sent": counts["sent"], "queued": counts["queued"] + counts["sending"], "failed": counts["failed"],
            "cancelled": counts["cancelled"], "total": obj.total_recipients,
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/send/", view(require_POST(self.send_view)), name="events_registrantmessage_send"),
            path("<int:pk>/test/", view(require_POST(self.test_view)), name="events_registrantmessage_test"),
            path("<int:pk>/cancel/", view(require_POST(self.cancel_view)), name="events_registrantmessage_cancel"),
            *super().get_urls(),
        ]

    def _message_or_403(self, request: HttpRequest, pk: int) -> RegistrantMessage | None:
        message = get_object_or_404(RegistrantMessage.objects.select_related("event", "session"), pk=pk)
        return message if self.has_change_permission(request, message) else None

    def _back(self, message: RegistrantMessage) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:events_registrantmessage_change", args=[message.pk]))

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self._message_or_403(request, pk)
        if message is None:
            return HttpResponse(status=403)
        with transaction.atomic():
            chain = messaging.start_sending(message_id=message.pk, by=request.user)
            if chain is not None:
                transaction.on_commit(lambda: tasks.queue_batch(message.pk, chain))
        if chain is None:
            self.message_user(request, _("This message has already been sent."), messages.WARNING)
        else:
            self.message_user(request, _("Sending started."), messages.SUCCESS)
        return self._back(message)

    def test_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self._message_or_403(request, pk)
        if message is None:
            return HttpResponse(status=403)
        sent = messaging.send_test(message=message, user=request.user)
        if sent:
            self.message_user(
                request, _("A test copy in each language is on its way to %(email)s.") % {"email": request.user.email},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("No test sent: your account has no email address, or the event no session."),
                              messages.WARNING)
        return self._back(message)

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = self._message_or_403(request, pk)
        if message is None:
            return HttpResponse(status=403)
        cancelled = messaging.cancel_sending(message_id=message.pk)
        if cancelled is None:
            self.message_user(request, _("There is nothing left to cancel."), messages.WARNING)
        else:
            self.message_user(
                request,
                ngettext("Cancelled: %(count)d email will not be sent.", "Cancelled: %(count)d emails will not be sent.",
                         cancelled) % {"count": cancelled},
                messages.SUCCESS,
            )
        return self._back(message)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["can_cancel"] = messaging.can_cancel(obj)
            context["recipient_counts"] = messaging.recipient_counts(obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)


def _write_to_registrants_url(session: Session, kind: str) -> str:
    query = urlencode({"event": session.event_id, "session": session.pk, "kind": kind})
    return f"{reverse('admin:events_registrantmessage_add')}?{query}"


class FeedbackEventFilter(EventListFilter):
    event_path = "registration__session__event_id"


class FeedbackSessionFilter(SessionListFilter):
    parameter_name = "session"

    def queryset(self, request: HttpRequest, queryset: QuerySet[FeedbackAnswer]) -> QuerySet[FeedbackAnswer]:
        value = self.value()
        return queryset.filter(registration__session_id=int(value)) if value and value.isdigit() else queryset


@admin.register(FeedbackAnswer)
class FeedbackAnswerAdmin(CoordinatorScopedMixin, admin.ModelAdmin):
    """The answers, read-only, with their count and average rating for what is filtered (an
    event, a session) above the list."""

    partner_path = "registration__session__event__organisers"
    list_display = ["rating", "comment_start", "session", "updated_at"]
    list_filter = [FeedbackEventFilter, FeedbackSessionFilter, "rating"]
    list_select_related = ["registration__session__event"]
    search_fields = ["comment"]
    fields = ["session", "rating", "comment", "created_at", "updated_at"]
    readonly_fields = fields
    change_list_template = "admin/events/feedbackanswer/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registrants answer at their own link

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # their words, as they gave them

    @admin.display(description=_("session"))
    def session(self, obj: FeedbackAnswer) -> str:
        return str(obj.registration.session)

    @admin.display(description=_("comment"))
    def comment_start(self, obj: FeedbackAnswer) -> str:
        return Truncator(obj.comment).chars(80) or "–"

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["figures"] = feedback.figures(context["cl"].queryset)
        return response
