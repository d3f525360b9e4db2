from django.urls import path

from . import views_staff as views

app_name = "consultations_staff"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_create, name="create"),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/change/", views.consultation_edit, name="edit"),
    path("<slug:slug>/questions/add/", views.question_edit, name="question_add"),
    path("<slug:slug>/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("<slug:slug>/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<slug:slug>/about-you/", views.about_you, name="about_you"),
    path("<slug:slug>/documents/", views.documents, name="documents"),
    path("<slug:slug>/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/responses/", views.response_list, name="responses"),
    path("<slug:slug>/responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("<slug:slug>/responses/paper/", views.response_paper, name="response_paper"),
    path("<slug:slug>/import/", views.import_new, name="import_new"),
    path("<slug:slug>/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("<slug:slug>/census/", views.census, name="census"),
    path("<slug:slug>/analysis/", views.analysis, name="analysis"),
    path("<slug:slug>/questions/<int:pk>/themes/", views.themes, name="themes"),
    path("<slug:slug>/questions/<int:pk>/agree-disagree/", views.stance_examples, name="stance"),
    path("<slug:slug>/personal-details/", views.personal_details, name="personal_details"),
    path("<slug:slug>/council-response/", views.council_response, name="council_response"),
    path("<slug:slug>/publish-results/", views.results_publish, name="results_publish"),
    path("<slug:slug>/measure/", views.measure_feed, name="measure_feed"),
    path("<slug:slug>/report/", views.report_start, name="report_start"),
    path("<slug:slug>/report.pdf", views.report_download, name="report_download"),
]
