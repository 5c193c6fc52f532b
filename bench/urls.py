"""The portal's URLs plus ``/bench/ceiling/``: a trivial view behind the same middleware stack,
served by the same gunicorn, so the page numbers can be read against what the stack costs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from portal.urls import handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench_ceiling"), *portal_urlpatterns]
