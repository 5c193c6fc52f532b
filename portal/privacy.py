"""Personal data: retention rules (run daily by Celery beat) and the export/erase services behind
``manage.py personal_data``.

Retention (the privacy notice shows the same numbers, read from settings):
- registrations are anonymised ``RETENTION_REGISTRATION_DAYS`` after their session ended (the row
  and the counts stay; name, affiliation and role are blanked, the address becomes
  ``anonymised-<id>@invalid``);
- outbox messages older than ``RETENTION_OUTBOX_DAYS`` lose their bodies, attachments, headers
  and addresses (subject, status and dates stay as the delivery record);
- subscriptions never confirmed within ``RETENTION_UNCONFIRMED_DAYS`` are deleted (with the
  consent records that no longer belong to any subscription), and so are applications to join
  that were rejected that long ago.

This module reads other apps' models directly: it is the one place that knows where personal
data lives, so that an export or erasure cannot miss a table the apps forgot to mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.forms.models import model_to_dict
from django.utils import timezone

from .cache import bump_content_version
from .models import OutgoingEmail

ANONYMISED_DOMAIN = "invalid"  # RFC 2606: never deliverable


@dataclass
class RetentionResult:
    registrations_anonymised: int = 0
    outbox_purged: int = 0
    subscriptions_deleted: int = 0
    consent_records_deleted: int = 0
    applications_deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def anonymised_registrations_q() -> Q:
    return Q(email__startswith="anonymised-", email__endswith=f"@{ANONYMISED_DOMAIN}")


@transaction.atomic
def anonymise_old_registrations(*, now: Any = None) -> int:
    """Blank the personal fields of registrations whose session ended more than
    ``RETENTION_REGISTRATION_DAYS`` ago. One UPDATE; the placeholder address is unique per row,
    so the one-active-registration-per-address constraint still holds."""
    from events.models import Registration

    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_REGISTRATION_DAYS)
    return (
        Registration.objects.filter(session__end__lt=cutoff)
        .exclude(anonymised_registrations_q())
        .update(
            name="",
            affiliation="",
            role="",
            email=Concat(
                Value("anonymised-"), Cast("pk", output_field=CharField()), Value(f"@{ANONYMISED_DOMAIN}")
            ),
        )
    )


_PURGED_OUTBOX = dict(to="", reply_to="", body_text="", body_html="", attachments=[], headers={}, last_error="")


@transaction.atomic
def purge_old_outbox(*, now: Any = None) -> int:
    """Empty the bodies and addresses of messages older than ``RETENTION_OUTBOX_DAYS``. Messages
    still queued are left alone (they would otherwise go out empty)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_OUTBOX_DAYS)
    return (
        OutgoingEmail.objects.filter(created_at__lt=cutoff)
        .exclude(status=OutgoingEmail.Status.QUEUED)
        .exclude(to="", body_text="", body_html="")
        .update(**_PURGED_OUTBOX)
    )


@transaction.atomic
def delete_unconfirmed_subscriptions(*, now: Any = None) -> tuple[int, int]:
    """Delete subscriptions never confirmed within ``RETENTION_UNCONFIRMED_DAYS`` (the rule lives
    in ``mailing.services.purge_unconfirmed``; the number of days comes from settings here), then
    the consent records of those sign-ups, which no longer belong to any subscription.
    Returns (subscriptions, consent records) deleted."""
    from mailing.models import ConsentRecord, Subscription
    from mailing.services import purge_unconfirmed

    days = settings.RETENTION_UNCONFIRMED_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    subscriptions = purge_unconfirmed(older_than_days=days)
    orphaned = ConsentRecord.objects.filter(given_at__lt=cutoff).exclude(
        models.Exists(
            Subscription.objects.filter(
                mailing_list=models.OuterRef("mailing_list"), email=models.OuterRef("email")
            )
        )
    )
    return subscriptions, orphaned.delete()[0]


@transaction.atomic
def delete_rejected_applications(*, now: Any = None) -> int:
    """Delete applications to join that were rejected more than ``RETENTION_UNCONFIRMED_DAYS``
    ago: archived partners with a rejection reason that never joined. ``updated_at`` is the time
    of the rejection (a later edit only postpones the deletion)."""
    from network.models import Partner

    cutoff = (now or timezone.now()) - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    rejected = Partner.objects.filter(
        status=Partner.Status.ARCHIVED, date_joined__isnull=True, updated_at__lt=cutoff
    ).exclude(rejection_reason="")
    return rejected.delete()[1].get("network.Partner", 0)


