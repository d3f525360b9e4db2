from django.urls import path

from . import views_public as views

app_name = "rumours_public"

urlpatterns = [
    path("", views.myth_index, name="index"),
    path("tell-us/", views.report, name="report"),
    path("tell-us/thank-you/", views.report_thanks, name="report_thanks"),
    path("<slug:slug>/", views.myth_detail, name="detail"),
]
