"""``webinars`` listening to the registration engine (connected in ``WebinarsConfig.ready``).

Events announces and asks; webinars adds the join link to the emails of confirmed registrants
(the confirmation, the promotion from the waiting list and a moved session's notice), and gives
the join link and passcode to the registrant's own page and personal calendar file
(``registrant_join_details``) — only for a confirmed registration of a session that goes ahead.
The link is the registrant's personal Zoom link when one is stored, else the meeting's shared
one (``services.join_link_for``).

When Zoom's API is configured, the changes events announces also queue the Zoom tasks, after
the commit and through ``core.breaker.publish``: neither a Zoom nor a Redis outage can fail or
hold up the registration that caused them (``tasks.sweep_zoom`` finds lost work again). A
registrant's task is published by the process's hand-over (``core.handover``), with those of
the next few registrations, after the response has gone out. Without Zoom configured these
receivers do nothing.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from core.breaker import publish
from core.handover import HandOver, delay_to_celery
from events import signals as events_signals
from events.models import Registration, Session
from events.services import EmailSection
from events.signals import JoinDetails, registrant_email_sections, registrant_join_details

from . import services, tasks, zoom
from .models import Meeting, Webinar

JOIN_LINK_PURPOSES = frozenset({"confirmation", "promotion", "session_changed"})


def _join_link(registration: Registration) -> services.JoinLink | None:
    return services.join_link_for(registration, Meeting.objects.filter(session_id=registration.session_id).first())


@receiver(registrant_email_sections, dispatch_uid="webinars.join_link_section")
def add_join_link(sender, *, registration: Registration, purpose: str, **kwargs) -> EmailSection | None:
    if purpose not in JOIN_LINK_PURPOSES or registration.status != Registration.Status.CONFIRMED:
        return None
    link = _join_link(registration)
    if link is None:
        return None
    return services.join_link_section(link, language=registration.language)


@receiver(registrant_join_details, dispatch_uid="webinars.join_details")
def join_details(sender, *, registration: Registration, **kwargs) -> JoinDetails | None:
    session = registration.session
    if registration.status != Registration.Status.CONFIRMED or not session.goes_ahead:
        return None
    link = _join_link(registration)
    if link is None:
        return None
    platform = Webinar.objects.filter(event_id=session.event_id).values_list("platform", flat=True).first() or ""
    return JoinDetails(url=link.join_url, meeting_id=link.meeting_id, passcode=link.passcode, platform=platform)


# --- Zoom's API --------------------------------------------------------------------------------


def _queue_after_commit(task, object_id: int) -> None:
    transaction.on_commit(partial(publish, task, object_id, retried_by=tasks.SWEEP))


def _sync_registrants(registration_ids: list[int]) -> None:
    """One task per registrant (each retried on its own when Zoom fails), published from the
    hand-over's thread after the response, not by the request; a registrant changed twice in one
    batch is synced once."""
    for registration_id in dict.fromkeys(registration_ids):  # once each, however often it changed
        publish(tasks.sync_registrant, registration_id, retried_by=tasks.SWEEP)


registrant_handover = HandOver(
    _sync_registrants, seconds=delay_to_celery, name="zoom-handover",
    failure="Could not queue the Zoom work of registrations %s; the Zoom sweep will.",
)


def _sync_registrant_after_commit(registration_id: int) -> None:
    registrant_handover.add_after_commit(registration_id)


@receiver(events_signals.registration_confirmed, dispatch_uid="webinars.zoom_add_registrant")
@receiver(events_signals.registration_promoted, dispatch_uid="webinars.zoom_add_promoted")
def zoom_add_registrant(sender, *, registration: Registration, **kwargs) -> None:
    if zoom.is_configured():
        _sync_registrant_after_commit(registration.pk)


@receiver(events_signals.registration_cancelled, dispatch_uid="webinars.zoom_cancel_registrant")
@receiver(events_signals.registration_switched, dispatch_uid="webinars.zoom_switch_registrant")
def zoom_cancel_registrant(sender, *, registration: Registration, **kwargs) -> None:
    """Cancelled, or moved to another date: out of the old meeting (and, for a switch, into the
    new one's: the task reconciles both)."""
    if zoom.is_configured():
        _sync_registrant_after_commit(registration.pk)


@receiver(post_save, sender=Session, dispatch_uid="webinars.zoom_session_saved")
def zoom_session_saved(sender, *, instance: Session, raw: bool = False, **kwargs) -> None:
    """A session added or edited (admin, seeds), moved or cancelled (``move_session`` and
    ``cancel_session`` save the row, so this one receiver queues their one sync): its meeting
    is created, updated or deleted. The task does nothing for a session that is not of a webinar
    on Zoom, and calls Zoom only when what Zoom holds (title, time, length) changed or the
    session was cancelled."""
    if zoom.is_configured() and not raw:
        _queue_after_commit(tasks.sync_meeting, instance.pk)