def apply_retention(*, now: Any = None) -> RetentionResult:
    """Every retention rule, each in its own transaction (one failing does not undo the others)."""
    result = RetentionResult()
    result.registrations_anonymised = anonymise_old_registrations(now=now)
    result.outbox_purged = purge_old_outbox(now=now)
    result.subscriptions_deleted, result.consent_records_deleted = delete_unconfirmed_subscriptions(now=now)
    result.applications_deleted = delete_rejected_applications(now=now)
    return result


# --- Export and erasure -----------------------------------------------------------------------


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def _outbox_mentioning(email: str) -> models.QuerySet[OutgoingEmail]:
    """Messages to or from the address, or that mention it (e.g. an application forwarded to the
    coordinators, a reply-to of a service request)."""
    return OutgoingEmail.objects.filter(
        Q(to__iexact=email)
        | Q(reply_to__iexact=email)
        | Q(subject__icontains=email)
        | Q(body_text__icontains=email)
        | Q(body_html__icontains=email)
        | Q(idempotency_key__icontains=email)
        | Q(headers__icontains=email)
        | Q(attachments__icontains=email)
    )


def _rows(queryset: models.QuerySet, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    rows = []
    for obj in queryset:
        data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields if f.name not in exclude])
        data["id"] = obj.pk
        rows.append(data)
    return rows


def export_personal_data(*, email: str) -> dict[str, Any]:
    """Everything the portal holds about ``email`` (case-insensitive), as JSON-ready data."""
    from events.models import Registration
    from mailing.models import ConsentRecord, Subscription
    from network.models import Partner, ServiceOffer, WorkingGroup

    email = _normalise(email)
    registrations = []
    for registration in Registration.objects.filter(email__iexact=email).select_related("session__event"):
        row = _rows([registration])[0]
        row["event"] = registration.session.event.title
        row["session_start"] = registration.session.start
        row["session_end"] = registration.session.end
        registrations.append(row)
    partners = Partner.objects.filter(_partner_contact_q(email))
    return {
        "email": email,
        "exported_at": timezone.now(),
        "registrations": registrations,
        "subscriptions": [
            {**_rows([sub], exclude=("decided_by",))[0], "mailing_list": sub.mailing_list.name}
            for sub in Subscription.objects.filter(email__iexact=email).select_related("mailing_list")
        ],
        "consent_records": [
            {**_rows([record])[0], "mailing_list": record.mailing_list.name}
            for record in ConsentRecord.objects.filter(email__iexact=email).select_related("mailing_list")
        ],
        "applications": _rows(
            partners.exclude(status=Partner.Status.PUBLISHED),
            exclude=("imported_values", "search_text", "coordinators", "logo"),
        ),
        "partners": _rows(
            partners.filter(status=Partner.Status.PUBLISHED),
            exclude=("imported_values", "search_text", "coordinators", "logo"),
        ),
        "working_group_contacts": _rows(
            WorkingGroup.objects.filter(contact_email__iexact=email),
            exclude=("imported_values", "mandate", "lead_partners", "members"),
        ),
        "service_offer_contacts": _rows(ServiceOffer.objects.filter(contact_email__iexact=email)),
        "outbox_messages": _rows(_outbox_mentioning(email), exclude=("idempotency_key",)),
    }


def _partner_contact_q(email: str) -> Q:
    """Partners holding ``email`` as their public address or as the private applicant's address."""
    return Q(email__iexact=email) | Q(application_email__iexact=email)


ERASED_INDIVIDUAL_NAME = "Erased individual"


@dataclass
class ErasureResult:
    counts: dict[str, int] = field(default_factory=dict)
    remaining: list[str] = field(default_factory=list)
    # "network.Partner#<pk>" for every individual partner archived and blanked (see erase).
    erased_partners: list[str] = field(default_factory=list)


