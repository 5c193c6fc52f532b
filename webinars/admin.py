"""Admin for webinar series and their meetings. Saving a meeting goes through
``services.set_meeting`` so confirmed registrants get a changed link; "resend join link" sends
it again. Scoped like the events admin: a partner's coordinators see only their events."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.forms import URL_FIELDS_ASSUME_HTTPS, formfield_assuming_https
from events.models import Event, Session
from network.admin import CoordinatorScopedMixin

from . import services
from .models import Meeting, Webinar


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
