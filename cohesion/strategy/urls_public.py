from django.urls import path

from . import views_public as views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("priorities/<slug:slug>/", views.priority_detail, name="priority"),
    path("how-we-are-doing/", views.progress_overview, name="progress"),
    path("measures/<slug:slug>/", views.measure_detail, name="measure"),
    path("measures/<slug:slug>/data.csv", views.measure_csv, name="measure_csv"),
]
