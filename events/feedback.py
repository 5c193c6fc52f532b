"""Feedback after a session: each registrant's own signed link to a small form (a rating from 1 to
5 and an optional comment), one answer per registration, and the figures coordinators read.

The link is signed like the own page's (``events.services.manage_token``) with a salt of its own,
so neither link opens the other page. An answer can be changed until ``CHANGE_WINDOW`` after the
session ended; after that the page shows it without the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from core.personal_data import ANONYMISED_DOMAIN
from core.sites import absolute_url

from .models import FeedbackAnswer, Registration
from .services import registration_language, registrations_for_signed_token, signed_public_id

FEEDBACK_TOKEN_SALT = "events.feedback"
CHANGE_WINDOW = timedelta(days=30)
COMMENT_MAX_LENGTH = 2000
RATINGS = range(1, 6)


def feedback_token(registration: Registration) -> str:
    return signed_public_id(registration, salt=FEEDBACK_TOKEN_SALT)


def registration_for_feedback_token(token: str) -> Registration | None:
    """The registration a feedback link is for, or None for a bad or tampered token, a cancelled
    registration and an anonymised one."""
    return (
        registrations_for_signed_token(token, salt=FEEDBACK_TOKEN_SALT)
        .exclude(status=Registration.Status.CANCELLED)
        .exclude(email__endswith=f"@{ANONYMISED_DOMAIN}")
        .first()
    )


def feedback_url(registration: Registration) -> str:
    """The registrant's feedback form, in their language (absolute, for an email)."""
    with translation.override(registration_language(registration)):
        path = reverse("events:feedback", kwargs={"token": feedback_token(registration)})
    return absolute_url(path)


def is_open(registration: Registration, *, now: datetime | None = None) -> bool:
    """Answers are taken (and changed) from the session's start until ``CHANGE_WINDOW`` after its end."""
    now = now or timezone.now()
    session = registration.session
    return session.start <= now < session.end + CHANGE_WINDOW


def answer_of(registration: Registration) -> FeedbackAnswer | None:
    return FeedbackAnswer.objects.filter(registration=registration).first()


class FeedbackClosed(Exception):
    """The session has not started, or its feedback period is over."""


@transaction.atomic
def give_feedback(*, registration: Registration, rating: int, comment: str = "") -> FeedbackAnswer:
    """Store the registrant's answer, or change the one they gave (one per registration: the
    registration row is locked, and the table has one row per registration). Raises
    ``ValueError`` for a rating outside 1–5 or a comment too long, ``FeedbackClosed`` outside
    the period (``is_open``)."""
    if rating not in RATINGS:
        raise ValueError("rating must be 1 to 5")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValueError("comment too long")
    locked = Registration.objects.select_for_update().select_related("session").get(pk=registration.pk)
    if not is_open(locked):
        raise FeedbackClosed
    answer, _created = FeedbackAnswer.objects.update_or_create(
        registration=locked, defaults={"rating": rating, "comment": comment}
    )
    return answer


@dataclass(frozen=True)
class Figures:
    count: int
    average: float | None

    @property
    def average_text(self) -> str:
        return "–" if self.average is None else f"{self.average:.1f}"


def figures(answers: QuerySet[FeedbackAnswer]) -> Figures:
    """Count and average rating of ``answers`` (one query)."""
    result = answers.order_by().aggregate(count=Count("pk"), average=Avg("rating"))
    return Figures(count=result["count"], average=result["average"])


def blank_comments(registrations: QuerySet[Registration]) -> int:
    """Remove the comments of the answers of ``registrations`` (kept: the ratings, which the
    figures count and which say nothing about the person)."""
    return FeedbackAnswer.objects.filter(registration__in=registrations).exclude(comment="").update(comment="")
