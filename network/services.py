"""Writes with rules for the network: applications to join, moderation, requests routed by email,
and the coordinator groups. Every email goes through the outbox inside the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from core.accounts import NETWORK_COORDINATORS_GROUP, network_coordinator_emails
from core.cache import bump_after_commit
from core.content import set_in_all_languages
from core.email_address import normalise_email
from core.slugs import unique_slug
from core.thumbnails import delete_variants
from outbox.services import queue_templated_email

from .models import (
    PARTNER_COORDINATORS_GROUP,
    Partner,
    ServiceModule,
    WorkingGroup,
    normalise_search_text,
)

# What a partner's coordinator may do: view/change their own partner and its offers; view events.
PARTNER_COORDINATOR_PERMISSIONS = (
    ("network", "view_partner"),
    ("network", "change_partner"),
    ("network", "view_serviceoffer"),
    ("network", "change_serviceoffer"),
    ("network", "add_serviceoffer"),
    ("network", "view_servicemodule"),
    ("network", "view_workinggroup"),
    ("events", "view_event"),
    # Writing to their own events' registrants, and the feedback those give (scoped in the admins).
    ("events", "view_registrantmessage"),
    ("events", "add_registrantmessage"),
    ("events", "change_registrantmessage"),
    ("events", "view_feedbackanswer"),
    # Their own organisation's projects, infrastructure and requests to use it (scoped in the admins).
    ("projects", "view_project"),
    ("projects", "add_project"),
    ("projects", "change_project"),
    ("infrastructure", "view_resource"),
    ("infrastructure", "add_resource"),
    ("infrastructure", "change_resource"),
    ("infrastructure", "view_userequest"),
    ("infrastructure", "change_userequest"),
)


def ensure_coordinator_groups(*, using: str = "default") -> None:
    """Create or complete the two coordinator groups. Idempotent; run after every ``migrate``
    (a ``post_migrate`` receiver in ``NetworkConfig.ready``), so production gets them too.
    Only adds permissions: permissions an administrator added by hand are kept."""
    perms = Permission.objects.using(using).select_related("content_type")
    network_group, _ = Group.objects.using(using).get_or_create(name=NETWORK_COORDINATORS_GROUP)
    wanted = list(perms.filter(content_type__app_label__in=settings.NETWORK_COORDINATOR_APPS))
    if wanted:
        network_group.permissions.add(*wanted)
    partner_group, _ = Group.objects.using(using).get_or_create(name=PARTNER_COORDINATORS_GROUP)
    q = Q(pk__in=[])
    for app_label, codename in PARTNER_COORDINATOR_PERMISSIONS:
        q |= Q(content_type__app_label=app_label, codename=codename)
    partner_perms = list(perms.filter(q))
    if partner_perms:
        partner_group.permissions.add(*partner_perms)


def _queue_to_each(recipients: list[str], *, template: str, context: dict[str, Any], reply_to: str) -> int:
    """One message per distinct address (case-insensitive), in the site's default language (the
    contacts and coordinators it goes to have no language on record); returns how many were queued."""
    addresses = list(dict.fromkeys(normalise_email(r) for r in recipients if r))
    for address in addresses:
        queue_templated_email(
            to=address, template=template, context=context, reply_to=reply_to, language=settings.LANGUAGE_CODE
        )
    return len(addresses)


def application_outbox_group(partner: Partner) -> str:
    """The outbox group of the messages to an application's applicant (``outbox.services``)."""
    return f"application:{partner.pk}"


def applicant_language(partner: Partner) -> str:
    """The language the applicant applied in, which every answer to them is written in; the
    default language for an application that has none (a pending partner a coordinator entered)."""
    return partner.application_language or settings.LANGUAGE_CODE


def unique_partner_slug(name: str) -> str:
    return unique_slug(Partner.objects.all(), normalise_search_text(name), fallback="partner")


