"""``webinars`` listening to the registration engine (connected in ``WebinarsConfig.ready``).

Events announces and asks; webinars adds the join link to the emails of confirmed registrants
(the confirmation, the promotion from the waiting list and a moved session's notice), and gives
the join link and passcode to the registrant's own page and personal calendar file
(``registrant_join_details``) — only for a confirmed registration of a session that goes ahead.
"""

from __future__ import annotations

from django.dispatch import receiver

from events.models import Registration
from events.services import EmailSection
from events.signals import JoinDetails, registrant_email_sections, registrant_join_details

from . import services
from .models import Webinar

JOIN_LINK_PURPOSES = frozenset({"confirmation", "promotion", "session_changed"})


@receiver(registrant_email_sections, dispatch_uid="webinars.join_link_section")
def add_join_link(sender, *, registration: Registration, purpose: str, **kwargs) -> EmailSection | None:
    if purpose not in JOIN_LINK_PURPOSES or registration.status != Registration.Status.CONFIRMED:
        return None
    meeting = services.meeting_for(registration.session)
    if meeting is None:
        return None
    return services.join_link_section(meeting, language=registration.language)


@receiver(registrant_join_details, dispatch_uid="webinars.join_details")
def join_details(sender, *, registration: Registration, **kwargs) -> JoinDetails | None:
    session = registration.session
    if registration.status != Registration.Status.CONFIRMED or not session.goes_ahead:
        return None
    meeting = services.meeting_for(session)
    if meeting is None:
        return None
    platform = Webinar.objects.filter(event_id=session.event_id).values_list("platform", flat=True).first() or ""
    return JoinDetails(url=meeting.join_url, meeting_id=meeting.meeting_id, passcode=meeting.passcode, platform=platform)
