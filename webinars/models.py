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
from events.models import Event, Registration, Session


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


class ZoomState(models.TextChoices):
    SYNCED = "synced", _("In step with Zoom")
    FAILED = "failed", _("Refused by Zoom")
    DELETED = "deleted", _("Deleted in Zoom")


class Meeting(models.Model):
    """The online meeting of one session. Private: see the module docstring."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="meeting", verbose_name=_("session"))
    join_url = models.URLField(_("join link"), max_length=500, blank=True)
    meeting_id = models.CharField(_("meeting ID"), max_length=60, blank=True)
    passcode = models.CharField(_("passcode"), max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept in step with Zoom's API when it is configured (``services.sync_zoom_meeting``).
    zoom_meeting_id = models.CharField(_("Zoom meeting"), max_length=30, blank=True, editable=False, db_index=True)
    zoom_state = models.CharField(
        _("Zoom state"), max_length=10, choices=ZoomState.choices, blank=True, default="", editable=False
    )
    zoom_error = models.CharField(_("Zoom's last refusal"), max_length=300, blank=True, editable=False)
    # When the session was last synced (or refused for good): a session saved since is synced again.
    zoom_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What was last sent to Zoom (title, start, duration, time zone): no change, no call.
    zoom_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    participants_fetched_at = models.DateTimeField(_("attendance fetched"), null=True, blank=True, editable=False)

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


class ZoomRegistrant(models.Model):
    """A registration's registrant in the Zoom meeting of its session: Zoom's registrant id and
    the registrant's personal join link (private, like the meeting's: only in emails to them and
    on their own page). A registration that switched dates is cancelled in the old meeting and
    added to the new one; one that is cancelled is cancelled in Zoom and this row deleted
    (``services.sync_zoom_registrant``)."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="zoom_registrant", verbose_name=_("registration")
    )
    zoom_meeting_id = models.CharField(_("Zoom meeting"), max_length=30)
    registrant_id = models.CharField(_("Zoom registrant"), max_length=100, blank=True)
    join_url = models.URLField(_("personal join link"), max_length=1000, blank=True)
    error = models.CharField(_("Zoom's refusal"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Zoom registrant")
        verbose_name_plural = _("Zoom registrants")

    def __str__(self) -> str:
        return str(_("Zoom registrant for registration %(id)s")) % {"id": self.registration_id}

    def __repr__(self) -> str:
        return f"<ZoomRegistrant registration={self.registration_id}>"