def _pending_application(*, email: str, name: str) -> Partner | None:
    """The pending application from ``email`` (case-insensitive) under the same normalised name."""
    folded = normalise_search_text(name)
    candidates = Partner.objects.filter(status=Partner.Status.PENDING, application_email__iexact=email)
    return next((p for p in candidates.order_by("pk") if normalise_search_text(p.name) == folded), None)


def submit_application(
    *,
    name: str,
    kind: str,
    partner_type: str,
    roles: list[str],
    description: str,
    contact_name: str,
    email: str,
    phone: str = "",
    website: str = "",
    city: str = "",
    acronym: str = "",
) -> Partner:
    """Create a *pending* network partner; email the network coordinators and confirm to the applicant.

    The applicant's contact (``contact_name``, ``email``, ``phone``) is stored in the private
    ``contact_name``/``application_email``/``application_phone`` fields; the public ``email`` and
    ``phone`` stay empty until the partner or a coordinator fills them in.

    A double or replayed submit (a pending application from the same address under the same
    normalised name) returns the existing application and sends nothing again; the constraint
    ``partner_one_pending_application`` settles two submits arriving at the same moment.
    """
    email = normalise_email(email)
    existing = _pending_application(email=email, name=name)
    if existing is not None:
        return existing
    try:
        return _create_application(
            name=name, kind=kind, partner_type=partner_type, roles=roles, description=description,
            contact_name=contact_name, email=email, phone=phone, website=website, city=city, acronym=acronym,
        )
    except IntegrityError:
        existing = _pending_application(email=email, name=name)
        if existing is None:
            raise
        return existing


