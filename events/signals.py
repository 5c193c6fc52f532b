"""What the registration engine announces. ``webinars`` (and later ``mailing``) listen; events
itself knows nothing of online meetings or mailing lists.

All but ``registration_opt_in`` are sent inside the transaction of the change, so a receiver
that writes to the outbox writes in the same transaction. ``registration_opt_in`` is sent after
commit.
"""

from dataclasses import dataclass

from django.dispatch import Signal

# kwargs: registration. A new registration was confirmed (not sent for a repeated submit).
registration_confirmed = Signal()
# kwargs: registration. Moved from the waiting list to confirmed; the person has been told.
registration_promoted = Signal()
# kwargs: registration. The person cancelled, or a coordinator did.
registration_cancelled = Signal()
# kwargs: session, old_start, old_end. A session moved; its registrants have been told.
session_changed = Signal()
# kwargs: session. A session was cancelled; its registrants have been told.
session_cancelled = Signal()
# kwargs: email, language, registration. Sent after commit when someone ticked the
# mailing-list box while registering.
registration_opt_in = Signal()
# kwargs: registration, purpose ("confirmation", "promotion", "session_changed", "reminder").
# Receivers return an ``EmailSection`` (or None) to include in an email to one registrant:
# this is how ``webinars`` puts the join link into the confirmation without events knowing it.
registrant_email_sections = Signal()
# kwargs: registration, old_session. The person moved their registration to another date of the
# same event (``services.switch_registration``); they have been told by email.
registration_switched = Signal()
# kwargs: registration. Receivers return a ``JoinDetails`` (or None) for a confirmed registrant:
# how to join the session online. Shown only on the registrant's own page and in their personal
# calendar file; events itself knows nothing of meetings.
registrant_join_details = Signal()


@dataclass(frozen=True)
class JoinDetails:
    """How a confirmed registrant joins an online session. Private: never on a public page."""

    url: str
    meeting_id: str = ""
    passcode: str = ""
    platform: str = ""

    def __repr__(self) -> str:  # never the link or passcode in a log line or a traceback
        return "<JoinDetails>"


def join_details_for(registration) -> JoinDetails | None:
    """The first answer of a ``registrant_join_details`` receiver, or None."""
    for _receiver, details in registrant_join_details.send(sender=type(registration), registration=registration):
        if isinstance(details, JoinDetails) and details.url:
            return details
    return None
