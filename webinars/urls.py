from django.urls import path

from . import views

app_name = "webinars"

urlpatterns = [
    path("webinars/", views.webinar_list, name="webinar_list"),
    path("webinars/zoom/webhook/", views.zoom_webhook, name="zoom_webhook"),
    path("webinars/<slug:slug>/", views.webinar_detail, name="webinar_detail"),
    path("webinars/<slug:slug>/registered/", views.registered, name="registered"),
]
