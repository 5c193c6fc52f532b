from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _placeholder(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "portal/placeholder.html", {"title": title})


def partner_list(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, "Partners")


def working_group_list(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, "Working groups")


def service_list(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, "Services")


def join(request: HttpRequest) -> HttpResponse:
    return _placeholder(request, "Join the network")
