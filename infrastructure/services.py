"""Writes with rules for the infrastructure catalogue: requests to use a resource, their status,
their anonymisation, and keeping each resource's search text in step with its partner's name.

Every email goes through the outbox inside the transaction of the request it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation

from core.accounts import network_coordinator_emails
from core.cache import bump_after_commit
from core.email_address import normalise_email
from core.personal_data import ANONYMISED_DOMAIN
from core.sites import absolute_url
from network.models import PARTNER_COORDINATORS_GROUP, Partner
from outbox.services import queue_templated_email

from .models import Resource, UseRequest

# A second identical request within this interval is a double click or a replayed form.
REPEAT_INTERVAL = timedelta(minutes=10)

# Rows per UPDATE when a partner's rename refreshes its resources' search text (``refresh_search_text``).
REFRESH_BATCH_SIZE = 500


@dataclass(frozen=True)
class Recipients:
    """Who a request to use a resource goes to: the offering partner's addresses (its
    coordinators', else its public address; empty when it has none) and the network
    coordinators' (``core.accounts.network_coordinator_emails``). Each address once."""

    partner: list[str]
    network: list[str]

    @property
    def partner_reached(self) -> bool:
        return bool(self.partner)

    def all(self) -> list[str]:
        return list(dict.fromkeys([*self.partner, *self.network]))


