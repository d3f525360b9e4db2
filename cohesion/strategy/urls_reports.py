from django.urls import path

from . import views_reports as views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("progress/", views.report_html, name="progress_html"),
    path("progress/pdf/", views.report_pdf_start, name="progress_pdf"),
    path("<int:pk>/download/", views.report_download, name="download"),
]
