from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, F, Min, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django_filters import FilterSet

from core import thumbnails
from core.cache import ContentArea, bump_content_area, cached_public_page
from core.collation import by_key
from core.content import current_language, for_api, in_reading_order, language_tagged, localised
from core.csv_export import csv_response
from core.jsonld import to_json_ld
from core.markdown import render_markdown
from core.ratelimit import limit_public_form
from core.sites import absolute_url

from . import services
from .filters import PartnerFilter
from .forms import ContactRequestForm, JoinForm
from .models import Partner, ServiceModule, ServiceOffer, WorkingGroup
from .signals import partner_page_sections_for

PAGE_SIZE = 24


# A page's <meta name="description"> is at most this many characters of the record's text.
META_DESCRIPTION_LENGTH = 160


def _public_partners():
    return Partner.objects.published().network_partners()


def working_group_status_label(group: WorkingGroup) -> str:
    """The status in the group's grammatical gender ("Aktivna"; the model's choices say so)."""
    return str(group.get_status_display())


def plain_text(markdown_text: str, length: int = META_DESCRIPTION_LENGTH) -> str:
    """A record's Markdown as plain text (for ``<meta name="description">`` and JSON-LD), cut to
    ``length`` characters with an ellipsis (0: whole). Escaped again by the template or JSON."""
    text = " ".join(html.unescape(strip_tags(render_markdown(markdown_text))).split())
    return Truncator(text).chars(length) if length else text


def filtered_or_all(filterset: FilterSet, everything: QuerySet) -> QuerySet:
    """The rows the visitor's filters select; all of ``everything`` when no filter is set or one
    is invalid (the form then shows its errors above the whole list)."""
    return filterset.qs if filterset.is_bound and filterset.is_valid() else everything


def list_page_context(request: HttpRequest, *, filterset: FilterSet, rows: QuerySet, page_size: int) -> dict[str, Any]:
    """The context of a filtered public list (partners, projects, resources): the ``page`` of
    ``rows`` that ``?page=`` asks for (the last one past the end), their ``count``, the ``filter``
    and the ``query_string`` without ``page`` for the pager's links. Counts ``rows`` (one query)."""
    paginator = Paginator(rows, page_size)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"filter": filterset, "page": page, "query_string": query.urlencode(), "count": paginator.count}


# --- Partner cards and pages -----------------------------------------------------------------
SUMMARY_LENGTH = 200

