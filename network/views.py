from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.cache import ContentArea, cached_public_page
from core.csv_export import csv_response
from core.jsonld import to_json_ld
from core.ratelimit import limit_public_form
from core.sites import absolute_url

from . import services
from .filters import PartnerFilter
from .forms import ContactRequestForm, JoinForm
from .models import Partner, ServiceModule, ServiceOffer, WorkingGroup

PAGE_SIZE = 24


def _public_partners():
    return Partner.objects.published().network_partners()


@cached_public_page(areas=[ContentArea.DIRECTORY], params=[*PartnerFilter.base_filters, "page"])
def partner_list(request: HttpRequest) -> HttpResponse:
    filterset = PartnerFilter(request.GET or None, queryset=_public_partners())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else _public_partners()
    qs = qs.only("name", "acronym", "slug", "kind", "partner_type", "roles", "city", "needs_review").distinct()
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "network/partner_list.html",
        {"filter": filterset, "page": page, "query_string": query.urlencode(), "count": paginator.count},
    )


@cached_public_page(areas=[ContentArea.DIRECTORY, ContentArea.EVENTS])
def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.published(), slug=slug)
    offers = ServiceOffer.objects.filter(partner=partner).select_related("module")
    groups = partner.working_groups.all()
    events = list(partner.organised_events.published().order_by("-id")[:20])
    ld = {
        "@context": "https://schema.org",
        "@type": "Person" if partner.kind == Partner.Kind.INDIVIDUAL else "Organization",
        "name": partner.name,
        "url": absolute_url(partner.get_absolute_url()),
    }
    if partner.acronym:
        ld["alternateName"] = partner.acronym
    if partner.website:
        ld["sameAs"] = partner.website
    if partner.email:
        ld["email"] = partner.email
    if partner.phone:
        ld["telephone"] = partner.phone
    if partner.address or partner.city:
        ld["address"] = {"@type": "PostalAddress", "streetAddress": partner.address, "addressLocality": partner.city,
                         "addressCountry": partner.country}
    return render(
        request,
        "network/partner_detail.html",
        {"partner": partner, "offers": offers, "groups": groups, "events": events, "ld_json": to_json_ld(ld)},
    )


@cached_public_page(areas=[ContentArea.DIRECTORY])
def working_group_list(request: HttpRequest) -> HttpResponse:
    groups = WorkingGroup.objects.prefetch_related(
        Prefetch("lead_partners", queryset=Partner.objects.published().only("name", "slug", "acronym"))
    )
    return render(request, "network/working_group_list.html", {"groups": groups})


@limit_public_form(scope="working_group_join")
def working_group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    form = ContactRequestForm(request.POST or None, prefix=None)
    if request.method == "POST" and group.status != WorkingGroup.Status.CLOSED and form.is_valid():
        services.ask_to_join_working_group(
            group=group, **{k: form.cleaned_data[k] for k in ("name", "email", "organisation", "message")}
        )
        messages.success(request, _("Thank you. Your request was sent to the working group."))
        return redirect(group.get_absolute_url())
    return render(
        request,
        "network/working_group_detail.html",
        {
            "group": group,
            "form": form,
            "leads": group.lead_partners.published(),
            "members": group.members.published(),
            "outputs": group.outputs.all(),
        },
    )


@cached_public_page(areas=[ContentArea.DIRECTORY])
def service_list(request: HttpRequest) -> HttpResponse:
    modules = list(ServiceModule.objects.all())
    offers = ServiceOffer.objects.filter(partner__status=Partner.Status.PUBLISHED).select_related("partner", "module")
    matrix: dict[int, dict[int, ServiceOffer]] = {}
    partners: dict[int, Partner] = {}
    for offer in offers:
        partners[offer.partner_id] = offer.partner
        matrix.setdefault(offer.partner_id, {})[offer.module_id] = offer
    rows = [
        (partner, [matrix[partner.pk].get(m.pk) for m in modules])
        for partner in sorted(partners.values(), key=lambda p: p.name)
    ]
    return render(request, "network/service_list.html", {"modules": modules, "rows": rows})


@limit_public_form(scope="service_request")
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    module = get_object_or_404(ServiceModule, slug=slug)
    form = ContactRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_service(
            module=module, **{k: form.cleaned_data[k] for k in ("name", "email", "organisation", "message")}
        )
        messages.success(request, _("Thank you. Your request was sent to the institutions offering this service."))
        return redirect(module.get_absolute_url())
    offers = module.service_offers.filter(partner__status=Partner.Status.PUBLISHED).select_related("partner")
    return render(request, "network/service_detail.html", {"module": module, "form": form, "offers": offers})


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


API_FIELDS = ("name", "acronym", "slug", "kind", "type", "roles", "needs_review", "description", "url", "website", "city")


def _api_rows() -> list[dict]:
    # Links from SITE_URL, never from the request's Host: these pages are cached for everyone.
    partners = _public_partners().order_by("name", "id")
    return [
        {
            "name": p.name,
            "acronym": p.acronym,
            "slug": p.slug,
            "kind": p.kind,
            "type": p.partner_type,
            "roles": list(p.roles or []),
            "needs_review": p.needs_review,
            "description": p.description,
            "url": absolute_url(p.get_absolute_url()),
            "website": p.website,
            "city": p.city,
        }
        for p in partners
    ]


@cached_public_page(areas=[ContentArea.DIRECTORY])
def api_partners(request: HttpRequest) -> JsonResponse:
    rows = _api_rows()
    return JsonResponse({"count": len(rows), "results": rows}, json_dumps_params={"ensure_ascii": False})


@cached_public_page(areas=[ContentArea.DIRECTORY])
def partners_csv(request: HttpRequest) -> HttpResponse:
    rows = ([row[key] for key in API_FIELDS] for row in _api_rows())
    return csv_response("partners.csv", API_FIELDS, rows, bom=True)


