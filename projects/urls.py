from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/criteria/", views.criteria, name="criteria"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("projects.csv", views.projects_csv, name="projects_csv"),
    path("api/projects/", views.api_projects, name="api_projects"),
]
