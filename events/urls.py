from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/calendar.ics", views.calendar_feed, name="calendar_feed"),
    # "link" is never a signed token (those hold a colon), so it goes first.
    path("events/registration/link/", views.request_link, name="request_link"),
    path("events/registration/<str:token>/", views.manage_registration, name="manage_registration"),
    path("events/registration/<str:token>/cancel/", views.cancel_registration, name="cancel_registration"),
    path("events/registration/<str:token>/calendar.ics", views.registration_calendar, name="registration_calendar"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/registered/", views.registered, name="registered"),
    path("api/events/", views.api_events, name="api_events"),
]

urlpatterns += [
    path("events/feedback/<str:token>/", views.feedback, name="feedback"),
]

urlpatterns += [
    path(
        "events/registration/<str:token>/certificate.pdf",
        views.registration_certificate,
        name="registration_certificate",
    ),
    path("certificates/", views.certificate_lookup, name="certificate_lookup"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
]