# Words ending in a full stop that do not end a sentence ("dr. Novak", "e.g. Ljubljana").
_ABBREVIATIONS = frozenset(
    "dr prof mag doc izr red mr mrs ms st no vs etc e.g i.e cf approx npr t.i tj oz itd ipd idr sv"
    " ga g gos dipl univ inž".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”»)]*\s+(?=[\"'„“«(]?[A-ZČĆŠŽĐ0-9])")


def first_sentence(markdown_text: str, length: int = SUMMARY_LENGTH) -> str:
    """The first sentence of a record's Markdown as plain text, at most ``length`` characters."""
    first_block = markdown_text.strip().split("\n\n", 1)[0]
    text = plain_text(first_block, length=0)
    for match in _SENTENCE_END.finditer(text):
        words = text[: match.start() + 1].split()
        last_word = words[-1].rstrip(".!?…").lower() if words else ""
        if len(last_word) > 1 and last_word not in _ABBREVIATIONS:  # not an initial or abbreviation
            text = text[: match.end()].rstrip()
            break
    return Truncator(text).chars(length)


def name_to_be_confirmed(partner: Partner) -> bool:
    """A partner under review: its name may be a placeholder the seeds loader wrote from its
    description ("Slovenian literary historian and professor"), so it is not shown as a name."""
    return partner.needs_review


def _logo_storage():
    return Partner._meta.get_field("logo").storage


def _logo(partner: Partner, widths: Sequence[int], missing: list[str]) -> thumbnails.Thumbnail | None:
    """The partner's logo copies, or ``None`` (no logo, or its copies are not made yet: then its
    name goes to ``missing``, for ``_make_missing_logos``)."""
    if not partner.logo:
        return None
    found = thumbnails.find_thumbnail(_logo_storage(), partner.logo.name, widths)
    if found is None:
        missing.append(partner.logo.name)
    return found


def _make_missing_logos(response: HttpResponse, missing: list[str], widths: Sequence[int]) -> HttpResponse:
    """Make missing logo copies after the response is sent; then the directory's cached pages
    are rendered again with them. A page never waits for an image to be resized."""
    if missing:
        thumbnails.make_after_response(
            response, _logo_storage(), missing, widths, on_made=lambda: bump_content_area(ContentArea.DIRECTORY)
        )
    return response


def _prepare_cards(partners: Iterable[Partner]) -> list[str]:
    """Give each partner on a list page what its card shows; return the logos still to resize."""
    missing: list[str] = []
    language = current_language()
    for partner in partners:
        description, description_language = localised(partner, "description")
        partner.summary = first_sentence(description) if description else ""
        partner.summary_lang = description_language if description_language not in ("", language) else ""
        partner.unconfirmed = name_to_be_confirmed(partner)
        partner.thumbnail = _logo(partner, services.CARD_LOGO_WIDTHS, missing)
    return missing


@cached_public_page(areas=[ContentArea.DIRECTORY], params=[*PartnerFilter.base_filters, "page"])
def partner_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnerFilter(request.GET or None, queryset=_public_partners())
    qs = filtered_or_all(filterset, _public_partners())
    qs = (
        qs.only(
            "name", "acronym", "slug", "kind", "partner_type", "roles", "city", "region", "description", "logo",
            "needs_review",
        )
        .in_name_order()
        .distinct()
    )
    context = list_page_context(request, filterset=filterset, rows=qs, page_size=PAGE_SIZE)
    page = context["page"]
    page.object_list = list(page.object_list)
    missing = _prepare_cards(page.object_list)
    response = render(request, "network/partner_list.html", context)
    return _make_missing_logos(response, missing, services.CARD_LOGO_WIDTHS)


def _partner_json_ld(partner: Partner, url: str) -> dict[str, Any]:
    description, description_language = localised(partner, "description")
    ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Person" if partner.kind == Partner.Kind.INDIVIDUAL else "Organization",
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url, "inLanguage": current_language()},
    }
    if not name_to_be_confirmed(partner):  # a placeholder is no name to publish
        # Every language's name, tagged ({"@value": …, "@language": "sl"}), so a reader picks theirs.
        ld["name"] = language_tagged(partner, "name")
    if description:  # in the page's language, or the other one, tagged with the language it is in
        ld["description"] = {"@value": plain_text(description, length=0), "@language": description_language}
    if partner.acronym:
        ld["alternateName"] = language_tagged(partner, "acronym")
    if partner.website:
        ld["sameAs"] = partner.website
    if partner.email:
        ld["email"] = partner.email
    if partner.phone:
        ld["telephone"] = partner.phone
    if partner.address or partner.city:
        ld["address"] = {"@type": "PostalAddress", "streetAddress": partner.address, "addressLocality": partner.city,
                         "addressCountry": partner.country}
    return ld


def _partner_working_groups(partner: Partner) -> list[WorkingGroup]:
    """The groups the partner leads or is a member of (one query), ``is_lead`` on each."""
    leads = WorkingGroup.lead_partners.through.objects.filter(workinggroup=OuterRef("pk"), partner=partner)
    groups = (
        WorkingGroup.objects.filter(Q(members=partner) | Q(lead_partners=partner))
        .annotate(is_lead=Exists(leads))
        .distinct()
    )
    return in_reading_order(groups)


