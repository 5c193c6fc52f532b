"""The calendar and the registration engine: events, their dated sessions, registrations.

Reads are QuerySet methods here; every write with rules (registering, cancelling, moving or
cancelling a session) is in ``events.services``. This app knows nothing of online meetings:
``webinars`` adds those and listens to the signals in ``events.signals``.
"""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.accounts import is_network_coordinator
from core.cache import ContentArea, scoped
from core.models import ImportedRecord
from core.sites import site_domain
from core.zones import zone_or_none


def event_scope(slug: str) -> str:
    """The part of a content area about one event (``core.cache.scoped``)."""
    return f"event:{slug}"


def event_seats_scope(slug: str) -> str:
    """The seats of one event: what its page's seat counts are remembered by (``events.seats``)."""
    return scoped(ContentArea.SEATS, event_scope(slug))


def validate_time_zone(value: str) -> None:
    if zone_or_none(value) is None:
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_time_zone_or_empty(value: str) -> None:
    if value:
        validate_time_zone(value)


def default_time_zone() -> str:
    return settings.TIME_ZONE


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        """Events the public may see (a cancelled event stays visible, marked as cancelled)."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def with_listing_data(self) -> EventQuerySet:
        """Organisers and sessions (with their seat counts) prefetched, so a list's query count
        does not grow with rows."""
        return self.prefetch_related(
            "organisers",
            Prefetch("sessions", queryset=Session.objects.with_counts().order_by("start")),
        )

    def upcoming(self) -> EventQuerySet:
        return self.filter(sessions__end__gte=timezone.now()).distinct()

    def for_coordinator(self, user) -> EventQuerySet:
        """Events organised by a partner ``user`` coordinates (all for network coordinators)."""
        from network.models import Partner

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_network_coordinator(user):
            return self
        return self.filter(organisers__in=Partner.objects.for_coordinator(user)).distinct()


# Choices that a CheckConstraint also lists live at module level, so that ``Meta`` can build the
# constraint from them; the models keep the short names (``Event.Status``).
class EventMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class Event(ImportedRecord):
    class Kind(models.TextChoices):
        WEBINAR = "webinar", _("Webinar")
        WORKSHOP = "workshop", _("Workshop")
        TRAINING = "training", _("Training")
        CONFERENCE = "conference", _("Conference")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    Mode = EventMode
    Status = EventStatus

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        SLOVENIAN = "sl", _("Slovenian")
        MIXED = "mul", _("Several languages")

    content_area = ContentArea.EVENTS

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKSHOP)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description (Markdown)"), blank=True)
    footnote = models.TextField(_("footnote (Markdown)"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    organising_project = models.CharField(_("organising project"), max_length=200, blank=True)
    organisers = models.ManyToManyField(
        "network.Partner", blank=True, related_name="organised_events", verbose_name=_("organisers")
    )
    presenters = models.ManyToManyField(
        "network.Partner", blank=True, related_name="presented_events", verbose_name=_("presenting organisations")
    )
    presenters_note = models.CharField(_("presenters (free text)"), max_length=500, blank=True)
    working_group = models.ForeignKey(
        "network.WorkingGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
        verbose_name=_("working group"),
    )
    service_module = models.ForeignKey(
        "network.ServiceModule", null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
        verbose_name=_("service module"),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    accessibility = models.TextField(_("accessibility information"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values), name="event_status_valid"
            ),
            models.CheckConstraint(condition=Q(mode__in=EventMode.values), name="event_mode_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    @property
    def attendance_mode_schema(self) -> str:
        return {
            self.Mode.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
            self.Mode.IN_PERSON: "https://schema.org/OfflineEventAttendanceMode",
            self.Mode.HYBRID: "https://schema.org/MixedEventAttendanceMode",
        }[self.Mode(self.mode)]


class SessionQuerySet(models.QuerySet):
    def public(self) -> SessionQuerySet:
        return self.filter(event__status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self) -> SessionQuerySet:
        return self.filter(end__gte=timezone.now())

    def with_counts(self) -> SessionQuerySet:
        """Annotate confirmed, waiting and cancelled counts (one query for a whole list)."""
        return self.annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            waiting_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
            cancelled_count=Count("registrations", filter=Q(registrations__status=Registration.Status.CANCELLED)),
        )

    def with_people_to_tell(self) -> SessionQuerySet:
        """Scheduled sessions that have not ended and still have confirmed or waiting
        registrants: deleting one would leave them expecting it (cancel it instead)."""
        return self.filter(
            status=Session.Status.SCHEDULED,
            end__gt=timezone.now(),
            registrations__status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        ).distinct()

    def going_ahead(self) -> SessionQuerySet:
        """Scheduled sessions of published events (``Session.goes_ahead``, for a whole list)."""
        return self.filter(status=Session.Status.SCHEDULED, event__status=Event.Status.PUBLISHED)

    def open_for_registration(self, *, now: datetime | None = None) -> SessionQuerySet:
        """Sessions taking registrations now (or at ``now``): going ahead, not started, inside
        their registration window. The same rule for loaded sessions: ``Session.is_open_for_registration``."""
        now = now or timezone.now()
        return (
            self.going_ahead().filter(start__gt=now)
            .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
            .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        )


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    """One dated occurrence of an event. ``sequence`` is the calendar SEQUENCE: raised on every
    change registrants are told about, so calendar programs replace the old entry."""

    Status = SessionStatus

    content_area = ContentArea.EVENTS

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("event"))
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=100)
    has_waiting_list = models.BooleanField(_("waiting list"), default=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: open until the start.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    is_demo = models.BooleanField(_("demo session"), default=False, help_text=_("Created by the demo data."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="session_capacity_not_negative"),
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="session_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.event.title} · {self.local_start():%Y-%m-%d %H:%M} {self.time_zone}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_start(self) -> datetime:
        return timezone.localtime(self.start, self.tz)

    def local_end(self) -> datetime:
        return timezone.localtime(self.end, self.tz)

    @property
    def calendar_uid(self) -> str:
        """Stable across moves and changes; calendar programs match updates by it."""
        return f"event-session-{self.pk}@{site_domain() or 'localhost'}"

    @property
    def is_past(self) -> bool:
        return self.start <= timezone.now()

    @property
    def goes_ahead(self) -> bool:
        """Scheduled, and its event published: people are told about it. (Reads ``event``.)"""
        return self.status == Session.Status.SCHEDULED and self.event.status == Event.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        """The session is off: cancelled itself, or its whole event was. (Reads ``event``.)"""
        return self.status == Session.Status.CANCELLED or self.event.status == Event.Status.CANCELLED

    def is_open_for_registration(self, now: datetime) -> bool:
        """Takes registrations at ``now``: ``SessionQuerySet.open_for_registration``'s rule, for
        sessions already loaded (no query of its own but ``event``'s, if that is not loaded)."""
        return (
            self.goes_ahead
            and self.start > now
            and (self.registration_opens_at is None or self.registration_opens_at <= now)
            and (self.registration_closes_at is None or self.registration_closes_at > now)
        )


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)

    def confirmed(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self) -> RegistrationQuerySet:
        """The waiting list, first come first served: in the order people joined it
        (``Registration.waitlisted_at``; someone who switched onto it from another date queues
        behind those already waiting)."""
        return self.filter(status=Registration.Status.WAITLISTED).order_by("waitlisted_at", "id")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceSource:
    """Where a registration's attendance mark came from (``Registration.attendance_source``)."""

    NONE = ""
    REPORT = "report"
    HAND = "hand"


