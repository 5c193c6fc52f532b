"""Admin for webinar series and their meetings. Saving a meeting goes through
``services.set_meeting`` so confirmed registrants get a changed link; "resend join link" sends
it again. Scoped like the events admin: a partner's coordinators see only their events.

A session's meeting (join link, meeting ID, passcode) is edited on the session's own page:
``events`` knows nothing of meetings, so its session admin is replaced here by a subclass that
adds the meeting inline and keeps everything else of the parent. The meetings' own admin stays
for links from elsewhere and its action, but is not listed on the admin index."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.forms import URL_FIELDS_ASSUME_HTTPS, formfield_assuming_https
from events.admin import SessionAdmin
from events.models import Event, Session
from network.admin import CoordinatorScopedMixin

from . import services, zoom
from .models import Meeting, Webinar, ZoomState


@admin.register(Webinar)
class WebinarAdmin(CoordinatorScopedMixin, admin.ModelAdmin):
    partner_path = "event__organisers"
    list_display = ["__str__", "platform", "duration_minutes"]
    list_select_related = ["event"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "event":
            kwargs["queryset"] = Event.objects.for_coordinator(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MeetingForm(forms.ModelForm):
    passcode = forms.CharField(label=_("Passcode"), max_length=60, required=False)

    class Meta:
        model = Meeting
        fields = ["session", "join_url", "meeting_id", "passcode"]
        formfield_callback = formfield_assuming_https


@admin.register(Meeting)
class MeetingAdmin(CoordinatorScopedMixin, admin.ModelAdmin):
    form = MeetingForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    partner_path = "session__event__organisers"
    list_display = ["__str__", "session", "updated_at"]
    list_select_related = ["session__event"]
    actions = ["resend_join_link"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # edited on the session's page (``OnlineSessionAdmin``)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.filter(
                event__in=Event.objects.for_coordinator(request.user)
            ).select_related("event")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Meeting, form, change: bool) -> None:
        saved = services.set_meeting(
            session=obj.session, join_url=obj.join_url, meeting_id=obj.meeting_id, passcode=obj.passcode
        )
        obj.pk = saved.pk

    @admin.action(description=_("Resend the join link to confirmed registrants"), permissions=["change"])
    def resend_join_link(self, request: HttpRequest, queryset: QuerySet[Meeting]) -> None:
        total = sum(services.resend_join_link(session=m.session) for m in queryset.select_related("session"))
        self.message_user(request, _("Join link queued for %(count)d people.") % {"count": total}, messages.SUCCESS)


class MeetingInlineForm(MeetingForm):
    class Meta(MeetingForm.Meta):
        fields = ["join_url", "meeting_id", "passcode"]


class MeetingInline(admin.StackedInline):
    """The session's online meeting, on the session's page. When Zoom's API is configured the
    portal creates the meeting in Zoom and fills blank fields from it; a link entered here is
    kept and sent to anyone without a personal Zoom link."""

    model = Meeting
    form = MeetingInlineForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    fields = ["join_url", "meeting_id", "passcode", "zoom"]
    readonly_fields = ["zoom"]
    max_num = 1
    min_num = 0
    extra = 1
    can_delete = False
    verbose_name = _("online meeting")
    verbose_name_plural = _("online meeting")

    @admin.display(description=_("Zoom"))
    def zoom(self, obj: Meeting | None) -> str:
        if not zoom.is_configured():
            return _("Zoom's API is not configured: the join link entered here is sent to registrants.")
        if obj is None or obj.pk is None or not obj.zoom_state:
            return _(
                "Zoom's API is configured: the meeting is created in Zoom after saving, and each confirmed "
                "registrant gets a personal join link. A link entered here is sent to anyone without one."
            )
        checked = date_format(obj.zoom_checked_at, "DATETIME_FORMAT") if obj.zoom_checked_at else "–"
        if obj.zoom_state == ZoomState.FAILED:
            return format_html("{} ({}): {}", ZoomState(obj.zoom_state).label, checked, obj.zoom_error)
        return format_html("{} ({})", ZoomState(obj.zoom_state).label, checked)


admin.site.unregister(Session)


@admin.register(Session)
class OnlineSessionAdmin(SessionAdmin):
    """``events``' session admin with the session's online meeting inline and the "resend join
    link" action. Everything else is the parent's."""

    actions = [*SessionAdmin.actions, "resend_join_link"]

    def get_inlines(self, request: HttpRequest, obj: Session | None):
        """The meeting on the page of a session that can be joined online (a webinar's, or one
        of an online or hybrid event); a new session gets its meeting once saved."""
        inlines = super().get_inlines(request, obj)
        if obj is None or obj.pk is None:
            return inlines
        online = obj.event.mode != Event.Mode.IN_PERSON or Webinar.objects.filter(event_id=obj.event_id).exists()
        return [*inlines, MeetingInline] if online else inlines

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """A meeting changed here goes through ``services.set_meeting`` (confirmed registrants
        get a changed link)."""
        if formset.model is not Meeting:
            super().save_formset(request, form, formset, change)
            return
        # What the admin's change message (history) reads, as ``formset.save()`` would set it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for meeting_form in formset.forms:
            if not meeting_form.has_changed() or not meeting_form.is_valid():
                continue
            data = meeting_form.cleaned_data
            existed = meeting_form.instance.pk is not None
            meeting = services.set_meeting(
                session=form.instance,
                join_url=data.get("join_url") or "",
                meeting_id=data.get("meeting_id") or "",
                passcode=data.get("passcode") or "",
            )
            if existed:
                formset.changed_objects.append((meeting, meeting_form.changed_data))
            else:
                formset.new_objects.append(meeting)

    @admin.action(description=_("Resend the join link to confirmed registrants"), permissions=["change"])
    def resend_join_link(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        total = sum(services.resend_join_link(session=session) for session in queryset)
        self.message_user(request, _("Join link queued for %(count)d people.") % {"count": total}, messages.SUCCESS)
