from django.urls import path

from . import views

app_name = "webinars"

urlpatterns = [
    path("webinars/", views.webinar_list, name="webinar_list"),
]