def _erase_individuals(email: str) -> list[str]:
    """Archive and blank every *individual* partner whose public or applicant's address is
    ``email``: the partner is the person, so name (a placeholder), slug, description, contact
    details and logo go, not only the address. Seed bookkeeping is marked as "edited" so that a
    later ``load_seeds`` neither restores nor republishes the record. Returns their labels."""
    from network.models import Partner
    from core.slugs import unique_slug

    erased = []
    individuals = Partner.objects.select_for_update().filter(_partner_contact_q(email), kind=Partner.Kind.INDIVIDUAL)
    for partner in individuals:
        logo = partner.logo.name if partner.logo else ""
        partner.status = Partner.Status.ARCHIVED
        partner.name = ERASED_INDIVIDUAL_NAME
        partner.slug = unique_slug(Partner.objects.exclude(pk=partner.pk), f"erased-{partner.pk}", fallback="erased")
        for name in ("acronym", "description", "website", "email", "phone", "address", "contact_name",
                     "application_email", "application_phone", "review_reason", "rejection_reason"):
            setattr(partner, name, "")
        partner.logo = ""
        partner.needs_review = False
        partner.imported_values = {name: None for name in partner.imported_values or {}}
        partner.save()
        if logo:
            storage = partner.logo.storage
            transaction.on_commit(lambda name=logo, storage=storage: storage.delete(name))
        erased.append(f"{partner._meta.label}#{partner.pk}")
    return erased


@transaction.atomic
def erase_personal_data(*, email: str) -> ErasureResult:
    """Delete or anonymise everything held about ``email``, in one transaction.

    Registrations are anonymised (seat counts stay right), subscriptions, consent records,
    applications to join and every outbox message that mentions the address are deleted; a
    published partner, working group or service offer keeps its row but loses the address and
    the contact person's name (for a partner: the public address, and the applicant's private
    address and phone). An *individual* partner with that address is the person: it is archived
    and blanked (see ``_erase_individuals``) and listed in ``erased_partners``. Admin history entries naming the address are blanked. What still
    mentions the address afterwards (a login account, say, which an administrator removes) is
    listed in ``remaining``."""
    from django.contrib.admin.models import LogEntry

    from events.models import Registration
    from mailing.models import ConsentRecord, Subscription
    from network.models import Partner, ServiceOffer, WorkingGroup

    email = _normalise(email)
    if not email:
        raise ValueError("An email address is required.")
    counts: dict[str, int] = {}
    registrations = Registration.objects.filter(email__iexact=email)
    counts["registrations anonymised"] = registrations.update(
        name="",
        affiliation="",
        role="",
        email=Concat(Value("anonymised-"), Cast("pk", output_field=CharField()), Value(f"@{ANONYMISED_DOMAIN}")),
    )
    counts["subscriptions deleted"] = Subscription.objects.filter(email__iexact=email).delete()[0]
    counts["consent records deleted"] = ConsentRecord.objects.filter(email__iexact=email).delete()[0]
    partners = Partner.objects.filter(_partner_contact_q(email))
    applications = partners.exclude(status=Partner.Status.PUBLISHED).exclude(date_joined__isnull=False)
    counts["applications deleted"] = applications.delete()[1].get("network.Partner", 0)
    erased_partners = _erase_individuals(email)
    counts["individual partners archived and erased"] = len(erased_partners)
    counts["partner contacts removed"] = Partner.objects.filter(email__iexact=email).update(email="", contact_name="")
    counts["partner applicant contacts removed"] = Partner.objects.filter(application_email__iexact=email).update(
        application_email="", application_phone="", contact_name=""
    )
    counts["working group contacts removed"] = WorkingGroup.objects.filter(contact_email__iexact=email).update(
        contact_email="", contact_name=""
    )
    counts["service offer contacts removed"] = ServiceOffer.objects.filter(contact_email__iexact=email).update(
        contact_email="", contact_name=""
    )
    counts["outbox messages deleted"] = _outbox_mentioning(email).delete()[0]
    counts["admin history entries blanked"] = LogEntry.objects.filter(
        Q(object_repr__icontains=email) | Q(change_message__icontains=email)
    ).update(object_repr="[erased]", change_message="")
    transaction.on_commit(bump_content_version)  # no cached page may still show the address
    return ErasureResult(counts=counts, remaining=find_address(email), erased_partners=erased_partners)


def find_address(email: str) -> list[str]:
    """Every ``app.Model#pk.field`` whose text, character or JSON column contains ``email``."""
    from django.apps import apps

    hits: list[str] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not text_fields:
            continue
        query = Q()
        for name in text_fields:
            query |= Q(**{f"{name}__icontains": email})
        for obj in model._default_manager.filter(query).only(*text_fields):
            for name in text_fields:
                if email.lower() in str(getattr(obj, name)).lower():
                    hits.append(f"{model._meta.label}#{obj.pk}.{name}")
    return hits
