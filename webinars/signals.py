"""``webinars`` listening to the registration engine (connected in ``WebinarsConfig.ready``).

Events announces; webinars adds the join link to the emails of confirmed registrants:
the confirmation, the promotion from the waiting list and a moved session's notice.
"""

from __future__ import annotations

from django.dispatch import receiver

from events.models import Registration
from events.services import EmailSection
from events.signals import registrant_email_sections

from . import services

JOIN_LINK_PURPOSES = frozenset({"confirmation", "promotion", "session_changed"})


@receiver(registrant_email_sections, dispatch_uid="webinars.join_link_section")
def add_join_link(sender, *, registration: Registration, purpose: str, **kwargs) -> EmailSection | None:
    if purpose not in JOIN_LINK_PURPOSES or registration.status != Registration.Status.CONFIRMED:
        return None
    meeting = services.meeting_for(registration.session)
    if meeting is None:
        return None
    return services.join_link_section(meeting, language=registration.language)
