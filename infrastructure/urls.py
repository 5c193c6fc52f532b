from django.urls import path

from . import views

app_name = "infrastructure"

urlpatterns = [
    path("infrastructure/", views.resource_list, name="resource_list"),
    path("infrastructure/<slug:slug>/", views.resource_detail, name="resource_detail"),
    path("infrastructure/<slug:slug>/request-sent/", views.request_sent, name="request_sent"),
]
