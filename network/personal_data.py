"""What the network holds about people: applications to join (the applicant's private contact),
partners' public contacts, individual partners (the partner is the person), and the contact
people of working groups and service offers. Registered with ``core.personal_data``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from core import personal_data
from core.cache import bump_after_commit

from .models import Partner, ServiceOffer, WorkingGroup
from .services import contact_q, delete_partners, erase_individual_partners

_NOT_EXPORTED = ("imported_values", "search_text", "sort_name_en", "sort_name_sl", "coordinators", "logo")


class NetworkContacts(personal_data.PersonalData):
    def export(self, email: str) -> dict[str, list[dict[str, Any]]]:
        partners = Partner.objects.filter(contact_q(email))
        return {
            "applications": personal_data.rows(partners.exclude(status=Partner.Status.PUBLISHED), exclude=_NOT_EXPORTED),
            "partners": personal_data.rows(partners.filter(status=Partner.Status.PUBLISHED), exclude=_NOT_EXPORTED),
            "working_group_contacts": personal_data.rows(
                WorkingGroup.objects.filter(contact_email__iexact=email),
                exclude=("imported_values", "mandate", "mandate_en", "mandate_sl", "lead_partners", "members"),
            ),
            "service_offer_contacts": personal_data.rows(ServiceOffer.objects.filter(contact_email__iexact=email)),
        }

    def erase(self, email: str) -> personal_data.Erasure:
        """Applications that never joined are deleted; an individual partner is archived and
        blanked; a published partner, working group or service offer keeps its row but loses the
        address and the contact person's name."""
        counts: dict[str, int] = {}
        applications = Partner.objects.filter(contact_q(email)).exclude(status=Partner.Status.PUBLISHED)
        # Through the service, so the logos of the deleted applications leave storage after commit.
        counts["applications deleted"] = delete_partners(partners=applications.filter(date_joined__isnull=True))
        erased = erase_individual_partners(email=email)
        counts["individual partners archived and erased"] = len(erased)
        counts["partner contacts removed"] = Partner.objects.filter(email__iexact=email).update(
            email="", contact_name=""
        )
        counts["partner applicant contacts removed"] = Partner.objects.filter(application_email__iexact=email).update(
            application_email="", application_phone="", contact_name=""
        )
        counts["working group contacts removed"] = WorkingGroup.objects.filter(contact_email__iexact=email).update(
            contact_email="", contact_name=""
        )
        counts["service offer contacts removed"] = ServiceOffer.objects.filter(contact_email__iexact=email).update(
            contact_email="", contact_name=""
        )
        bump_after_commit(Partner.content_area)  # the updates above send no model signals
        return personal_data.Erasure(counts=counts, blanked=erased)

    def apply_retention(self, *, now: datetime) -> dict[str, int]:
        """Applications rejected more than ``RETENTION_UNCONFIRMED_DAYS`` ago are deleted: archived
        partners with a rejection reason that never joined. ``updated_at`` is the time of the
        rejection (a later edit only postpones the deletion). Their logo files go after commit."""
        cutoff = now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
        rejected = Partner.objects.filter(
            status=Partner.Status.ARCHIVED, date_joined__isnull=True, updated_at__lt=cutoff
        ).exclude(rejection_reason="")
        return {"applications_deleted": delete_partners(partners=rejected)}


personal_data.register(NetworkContacts())
