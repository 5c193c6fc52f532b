"""Write the network's records from parsed seed documents: partners, the network contact,
external organisations and the BESPOC service modules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import slugify

from core.slugs import unique_slug
from network.models import NetworkContact, Partner, ServiceModule, normalise_search_text
from seeds.parser import ParsedNewsItem, ParsedPartnersPage
from seeds.vocabulary import ROLE_TITLE, fill_from_catalogue

from .base import Report, upsert

NETWORK_CONTACT_KEY = "network-contact"

# BESPOC's modules known from public sources (shared seeds README: a KTU library report of a
# BESPOC workshop, November 2023, speaks of nine modules and names these four). The other five
# are unknown: coordinators add them in the admin (modules are data; this is only the seed).
BESPOC_MODULES: tuple[tuple[str, str], ...] = (
    ("Activity Portal", "A single place listing the university's citizen-science projects, activities and ways to take part."),
    ("Community Builder", "Connects researchers with NGOs, community groups and participants, and keeps those partnerships going."),
    ("Gateway to Society", "The liaison between researchers, stakeholders and the public: one point of contact for engagement with society."),
    ("Citizen Science Communication", "Helps projects spread their results and report outcomes to participants and the public."),
)
BESPOC_TERM = "BESPOC"

# Short names that are universities although they do not say so (public LibOCS facts).
_KNOWN_UNIVERSITY_SHORT_NAMES = frozenset({"taltech"})


def partner_source_key(key: str) -> str:
    """The stable key of a partner imported from a partners page (the parser's ``key``)."""
    return f"partner:{key}"


def organisation_source_key(name: str) -> str:
    """The stable key of an external organisation named in a news item. Later writers (webinars)
    use it to find the organisers: ``Partner.objects.get(source_key=organisation_source_key(name))``."""
    return f"organisation:{slugify(normalise_search_text(name))[:150]}"


def _unique_slug(name: str, *, exclude_source_key: str) -> str:
    taken = Partner.objects.exclude(source_key=exclude_source_key)
    return unique_slug(taken, normalise_search_text(name), fallback="partner")


def write_partners_page(parsed: ParsedPartnersPage, *, source: str, report: Report) -> None:
    """One published network partner per parsed partner, and the network's contact block; then
    partners an earlier version of the same file had and this one has not are flagged for review
    (see ``flag_partners_no_longer_in``)."""
    seen: set[str] = set()
    for p in parsed.partners:
        key = partner_source_key(p.key)[:200]
        seen.add(key)
        values = {
            "name": p.name[:300],
            "acronym": p.acronym[:60],
            "kind": p.kind if p.kind in Partner.Kind.values else Partner.Kind.ORGANISATION,
            "partner_type": p.partner_type if p.partner_type in Partner.Type.values else "",
            "roles": [r for r in p.roles if r in Partner.Role.values],
            "description": p.description,
            "needs_review": p.needs_review,
            "review_reason": p.review_reason[:300],
            "is_network_partner": True,
            "status": Partner.Status.PUBLISHED,
        }
        upsert(
            Partner,
            source_key=key,
            source=source,
            values=values,
            report=report,
            create_only={"slug": _unique_slug(p.key, exclude_source_key=key)},
        )
    flag_partners_no_longer_in(source, seen_keys=seen, report=report)
    if parsed.contact is not None:
        c = parsed.contact
        contact = upsert(
            NetworkContact,
            source_key=NETWORK_CONTACT_KEY,
            source=source,
            values={
                "organisation": c.organisation[:300],
                "address": c.address[:300],
                "phone": c.phone[:60],
                "email": _valid_email(c.email),
                "contact_person": c.contact_person[:200],
                "coordinator_title": c.coordinator_title[:200],
                "coordinator_name": c.coordinator_name[:200],
                "coordinator_organisation": c.coordinator_organisation[:300],
                "mailing_lists": list(c.mailing_lists),
                "introduction": parsed.introduction,
            },
            report=report,
        )
        fill_from_catalogue(contact, "coordinator_title", context=ROLE_TITLE)
        _link_coordinator_partner(contact)


# Words that do not make two names of one organisation different ("City library of Ljubljana"
# and "Ljubljana City Library").
_NAME_CONNECTORS = {"of", "the", "at", "and", "for", "in", "on", "&"}


def _name_words(name: str) -> frozenset[str]:
    return frozenset(normalise_search_text(name).replace("’", " ").replace("'", " ").split()) - _NAME_CONNECTORS


def _link_coordinator_partner(contact: NetworkContact) -> None:
    """Link the coordinator's organisation to the partner of that name (the same words in any
    order), once, so the pages show the partner's name in the visitor's language. Several
    matches, or none, link nothing; a link a coordinator set or removed is theirs to keep."""
    if contact.coordinator_partner_id or "coordinator_partner" in (contact.imported_values or {}):
        return
    words = _name_words(contact.coordinator_organisation_en or "")
    if not words:
        return
    matches = [p for p in Partner.objects.only("pk", "name_en") if _name_words(p.name_en or "") == words]
    contact.imported_values = {**(contact.imported_values or {}), "coordinator_partner": True}
    if len(matches) == 1:
        contact.coordinator_partner = matches[0]
    contact.save(update_fields=["coordinator_partner", "imported_values"])


def _valid_email(address: str) -> str:
    """The contact block's address if it is one the email field accepts, else "" (a typo in the
    source must not make the whole import fail; the coordinator fills it in the admin)."""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def no_longer_in_reason(source: str) -> str:
    return (
        f"No longer in {source} (renamed, merged or gone?): check it, and archive it or a newer "
        "entry if they are the same partner."
    )[:300]


def flag_partners_no_longer_in(source: str, *, seen_keys: set[str], report: Report) -> None:
    """Flag (``needs_review``) the partners imported from ``source`` whose key this import did not
    see: a partner renamed in a later version of the page comes back under a new key, and the old
    record would otherwise stay published beside it. Nothing is deleted or unpublished.

    The flag is recorded in ``imported_values``, so it is the import's: if the partner reappears
    in a later version, the next import clears it again. A flag a coordinator already dealt with
    (cleared or reworded) is not raised again for the same file.
    """
    reason = no_longer_in_reason(source)
    gone = (
        Partner.objects.select_for_update()
        .filter(source=source, source_key__startswith=partner_source_key(""))
        .exclude(source_key__in=seen_keys)
        .exclude(status=Partner.Status.ARCHIVED)
        .order_by("name", "pk")
    )
    for partner in gone:
        report.notes.append(f"Not in {source} any more, flagged for review: {partner.name} ({partner.source_key}).")
        imported = dict(partner.imported_values or {})
        if imported.get("review_reason") == reason:
            continue  # flagged by an earlier run: whatever a coordinator made of it stands
        partner.needs_review, partner.review_reason = True, reason
        imported.update(needs_review=True, review_reason=reason)
        partner.imported_values = imported
        partner.save(update_fields=["needs_review", "review_reason", "imported_values", "updated_at"])
        report.count("updated", Partner)


def write_news_item_organisations(parsed: ParsedNewsItem, *, source: str, report: Report) -> None:
    """The organisations a news item names become published *external* organisations (unless a
    network partner of that name exists); a BESPOC footnote brings BESPOC's known modules."""
    for name in parsed.organisations:
        folded = normalise_search_text(name)
        if not folded:
            continue
        existing = [
            pk
            for pk, pname, acronym in Partner.objects.network_partners().values_list("pk", "name", "acronym")
            if folded in (normalise_search_text(pname), normalise_search_text(acronym))
        ]
        if existing:
            report.notes.append(f"{name!r} is already a network partner; not added as an external organisation.")
            continue
        is_university = "universit" in folded or folded in _KNOWN_UNIVERSITY_SHORT_NAMES
        key = organisation_source_key(name)
        upsert(
            Partner,
            source_key=key,
            source=source,
            values={
                "name": name[:300],
                "kind": Partner.Kind.ORGANISATION,
                "partner_type": Partner.Type.UNIVERSITY if is_university else "",
                "is_network_partner": False,
                "status": Partner.Status.PUBLISHED,
            },
            report=report,
            create_only={"slug": _unique_slug(name, exclude_source_key=key)},
        )
    mentions_bespoc = BESPOC_TERM.casefold() in " ".join(
        [parsed.footnote_term, parsed.footnote, parsed.body]
    ).casefold()
    if mentions_bespoc:
        for order, (name, summary) in enumerate(BESPOC_MODULES, start=1):
            slug = slugify(name)
            upsert(
                ServiceModule,
                source_key=f"bespoc-module:{slug}",
                source=source,
                values={"name": name, "summary": summary, "order": order * 10},
                report=report,
                create_only={"slug": slug},
                adopt_by=("slug",),  # a module a coordinator already added by hand
            )
