from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner_detail"),
    path("partners.csv", views.partners_csv, name="partners_csv"),
    path("api/partners/", views.api_partners, name="api_partners"),
    path("working-groups/", views.working_group_list, name="working_group_list"),
    path("working-groups/<slug:slug>/", views.working_group_detail, name="working_group_detail"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:slug>/", views.service_detail, name="service_detail"),
    path("join/", views.join, name="join"),
    path("join/thanks/", views.join_thanks, name="join_thanks"),
]
