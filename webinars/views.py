from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def webinar_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/placeholder.html", {"title": "Webinars"})
