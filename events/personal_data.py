"""What the registration engine holds about people: registrations (name, address, affiliation,
role, consent, the answers to the event's registration questions, the registrant's time zone) and
the feedback they gave after a session (its comment is theirs: exported, deleted on erasure,
blanked with the registration at retention).
Registered with ``core.personal_data``; ``portal.privacy`` coordinates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from core import personal_data

from . import feedback, question_services
from .models import Certificate, FeedbackAnswer, Registration
from .services import anonymise_registrations


class Registrations(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        registrations = list(Registration.objects.filter(email__iexact=email).select_related("session__event"))
        questions = question_services.questions_by_id(registrations)
        return {
            "registrations": [
                {
                    **row,
                    # Each answer with the question it answers, not the question's id alone.
                    "answers": question_services.labelled_answers(registration, questions),
                    "event": registration.session.event.title,
                    "session_start": registration.session.start,
                    "session_end": registration.session.end,
                    # The feedback the person gave after the session, if any.
                    "feedback": [
                        {"rating": a.rating, "comment": a.comment, "given": a.created_at, "changed": a.updated_at}
                        for a in FeedbackAnswer.objects.filter(registration=registration)
                    ],
                    # The certificate of attendance, if one was issued.
                    "certificate": [
                        {"code": c.code, "issued_at": c.issued_at}
                        for c in Certificate.objects.filter(registration=registration)
                    ],
                }
                for registration, row in zip(registrations, personal_data.rows(registrations), strict=True)
            ]
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """Registrations are anonymised, not deleted: the seat counts of their sessions stay right.
        Their answers go first (the address selects them, and anonymising changes it)."""
        registrations = Registration.objects.filter(email__iexact=email)
        question_services.blank_answers(registrations)
        answers = FeedbackAnswer.objects.filter(registration__in=registrations).delete()[0]
        # A certificate would still confirm the person's attendance (their initials) to anyone with its code.
        certificates = Certificate.objects.filter(registration__in=registrations).delete()[0]
        count = anonymise_registrations(registrations=registrations)
        return personal_data.Erasure(counts={"registrations anonymised": count, "feedback answers deleted": answers,
                                             "certificates deleted": certificates})

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Registrations are anonymised ``RETENTION_REGISTRATION_DAYS`` after their session ended,
        their answers removed."""
        cutoff = now - timedelta(days=settings.RETENTION_REGISTRATION_DAYS)
        ended = Registration.objects.filter(session__end__lt=cutoff)
        question_services.blank_answers(ended)
        comments = feedback.blank_comments(ended)  # the ratings stay: they say nothing about the person
        # Certificates go with the names: from then on their codes are reported as not valid.
        certificates = Certificate.objects.filter(registration__in=ended).delete()[0]
        return {"registrations_anonymised": anonymise_registrations(registrations=ended),
                "feedback_comments_blanked": comments, "certificates_deleted": certificates}


personal_data.register(Registrations())
