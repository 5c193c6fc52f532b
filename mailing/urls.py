from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("mailing-list/", views.signup, name="signup"),
    path("mailing-list/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("mailing-list/confirm/<str:token>/", views.confirm, name="confirm"),
    path("mailing-list/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mailing-list/manage/<str:token>/", views.manage, name="manage"),
]