def _partner_events(partner: Partner) -> list[Any]:
    """Its published events, those with a date still to come first (soonest first), then the
    others, newest first; ``next_start`` on each (``None`` when no date is still to come)."""
    upcoming = Q(sessions__end__gte=timezone.now())
    events = (
        partner.organised_events.published()
        .annotate(next_start=Min("sessions__start", filter=upcoming))
        .order_by(F("next_start").asc(nulls_last=True), "-id")
    )
    return list(events[:20])


@cached_public_page(
    areas=[ContentArea.DIRECTORY, ContentArea.EVENTS, ContentArea.PROJECTS, ContentArea.INFRASTRUCTURE]
)
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.published(), slug=slug)
    missing: list[str] = []
    response = render(
        request,
        "network/partner_detail.html",
        {
            "partner": partner,
            "unconfirmed": name_to_be_confirmed(partner),
            "logo": _logo(partner, services.PAGE_LOGO_WIDTHS, missing),
            "offers": ServiceOffer.objects.filter(partner=partner).select_related("module"),
            "groups": _partner_working_groups(partner),
            "events": _partner_events(partner),
            # what the apps above the network show here (its projects, its resources): they answer
            # ``signals.partner_page_sections``; their content areas are in this page's ``areas``
            "sections": partner_page_sections_for(partner, current_language()),
            # this page, in the visitor's language
            "ld_json": to_json_ld(_partner_json_ld(partner, absolute_url(partner.get_absolute_url()))),
            "meta_description": plain_text(localised(partner, "description").value),
        },
    )
    return _make_missing_logos(response, missing, services.PAGE_LOGO_WIDTHS)


@cached_public_page(areas=[ContentArea.DIRECTORY])
def working_group_list(request: HttpRequest) -> HttpResponse:
    groups = in_reading_order(
        WorkingGroup.objects.prefetch_related(
            Prefetch(
                "lead_partners",
                queryset=Partner.objects.published().only("name", "slug", "acronym").in_name_order(),
            )
        )
    )
    for group in groups:
        group.status_label = working_group_status_label(group)
    return render(request, "network/working_group_list.html", {"groups": groups})


@limit_public_form(scope="working_group_join")
def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    form = ContactRequestForm(request.POST or None, prefix=None)
    if request.method == "POST" and group.status != WorkingGroup.Status.CLOSED and form.is_valid():
        services.ask_to_join_working_group(
            group=group, **{k: form.cleaned_data[k] for k in ("name", "email", "organisation", "message")}
        )
        messages.success(
            request, _("Thank you. Your request was sent to the working group. We have emailed you a confirmation.")
        )
        return redirect(group.get_absolute_url())
    return render(
        request,
        "network/working_group_detail.html",
        {
            "group": group,
            "status_label": working_group_status_label(group),
            "meta_description": plain_text(localised(group, "mandate").value),
            "form": form,
            "leads": group.lead_partners.published().in_name_order(),
            "members": group.members.published().in_name_order(),
            "outputs": group.outputs.all(),
        },
    )


@cached_public_page(areas=[ContentArea.DIRECTORY])
def service_list(request: HttpRequest) -> HttpResponse:
    # In the coordinators' order, ties by name in the visitor's language.
    modules = sorted(in_reading_order(ServiceModule.objects.all()), key=lambda module: module.order)
    offers = ServiceOffer.objects.filter(partner__status=Partner.Status.PUBLISHED).select_related("partner", "module")
    matrix: dict[int, dict[int, ServiceOffer]] = {}
    partners: dict[int, Partner] = {}
    for offer in offers:
        partners[offer.partner_id] = offer.partner
        matrix.setdefault(offer.partner_id, {})[offer.module_id] = offer
    language = current_language()
    rows = [
        (partner, [matrix[partner.pk].get(m.pk) for m in modules])
        for partner in sorted(partners.values(), key=lambda p: (getattr(p, f"sort_name_{language}"), p.pk))
    ]
    return render(request, "network/service_list.html", {"modules": modules, "rows": rows})


