"""Public pages of the infrastructure catalogue: the list with its filters, a resource's page
with the "request to use" form, and the page that confirms a request was sent.

The list is cached for anonymous visitors (``cached_public_page``). A resource's page carries a
form (a CSRF token, errors), so it is rendered for each visitor, as the other pages with forms.
No page shows anything of a request: requests are seen in the admin only.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods

from core.cache import ContentArea, cached_public_page
from core.content import localised
from core.ratelimit import limit_public_form
from network.views import filtered_or_all, list_page_context, plain_text

from . import services
from .filters import ResourceFilter
from .forms import CONSENT_TEXT, UseRequestForm
from .models import Resource

PAGE_SIZE = 24
# The slug of the resource this browser has just sent a request for (read by ``request_sent``).
SENT_SESSION_KEY = "infrastructure.request_sent"


def _get_public_resource(slug: str) -> Resource:
    return get_object_or_404(Resource.objects.public().select_related("partner"), slug=slug)


@cached_public_page(
    areas=[ContentArea.INFRASTRUCTURE, ContentArea.DIRECTORY], params=[*ResourceFilter.base_filters, "page"]
)
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    public = Resource.objects.public()
    filterset = ResourceFilter(request.GET or None, queryset=public)
    qs = filtered_or_all(filterset, public).with_listing_data().in_title_order()
    context = list_page_context(request, filterset=filterset, rows=qs, page_size=PAGE_SIZE)
    return render(request, "infrastructure/resource_list.html", context)


@require_http_methods(["GET", "POST"])
@limit_public_form(scope="infrastructure_request")
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The resource, its conditions and its partner, and the form to ask to use it. A valid POST
    stores the request (``services.request_use``) and redirects to the page that says who got it;
    an invalid one re-renders with the errors and stores nothing."""
    resource = _get_public_resource(slug)
    form = UseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.request_use(
            resource=resource,
            name=data["name"],
            email=data["email"],
            organisation=data["organisation"],
            message=data["message"],
            wanted_from=data["wanted_from"],
            wanted_to=data["wanted_to"],
            language=translation.get_language() or "en",
            consent_text=str(CONSENT_TEXT),
        )
        # Post/redirect/get: reloading the result page does not send the request again. The
        # session (not the URL) remembers which resource this browser has just asked for.
        request.session[SENT_SESSION_KEY] = resource.slug
        return redirect("infrastructure:request_sent", slug=resource.slug)
    return render(
        request,
        "infrastructure/resource_detail.html",
        {
            "resource": resource,
            "partner": resource.partner,
            "form": form,
            "meta_description": plain_text(
                localised(resource, "summary").value or localised(resource, "description").value
            ),
        },
    )


@require_GET
def request_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """What happens next, truthfully: who receives the request (the partner's coordinators, or
    only the network coordinator where the partner has no address on record). Shows nothing of
    the request itself. A browser that has sent no request for this resource is taken to the
    resource's page instead: the page would claim something that did not happen."""
    resource = _get_public_resource(slug)
    if request.session.get(SENT_SESSION_KEY) != resource.slug:
        return redirect(resource.get_absolute_url())
    return render(
        request,
        "infrastructure/request_sent.html",
        {
            "resource": resource,
            "partner": resource.partner,
            "partner_reached": services.recipients(resource).partner_reached,
        },
    )
