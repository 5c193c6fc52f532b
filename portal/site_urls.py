from django.urls import path

from . import feeds, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("news/", views.news_list, name="news_list"),
    path("news/feed/", feeds.LatestNewsFeed(), name="news_feed"),
    path("news/<slug:slug>/", views.news_detail, name="news_detail"),
]