@limit_public_form(scope="service_request")
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_object_or_404(ServiceModule, slug=slug)
    form = ContactRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        routed = services.request_service(
            module=module, **{k: form.cleaned_data[k] for k in ("name", "email", "organisation", "message")}
        )
        if routed.to_network_coordinators:
            messages.success(request, _(
                "Thank you. No institution offers this service yet, so your request was sent to the network "
                "coordinators. We have emailed you a confirmation."
            ))
        else:
            messages.success(request, _(
                "Thank you. Your request was sent to the institutions offering this service. We have emailed you "
                "a confirmation."
            ))
        return redirect(module.get_absolute_url())
    offers = (
        module.service_offers.filter(partner__status=Partner.Status.PUBLISHED)
        .select_related("partner")
        .order_by(by_key(f"partner__sort_name_{current_language()}"), "partner_id")
    )
    return render(
        request,
        "network/service_detail.html",
        {
            "module": module,
            "form": form,
            "offers": offers,
            "meta_description": plain_text(localised(module, "summary").value),
        },
    )


@limit_public_form(scope="join")
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != form.honeypot_name}
        services.submit_application(**data)
        # Post/redirect/get: reloading the thanks page does not send the application again.
        return redirect("network:join_thanks")
    return render(request, "network/join.html", {"form": form})


def join_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "network/join_thanks.html")


# The translated texts come in both languages: ``name`` is the English name (the Slovenian one
# for a partner that has no English name, as the English pages show it) and ``name_sl`` the
# Slovenian name exactly as written ("" when there is none); the same for ``acronym`` and
# ``description``. The CSV has the Slovenian columns last, so the earlier columns keep their places.
API_TRANSLATED_FIELDS = ("name", "acronym", "description")
API_FIELDS = (
    "name", "acronym", "slug", "kind", "type", "roles", "needs_review", "description", "url", "website", "city",
    *(f"{field}_sl" for field in API_TRANSLATED_FIELDS),
)


def _api_rows(partners: Any = None) -> list[dict]:
    # Links from SITE_URL, never from the request's Host: these pages are cached for everyone.
    # Sorted by name in the language of the URL (/api/partners/ English, /sl/api/partners/ Slovenian).
    if partners is None:
        partners = _public_partners().in_name_order()
    return [
        {
            **for_api(p, "name"),
            **for_api(p, "acronym"),
            "slug": p.slug,
            "kind": p.kind,
            "type": p.partner_type,
            "roles": list(p.roles or []),
            "needs_review": p.needs_review,
            **for_api(p, "description"),
            "url": absolute_url(p.get_absolute_url()),
            "website": p.website,
            "city": p.city,
        }
        for p in partners
    ]


# /api/partners/ gives this many partners per page, in name order; ``next`` and ``previous`` are
# absolute links to the neighbouring pages (null at either end). The CSV has them all.
API_PAGE_SIZE = 100


@cached_public_page(areas=[ContentArea.DIRECTORY], params=["page"])
def api_partners(request: HttpRequest) -> JsonResponse:
    paginator = Paginator(_public_partners().in_name_order(), API_PAGE_SIZE, allow_empty_first_page=True)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        return JsonResponse({"detail": "No such page."}, status=404)

    def link(number: int) -> str:
        return absolute_url(f"{request.path}?page={number}")

    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "page_size": API_PAGE_SIZE,
            "next": link(page.next_page_number()) if page.has_next() else None,
            "previous": link(page.previous_page_number()) if page.has_previous() else None,
            "results": _api_rows(page.object_list),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@cached_public_page(areas=[ContentArea.DIRECTORY])
def partners_csv(request: HttpRequest) -> HttpResponse:
    rows = ([row[key] for key in API_FIELDS] for row in _api_rows())
    return csv_response("partners.csv", API_FIELDS, rows, bom=True)


