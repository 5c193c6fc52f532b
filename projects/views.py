"""Public pages of the project catalogue: the list with its filters, a project's page (with
schema.org ``ResearchProject`` JSON-LD), the listing criteria, the JSON API and the CSV.

Only published projects are public (``Project.objects.public()``); anything else is a 404.
Absolute links (JSON-LD, API, CSV) come from ``SITE_URL``, never from the request."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.cache import ContentArea, cached_public_page
from core.content import current_language, for_api, localised
from core.csv_export import csv_response
from core.jsonld import ld_name, ld_text, to_json_ld
from core.sites import absolute_url
from network.models import Partner
from network.views import filtered_or_all, list_page_context, plain_text

from .filters import ProjectFilter
from .models import ListingCriterion, Project

PAGE_SIZE = 24
# Projects per page of ``/api/projects/`` (``?page=2`` for the next; ``next`` gives its link).
API_PAGE_SIZE = 50


def _public_partners_prefetch() -> Prefetch:
    return Prefetch("partners", queryset=Partner.objects.published().in_name_order(), to_attr="public_partners")


@cached_public_page(areas=[ContentArea.PROJECTS, ContentArea.DIRECTORY], params=[*ProjectFilter.base_filters, "page"])
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    public = Project.objects.public()
    filterset = ProjectFilter(request.GET or None, queryset=public, request=request)
    qs = filtered_or_all(filterset, public).with_card_data().in_title_order()
    context = list_page_context(request, filterset=filterset, rows=qs, page_size=PAGE_SIZE)
    return render(request, "projects/project_list.html", context)


def _organisation(partner: Partner) -> dict[str, Any]:
    return {"@type": "Organization", "name": ld_name(partner, "name"), "url": absolute_url(partner.get_absolute_url())}


def _json_ld(project: Project, partners: list[Partner]) -> SafeString:
    """schema.org ``ResearchProject``: names language-tagged, texts in the page's language."""
    url = absolute_url(project.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ResearchProject",
        "name": ld_name(project, "title"),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url, "inLanguage": current_language()},
    }
    summary = ld_text(project, "summary")
    if summary:
        data["description"] = summary
    elif (description := localised(project, "description")).value:
        data["description"] = {"@value": plain_text(description.value, length=0), "@language": description.language}
    if project.website:
        data["sameAs"] = project.website
    if project.starts_on:
        data["foundingDate"] = project.starts_on.isoformat()
    if project.ends_on:
        data["dissolutionDate"] = project.ends_on.isoformat()
    if project.region:
        data["areaServed"] = project.region
    if lead := project.public_lead_partner:
        data["parentOrganization"] = _organisation(lead)
    if partners:
        data["member"] = [_organisation(p) for p in partners]
    keywords = [name for topic in project.topics.all() if (name := localised(topic, "name").value)]
    if keywords:
        data["keywords"] = keywords
    if project.image:
        data["image"] = absolute_url(project.image.url)
    return to_json_ld(data)


@cached_public_page(areas=[ContentArea.PROJECTS, ContentArea.DIRECTORY])
@require_GET
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.public().with_card_data().prefetch_related(_public_partners_prefetch()), slug=slug
    )
    partners = [p for p in project.public_partners if p.pk != project.lead_partner_id]
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "partners": partners,
            "ld_json": _json_ld(project, partners),
            "meta_description": localised(project, "summary").value
            or plain_text(localised(project, "description").value),
        },
    )


@cached_public_page(areas=[ContentArea.PROJECTS])
@require_GET
def criteria(request: HttpRequest) -> HttpResponse:
    criteria_list = ListingCriterion.objects.filter(active=True).order_by("order", "id")
    return render(request, "projects/criteria.html", {"criteria": criteria_list})


# --- JSON and CSV -------------------------------------------------------------------------------
# As the partner API: each translated text twice, the English value under its own name (the
# Slovenian one where no English is written) and the Slovenian one, as written, with ``_sl``.
TRANSLATED_FIELDS = ("title", "summary", "description", "participation", "requirements", "audience", "how_to_take_part")


def _export_queryset():
    return Project.objects.public().with_card_data().prefetch_related(_public_partners_prefetch()).in_title_order()


def _partner_ref(partner: Partner) -> dict[str, str]:
    return {**for_api(partner, "name"), "slug": partner.slug, "url": absolute_url(partner.get_absolute_url())}


def _api_row(project: Project) -> dict[str, Any]:
    lead = project.public_lead_partner
    texts: dict[str, str] = {}
    for field in TRANSLATED_FIELDS:
        texts.update(for_api(project, field))
    return {
        "title": texts["title"],
        "title_sl": texts["title_sl"],
        "slug": project.slug,
        "url": absolute_url(project.get_absolute_url()),
        "status": project.status,
        "joinable": project.is_joinable,
        "lead_partner": _partner_ref(lead) if lead else None,
        "partners": [_partner_ref(p) for p in project.public_partners if p.pk != project.lead_partner_id],
        "topics": [{**for_api(t, "name"), "slug": t.slug} for t in project.topics.all()],
        "region": project.region,
        "online": project.online,
        "starts_on": project.starts_on.isoformat() if project.starts_on else None,
        "ends_on": project.ends_on.isoformat() if project.ends_on else None,
        "website": project.website,
        "image": absolute_url(project.image.url) if project.image else None,
        "featured": project.featured,
        **{key: value for key, value in texts.items() if key not in ("title", "title_sl")},
    }


def _page_link(number: int | None) -> str | None:
    return None if number is None else absolute_url(f"{reverse('projects:api_projects')}?page={number}")


@cached_public_page(areas=[ContentArea.PROJECTS, ContentArea.DIRECTORY], params=["page"])
@require_GET
def api_projects(request: HttpRequest) -> JsonResponse:
    """Published projects, ``API_PAGE_SIZE`` a page, in title order of the URL's language
    (``/sl/api/projects/``: Slovenian); ``next`` and ``previous`` link the other pages."""
    paginator = Paginator(_export_queryset(), API_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        return JsonResponse({"detail": _("There is no such page.")}, status=404)
    return JsonResponse(
        {
            "count": paginator.count,
            "page_size": API_PAGE_SIZE,
            "next": _page_link(page.next_page_number() if page.has_next() else None),
            "previous": _page_link(page.previous_page_number() if page.has_previous() else None),
            "results": [_api_row(p) for p in page.object_list],
        },
        json_dumps_params={"ensure_ascii": False},
    )


CSV_FIELDS = (
    "title", "slug", "url", "status", "joinable", "lead_partner", "partners", "topics", "region", "online",
    "starts_on", "ends_on", "website", "summary", "description", "participation", "requirements", "audience",
    "how_to_take_part", *(f"{field}_sl" for field in TRANSLATED_FIELDS),
)


def _csv_row(project: Project) -> list[Any]:
    row = _api_row(project)
    row["lead_partner"] = row["lead_partner"]["name"] if row["lead_partner"] else ""
    row["partners"] = [p["name"] for p in row["partners"]]
    row["topics"] = [t["name"] for t in row["topics"]]
    row["joinable"] = "yes" if row["joinable"] else "no"
    row["online"] = "yes" if row["online"] else "no"
    return [row[key] for key in CSV_FIELDS]


@cached_public_page(areas=[ContentArea.PROJECTS, ContentArea.DIRECTORY])
@require_GET
def projects_csv(request: HttpRequest) -> HttpResponse:
    return csv_response("projects.csv", CSV_FIELDS, (_csv_row(p) for p in _export_queryset()), bom=True)