@transaction.atomic
def _create_application(
    *,
    name: str,
    kind: str,
    partner_type: str,
    roles: list[str],
    description: str,
    contact_name: str,
    email: str,
    phone: str,
    website: str,
    city: str,
    acronym: str,
) -> Partner:
    partner = Partner.objects.create(
        name=name,
        acronym=acronym,
        slug=unique_partner_slug(name),
        kind=kind,
        partner_type=partner_type,
        roles=list(roles),
        description=description,
        contact_name=contact_name,
        application_email=email,
        application_phone=phone,
        website=website,
        city=city,
        status=Partner.Status.PENDING,
        is_network_partner=True,
        application_language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    context = {"partner": partner}
    for address in network_coordinator_emails():
        queue_templated_email(
            to=address,
            template="network/application_received",
            context=context,
            language=settings.LANGUAGE_CODE,  # coordinators have no language on record
            reply_to=email,
            idempotency_key=f"network:application:{partner.pk}:coordinator:{normalise_email(address)}",
        )
    queue_templated_email(
        to=email,
        template="network/application_confirmation",
        context=context,
        language=applicant_language(partner),
        idempotency_key=f"network:application:{partner.pk}:applicant",
        group=application_outbox_group(partner),
    )
    return partner


@transaction.atomic
def approve_application(*, partner: Partner) -> Partner:
    """Publish a pending partner and tell the applicant (at the private application address).
    Only for network coordinators (the admin checks)."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status != Partner.Status.PENDING:
        return partner
    partner.status = Partner.Status.PUBLISHED
    partner.date_joined = partner.date_joined or timezone.localdate()
    partner.rejection_reason = ""
    partner.save(update_fields=["status", "date_joined", "rejection_reason", "updated_at"])
    if applicant := applicant_email(partner):
        queue_templated_email(
            to=applicant,
            template="network/application_approved",
            context={"partner": partner},
            language=applicant_language(partner),
            idempotency_key=f"network:application:{partner.pk}:approved",
            group=application_outbox_group(partner),
        )
    return partner


@transaction.atomic
def set_status(*, partners: QuerySet[Partner], status: str) -> int:
    """Publish or archive partners (the admin's moderation actions). Publishing gives a partner
    that never joined today as its joining date. One UPDATE each, so the directory's cached
    pages are made stale here (an update sends no model signals). Returns how many changed."""
    if status not in (Partner.Status.PUBLISHED, Partner.Status.ARCHIVED):
        raise ValueError(f"Not a moderation status: {status!r}")
    changing = partners.exclude(status=status)
    if status == Partner.Status.PUBLISHED:
        changing.filter(date_joined__isnull=True).update(date_joined=timezone.localdate())
    count = changing.update(status=status, updated_at=timezone.now())
    bump_after_commit(Partner.content_area)
    return count


@transaction.atomic
def reject_application(*, partner: Partner, reason: str) -> Partner:
    """Archive a pending application and email the applicant the reason."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A reason is required to reject an application.")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status != Partner.Status.PENDING:
        return partner
    partner.status = Partner.Status.ARCHIVED
    partner.rejection_reason = reason
    partner.save(update_fields=["status", "rejection_reason", "updated_at"])
    if applicant := applicant_email(partner):
        queue_templated_email(
            to=applicant,
            template="network/application_rejected",
            context={"partner": partner, "reason": reason},
            language=applicant_language(partner),
            idempotency_key=f"network:application:{partner.pk}:rejected",
            group=application_outbox_group(partner),
        )
    return partner


def applicant_email(partner: Partner) -> str:
    """Where answers about an application go: the private application address (falling back to
    the public address for a pending partner a coordinator entered by hand)."""
    return partner.application_email or partner.email


def _acknowledge(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Tell the requester that their request was received, in the language of the page they sent
    it from. Only the record's name and fixed text: never the name or message they typed, so that
    someone typing another person's address cannot send that person words of their own."""
    queue_templated_email(
        to=normalise_email(to), template=template, context=context,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@transaction.atomic
def ask_to_join_working_group(
    *, group: WorkingGroup, name: str, email: str, organisation: str = "", message: str = ""
) -> int:
    """Email the group's contact / lead partners' coordinators and the network coordinators, and
    acknowledge the request to the requester (``_acknowledge``). Returns the number of messages
    queued to the group. Stores nothing else."""
    recipients: list[str] = []
    if group.contact_email:
        recipients.append(group.contact_email)
    for lead in group.lead_partners.all():
        if lead.email:
            recipients.append(lead.email)
        recipients += [u.email for u in lead.coordinators.all() if u.email]
    recipients += network_coordinator_emails()
    context = {"group": group, "name": name, "email": email, "organisation": organisation, "message": message}
    queued = _queue_to_each(recipients, template="network/working_group_join_request", context=context, reply_to=email)
    _acknowledge(to=email, template="network/working_group_join_acknowledgement", context={"group": group})
    return queued


@dataclass(frozen=True)
class RoutedRequest:
    """Where a service request went: ``messages`` queued, to the offering institutions or, when
    no published partner offers the module yet, to the network coordinators."""

    messages: int
    to_network_coordinators: bool


@transaction.atomic
def request_service(
    *, module: ServiceModule, name: str, email: str, organisation: str = "", message: str = ""
) -> RoutedRequest:
    """Route a service request to the contacts of the published partners offering ``module`` (the
    ones its page lists), falling back to the network coordinators when none offers it yet, and
    acknowledge it to the requester in their language, saying where it went."""
    recipients: list[str] = []
    for offer in module.service_offers.filter(partner__status=Partner.Status.PUBLISHED).select_related("partner"):
        if offer.contact_email:
            recipients.append(offer.contact_email)
        elif offer.partner.email:
            recipients.append(offer.partner.email)
    to_coordinators = not recipients
    if to_coordinators:
        recipients = network_coordinator_emails()
    context = {"module": module, "name": name, "email": email, "organisation": organisation, "message": message}
    queued = _queue_to_each(recipients, template="network/service_request", context=context, reply_to=email)
    _acknowledge(
        to=email, template="network/service_request_acknowledgement",
        context={"module": module, "to_network_coordinators": to_coordinators},
    )
    return RoutedRequest(messages=queued, to_network_coordinators=to_coordinators)


ERASED_INDIVIDUAL_NAME = "Erased individual"
_ERASED_FIELDS = (
    "acronym", "description", "website", "email", "phone", "address", "contact_name",
    "application_email", "application_phone", "review_reason", "rejection_reason",
)


def contact_q(email: str) -> Q:
    """Partners holding ``email`` as their public address or as the private applicant's address."""
    return Q(email__iexact=email) | Q(application_email__iexact=email)


@transaction.atomic
def erase_individual_partners(*, email: str) -> list[str]:
    """Archive and blank every *individual* partner whose public or applicant's address is
    ``email``: the partner is the person, so name (a placeholder), slug, description, contact
    details and logo go, not only the address. Seed bookkeeping is marked as "edited" so that a
    later ``load_seeds`` neither restores nor republishes the record. Returns their labels
    (``network.Partner#<pk>``)."""
    erased = []
    for partner in Partner.objects.select_for_update().filter(contact_q(email), kind=Partner.Kind.INDIVIDUAL):
        logo = partner.logo.name if partner.logo else ""
        partner.status = Partner.Status.ARCHIVED
        set_in_all_languages(partner, "name", ERASED_INDIVIDUAL_NAME)
        partner.slug = unique_slug(Partner.objects.exclude(pk=partner.pk), f"erased-{partner.pk}", fallback="erased")
        for name in _ERASED_FIELDS:
            set_in_all_languages(partner, name, "")
        partner.logo = ""
        partner.needs_review = False
        partner.imported_values = {name: None for name in partner.imported_values or {}}
        partner.save()
        delete_logo_after_commit(name=logo)
        erased.append(f"{partner._meta.label}#{partner.pk}")
    return erased


# --- Logo files ---------------------------------------------------------------------------------
# Logo copies (``core.thumbnails``): a card shows 96 px (192 px on dense screens), a partner's
# page 192 px (384 px).
CARD_LOGO_WIDTHS = (96, 192)
PAGE_LOGO_WIDTHS = (192, 384)
LOGO_WIDTHS = tuple(sorted({*CARD_LOGO_WIDTHS, *PAGE_LOGO_WIDTHS}))


def delete_logo_after_commit(*, name: str) -> None:
    """Remove the uploaded logo file ``name`` from storage once the current transaction commits
    (at once outside one). Not before, and not at all if it rolls back: the row would still name
    the file. Kept if a partner names it again by then. Storage has no transactions, so the file
    is the last thing to go, after the row that pointed at it; if storage fails then, the change
    stands and the error is logged (``robust``): an orphaned file, never a 500 after the commit."""
    if not name:
        return
    storage = Partner._meta.get_field("logo").storage

    def delete() -> None:
        if not Partner.objects.filter(logo=name).exists():
            storage.delete(name)
            delete_variants(storage, name, LOGO_WIDTHS)  # its resized copies go with it

    transaction.on_commit(delete, robust=True)


@contextmanager
def replacing_logo(*, partner: Partner) -> Iterator[None]:
    """Wrap a save of ``partner`` (the admin's change form): if the save replaced or cleared its
    logo, the file it had before is deleted after commit, so it is no longer served from /media/.
    The logo on record is read (and the row locked) before the save, not taken from the form."""
    with transaction.atomic():
        previous = ""
        if partner.pk is not None:
            previous = (
                Partner.objects.select_for_update().filter(pk=partner.pk).values_list("logo", flat=True).first() or ""
            )
        yield
        if previous and previous != partner.logo.name:
            delete_logo_after_commit(name=previous)


@transaction.atomic
def delete_partners(*, partners: QuerySet[Partner]) -> int:
    """Delete ``partners`` (with what cascades from them); their logo files go after commit.
    Returns how many partners were deleted."""
    logos = list(partners.exclude(logo="").values_list("logo", flat=True))
    deleted = partners.delete()[1].get(Partner._meta.label, 0)
    for name in logos:
        delete_logo_after_commit(name=name)
    return deleted