def partner_addresses(partner: Partner) -> list[str]:
    """The partner's coordinators (active accounts in the partner coordinators' group linked to
    it, the people who see its requests in the admin) by address; where it has none, its public
    address. Normalised, each once."""
    coordinators = (
        partner.coordinators.filter(is_active=True, groups__name=PARTNER_COORDINATORS_GROUP)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    addresses = list(coordinators) or ([partner.email] if partner.email else [])
    return list(dict.fromkeys(normalise_email(address) for address in addresses))


def recipients(resource: Resource) -> Recipients:
    partner = partner_addresses(resource.partner)
    network = [a for a in dict.fromkeys(normalise_email(a) for a in network_coordinator_emails()) if a not in partner]
    return Recipients(partner=partner, network=network)


def use_request_outbox_group(request: UseRequest) -> str:
    """The outbox group of the messages to a request's requester (``outbox.services``)."""
    return f"use-request:{request.pk}"


def _resource_url(resource: Resource, language: str) -> str:
    with translation.override(language):
        return absolute_url(resource.get_absolute_url())


def _repeat_of(*, resource: Resource, email: str, message: str, now: datetime) -> UseRequest | None:
    """The request already stored for the same address, resource and message within
    ``REPEAT_INTERVAL`` of ``now`` (a double or replayed submit), the latest; ``None`` if none."""
    return (
        UseRequest.objects.filter(
            resource=resource, email=email, message=message.strip(), created_at__gte=now - REPEAT_INTERVAL
        )
        .order_by("-pk")
        .first()
    )


def _queue_use_request_emails(*, request: UseRequest, resource: Resource, requester_email: str, language: str) -> None:
    """Queue the message about ``request`` to each of its recipients (in the site's default
    language, reply-to the requester) and the acknowledgement to the requester in ``language``.

    The acknowledgement goes to whatever address was typed, so it is fixed text and the records'
    own names only (the resource, its partner, who answers): never the name, organisation, dates
    or message typed, which would let anyone send words of their own to any address through the
    network's sender (as ``network.services._acknowledge``). Its context holds no request."""
    to = recipients(resource)
    admin_url = absolute_url(reverse("admin:infrastructure_userequest_change", args=[request.pk]))
    context = {"use_request": request, "resource": resource, "partner": resource.partner, "admin_url": admin_url}
    for address in to.all():
        queue_templated_email(
            to=address,
            template="infrastructure/use_request",
            context={**context, "resource_url": _resource_url(resource, settings.LANGUAGE_CODE)},
            language=settings.LANGUAGE_CODE,
            reply_to=requester_email,
            idempotency_key=f"infrastructure:use-request:{request.pk}:to:{address}",
        )
    queue_templated_email(
        to=requester_email,
        template="infrastructure/use_request_received",
        context={
            "resource": resource,
            "partner": resource.partner,
            "partner_reached": to.partner_reached,
            "resource_url": _resource_url(resource, language),
        },
        language=language,
        idempotency_key=f"infrastructure:use-request:{request.pk}:requester",
        group=use_request_outbox_group(request),
    )


@transaction.atomic
def request_use(
    *,
    resource: Resource,
    name: str,
    email: str,
    organisation: str = "",
    message: str,
    wanted_from: date | None = None,
    wanted_to: date | None = None,
    language: str = "",
    consent_text: str,
) -> UseRequest:
    """Store a request to use ``resource`` and, in the same transaction, queue one message to
    each of its recipients (``recipients``: the partner's coordinators and the network
    coordinators, in the site's default language, as they have none on record; reply-to the
    requester) and an acknowledgement to the requester in ``language`` that says who will
    answer and who receives their details, in fixed text (nothing they typed). Raises ``ValueError`` for dates out of order (the
    form says so first; the database refuses them too).

    A double or replayed submit (the same address, resource and message within
    ``REPEAT_INTERVAL``) returns the request already stored and sends nothing again."""
    if wanted_from and wanted_to and wanted_to < wanted_from:
        raise ValueError("wanted_to is before wanted_from")
    email = normalise_email(email)
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    now = timezone.now()
    # Two submits at once both find no repeat and both insert, unless the second waits for the
    # first's commit: the resource's row lock serialises requests to one resource.
    Resource.objects.select_for_update().only("pk").get(pk=resource.pk)
    repeat = _repeat_of(resource=resource, email=email, message=message, now=now)
    if repeat is not None:
        return repeat
    request = UseRequest.objects.create(
        resource=resource,
        name=name.strip(),
        email=email,
        organisation=organisation.strip(),
        message=message.strip(),
        wanted_from=wanted_from,
        wanted_to=wanted_to,
        consent_text=consent_text,
        consent_given_at=now,
        language=language,
        status=UseRequest.Status.NEW,
        status_changed_at=now,
    )
    _queue_use_request_emails(request=request, resource=resource, requester_email=email, language=language)
    return request


@transaction.atomic
def set_status(*, request: UseRequest, status: str, actor) -> UseRequest:
    """Move a request to ``status`` (new, answered, closed), noting when and by whom (``actor``,
    a user; ``None`` for the site itself). Locks the row; the same status again changes nothing.
    Sends nothing: the coordinators answer the requester by email themselves."""
    if status not in UseRequest.Status.values:
        raise ValueError(f"Not a request status: {status!r}")
    locked = UseRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != status:
        locked.status = status
        locked.status_changed_at = timezone.now()
        locked.status_changed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    request.status, request.status_changed_at = locked.status, locked.status_changed_at
    request.status_changed_by_id = locked.status_changed_by_id
    return locked


def anonymised_q() -> Q:
    """Requests ``anonymise_requests`` blanked: their address is ``anonymised-<id>@<ANONYMISED_DOMAIN>``."""
    return Q(email__startswith="anonymised-", email__endswith=f"@{ANONYMISED_DOMAIN}")


@transaction.atomic
def anonymise_requests(*, requests: QuerySet[UseRequest]) -> int:
    """Blank the personal fields of ``requests`` in one UPDATE (erasure requests and the
    retention rule): name, organisation, message and internal note go, the address becomes the
    unique placeholder ``anonymised-<id>@invalid``. The rows stay (how often a resource is
    asked for, and when). Rows already anonymised are left alone. Returns how many changed."""
    placeholder = Concat(Value("anonymised-"), Cast("pk", output_field=CharField()), Value(f"@{ANONYMISED_DOMAIN}"))
    return requests.exclude(anonymised_q()).update(
        name="", organisation="", message="", internal_note="", email=placeholder
    )


def refresh_search_text(*, partner: Partner) -> int:
    """Recompute the search text of ``partner``'s resources (it holds the partner's name), after
    the partner was saved; their cached pages go stale after commit. One read, and one UPDATE per
    batch of changed rows (``bulk_update``). Returns how many changed."""
    changed = []
    for resource in Resource.objects.filter(partner=partner).only(
        "title_en", "title_sl", "summary_en", "summary_sl", "description_en", "description_sl", "search_text",
        "partner_id",
    ):
        text = resource.compute_search_text(partner=partner)
        if text != resource.search_text:
            resource.search_text = text
            changed.append(resource)
    if changed:
        Resource.objects.bulk_update(changed, ["search_text"], batch_size=REFRESH_BATCH_SIZE)
        bump_after_commit(Resource.content_area)
    return len(changed)
