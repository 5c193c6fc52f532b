from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("working-groups/", views.working_group_list, name="working_group_list"),
    path("services/", views.service_list, name="service_list"),
    path("join/", views.join, name="join"),
]
