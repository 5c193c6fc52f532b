"""What makes a session online: the webinar series and each session's meeting.

A meeting's join URL, meeting ID and passcode are private: they go out only in emails to
confirmed registrants, never into public pages, feeds, JSON, logs or URLs. ``Meeting.__str__``
and ``__repr__`` therefore say nothing about them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.cache import ContentArea
from core.models import ImportedRecord
from events.models import Event, Session


class WebinarQuerySet(models.QuerySet):
    def published(self) -> WebinarQuerySet:
        return self.filter(event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def with_listing_data(self) -> WebinarQuerySet:
        return self.select_related("event").prefetch_related(
            "event__organisers",
            "event__presenters",
            Prefetch("event__sessions", queryset=Session.objects.with_counts().order_by("start")),
        )


class Webinar(ImportedRecord):
    """An online seminar series: an event of kind "webinar" plus what only online events have."""

    content_area = ContentArea.EVENTS

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="webinar", verbose_name=_("event"))
    platform = models.CharField(_("platform"), max_length=60, default="Zoom")
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WebinarQuerySet.as_manager()

    class Meta:
        verbose_name = _("webinar series")
        verbose_name_plural = _("webinar series")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True) | models.Q(duration_minutes__gt=0),
                name="webinar_duration_positive",
            )
        ]

    def __str__(self) -> str:
        return self.event.title

    @property
    def slug(self) -> str:
        return self.event.slug

    def get_absolute_url(self) -> str:
        """The event's page: one canonical page per webinar (``/webinars/<slug>/`` redirects there)."""
        return self.event.get_absolute_url()


class Meeting(models.Model):
    """The online meeting of one session. Private: see the module docstring."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("session"))
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    meeting_id = models.CharField(_("meeting ID"), max_length=60, blank=True)
    passcode = models.CharField(_("passcode"), max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online meeting")
        verbose_name_plural = _("online meetings")
        ordering = ["session__start"]

    def __str__(self) -> str:
        return str(_("Online meeting for session %(id)s")) % {"id": self.session_id}

    def __repr__(self) -> str:
        return f"<Meeting session={self.session_id}>"

    @property
    def fingerprint(self) -> str:
        """Changes when the link or passcode changes (keys the "new link" email)."""
        import hashlib

        return hashlib.sha256(f"{self.join_url}\n{self.meeting_id}\n{self.passcode}".encode()).hexdigest()[:16]
