from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("mailing-list/", views.signup, name="signup"),
]