class Registration(models.Model):
    Status = RegistrationStatus
    AttendanceSource = AttendanceSource

    # Seats left are shown on event lists: each registration's change makes those pages stale.
    content_area = ContentArea.SEATS

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("session")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    affiliation = models.CharField(_("affiliation"), max_length=300, blank=True)
    role = models.CharField(_("role"), max_length=200, blank=True)
    consent_text = models.TextField(_("consent given to"))
    consent_given_at = models.DateTimeField(_("consent given at"), default=timezone.now)
    mailing_list_opt_in = models.BooleanField(_("mailing-list opt-in"), default=False)
    language = models.CharField(_("language"), max_length=10, default="en")
    # The registrant's own IANA time zone, as their browser reported it ("" without JavaScript).
    time_zone = models.CharField(_("registrant's time zone"), max_length=64, blank=True, validators=[validate_time_zone_or_empty])
    # Answers to the event's registration questions: {"<question id>": "text" | ["choice", …] | true/false}.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    # The manage link carries this, signed (see events.services.manage_token).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The personal calendar entry's SEQUENCE (RFC 5546; its UID is ``calendar_uid``): raised on
    # every change the person is told about (a switch, a promotion, a move or cancellation of
    # their session, their own cancellation), so calendar programs replace the entry.
    calendar_sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    # The real time of registering (kept in exports); the waiting list is ordered by
    # ``waitlisted_at``: when the registration last joined its session's waiting list (its
    # creation time unless it was switched onto that list from another date).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    waitlisted_at = models.DateTimeField(_("joined the waiting list"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Attendance, recorded after the session from the meeting's participants report or by hand:
    # None until recorded, then True/False; minutes summed over the person's join/leave rows.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attended_minutes = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    # Where the attendance mark came from: "" (none), "report" (a participants report) or "hand"
    # (a coordinator); a report never overrides a hand mark (``events.attendance``).
    attendance_source = models.CharField(
        _("attendance recorded from"), max_length=6, blank=True, default="",
        choices=[(AttendanceSource.REPORT, _("participants report")), (AttendanceSource.HAND, _("marked by hand"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_email",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(condition=~Q(email=""), name="registration_email_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def content_scopes(self) -> list[str]:
        """The part of the seats area a change of this row makes stale: its event's seat counts,
        which its page is filled from (``core.cache.scoped``, ``events.seats``). Nothing when its
        session or event is already gone (a cascade)."""
        try:
            return [event_scope(self.session.event.slug)]
        except ObjectDoesNotExist:
            return []

    @property
    def calendar_uid(self) -> str:
        """The UID of the person's own calendar entry: one per registration, kept when they
        switch dates, so an update (a new time, a cancellation) replaces that one entry."""
        return f"registration-{self.public_id}@{site_domain() or 'localhost'}"


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    ONE_CHOICE = "one_choice", _("One choice")
    SEVERAL_CHOICES = "several_choices", _("Several choices")
    YES_NO = "yes_no", _("Yes or no")


class RegistrationQuestion(models.Model):
    """A question an event asks when people register (its label, help and choices in both
    languages, ``events/translation.py``). Answers are kept on the registration
    (``Registration.answers``, keyed by the question's id)."""

    Kind = QuestionKind

    content_area = ContentArea.EVENTS  # the form on the event's page

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="questions", verbose_name=_("event"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHORT_TEXT)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    choices = models.TextField(_("choices (one per line)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    # The built-in "access needs or questions for the organisers" question every event gets.
    is_access_needs = models.BooleanField(_("access needs question"), default=False, editable=False)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
            models.CheckConstraint(condition=~Q(label=""), name="question_label_not_empty"),
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        """The choices in the active language (one per line), empty lines dropped."""
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]


# =============================================================================================
# Writing to registrants (messages and follow-ups) and feedback after a session
# (services: ``events.messaging``, ``events.feedback``)
# =============================================================================================


class RecipientGroup(models.TextChoices):
    """Who a message to registrants goes to (several may be chosen)."""

    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Did not attend")


class RegistrantMessageKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    FOLLOW_UP = "follow_up", _("Follow-up after the session")


class RegistrantMessageState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrantMessage(models.Model):
    """A message an organiser writes once to the registrants of an event (or of one of its
    sessions), in English and Slovenian; each registrant gets it in their language.

    A *follow-up* (``kind``) goes after a session to those who attended (to the confirmed
    registrants of a session whose attendance was not recorded), with the recording, the slides
    and their feedback link; those recorded as absent get the ``absent_*`` text, if written.

    Sending walks the recipients in registration id order, a batch per task run, like
    ``mailing.Announcement``: ``cursor`` is the last registration id whose message is in the
    outbox; each message's idempotency key is ``registrant-message:<id>:<registration id>``; the
    batch tasks carry ``chain``, a token each batch replaces, so the chain never forks; a chain
    silent for too long is resumed (``events.messaging.stalled_message_ids``)."""

    Kind = RegistrantMessageKind
    State = RegistrantMessageState
    Recipients = RecipientGroup

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="registrant_messages", verbose_name=_("event")
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="registrant_messages",
        verbose_name=_("session"), help_text=_("Empty: the registrants of every session of the event."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MESSAGE)
    recipients = models.JSONField(
        _("recipients"), default=list, blank=True,
        help_text=_("Registrants by status; a follow-up chooses its own (attendees, and those absent)."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body (Markdown)"))
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)
    slides_url = models.URLField(_("slides link"), max_length=500, blank=True)
    absent_subject = models.CharField(_("subject for those who did not attend"), max_length=200, blank=True)
    absent_body = models.TextField(
        _("text for those who did not attend (Markdown)"), blank=True,
        help_text=_("Empty: those recorded as absent get no follow-up."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    send_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    total_recipients = models.PositiveIntegerField(_("recipients"), default=0)
    cursor = models.BigIntegerField(default=0, editable=False)
    chain = models.UUIDField(null=True, blank=True, editable=False)
    chain_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("message to registrants")
        verbose_name_plural = _("messages to registrants")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RegistrantMessageState.values), name="registrant_message_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RegistrantMessageKind.values), name="registrant_message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="queued", chain__isnull=False) | (~Q(state="queued") & Q(chain__isnull=True)),
                name="registrant_message_chain_exactly_while_queued",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if self.session_id and self.event_id and self.session.event_id != self.event_id:
            raise ValidationError({"session": _("Choose a session of this event.")})

    @property
    def outbox_group(self) -> str:
        """The outbox group of this message's emails (``outbox.services.count_by_status``)."""
        return f"registrant-message:{self.pk}"

    def idempotency_key(self, registration_id: int) -> str:
        return f"registrant-message:{self.pk}:{registration_id}"

    @staticmethod
    def outbox_group_of(pk: models.Expression) -> models.Expression:
        """``outbox_group`` as a database expression over ``pk`` (to count a whole list in one query)."""
        return Concat(models.Value("registrant-message:"), Cast(pk, output_field=models.CharField()))


class FeedbackAnswer(models.Model):
    """A registrant's answer to the feedback form after their session (the signed link in the
    follow-up, ``events.feedback``): one per registration, changeable for a while."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("registration")
    )
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 · {self.registration_id}"


# =============================================================================================
# Certificates of attendance (made and checked by ``events.certificates``)
# =============================================================================================

# Crockford's base 32: digits and capitals without I, L, O and U, so a code read off paper is
# typed without doubt (``events.certificates.normalise_code`` reads O as 0 and I, L as 1).
CERTIFICATE_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CERTIFICATE_CODE_LENGTH = 10  # 32**10 ≈ 10**15 codes: not guessable, short enough to type


def new_certificate_code() -> str:
    return "".join(secrets.choice(CERTIFICATE_CODE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


class Certificate(models.Model):
    """The certificate of attendance of one registration, issued the first time its attendee
    downloads it (only once their attendance is recorded). Anyone holding the ``code`` (printed
    on the certificate) can check it at ``/certificates/<code>/``, which shows the attendee's
    initials, the event and the date, nothing else."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="certificate", verbose_name=_("registration")
    )
    code = models.CharField(
        _("verification code"), max_length=CERTIFICATE_CODE_LENGTH, unique=True, default=new_certificate_code,
        editable=False,
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("certificate of attendance")
        verbose_name_plural = _("certificates of attendance")
        ordering = ["-issued_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="certificate_code_not_empty")]

    def __str__(self) -> str:
        return self.code
