"""The portal's URLs plus two views of the benchmark's own, behind the same middleware stack and
served by the same gunicorn, so that the portal's numbers can be read against what the stack
and the shape of a request cost:

- ``/bench/ceiling/``: a trivial view (what the stack costs a request);
- ``/bench/least-post/``: the least a registration post can be — its CSRF check, a form of the
  registration's fields validated, one row inserted (a registration, with no seat count, lock
  or email) and the redirect to the result page. What a registration does beyond this is the
  portal's own cost; this is what no implementation of the form can go below here.
"""

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.urls import handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


class LeastPostForm(forms.Form):
    session = forms.IntegerField(min_value=1)
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=254)
    affiliation = forms.CharField(max_length=300, required=False)
    role = forms.CharField(max_length=200, required=False)
    consent = forms.BooleanField()


@require_POST
def least_post(request: HttpRequest) -> HttpResponse:
    from events.models import Registration

    form = LeastPostForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    data, now = form.cleaned_data, timezone.now()
    # bulk_create: one INSERT and nothing else (no signal receivers, which are the portal's own cost).
    Registration.objects.bulk_create([Registration(
        session_id=data["session"], name=data["name"], email=data["email"], affiliation=data["affiliation"],
        role=data["role"], status=Registration.Status.WAITLISTED, consent_text="least post", consent_given_at=now,
        language="en",
    )])
    return HttpResponseRedirect(reverse("events:registered", kwargs={"slug": "least-post"}))


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench_ceiling"),
    path("bench/least-post/", least_post, name="bench_least_post"),
    *portal_urlpatterns,
]
