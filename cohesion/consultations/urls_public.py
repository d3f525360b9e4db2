from django.urls import path

from . import views_public as views

app_name = "consultations_public"

urlpatterns = [
    path("", views.consultation_list, name="index"),
    path("<slug:slug>/", views.consultation_detail, name="detail"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document"),
    path("<slug:slug>/start/", views.answer_start, name="start"),
    path("<slug:slug>/questions/<int:number>/", views.answer_question, name="question"),
    path("<slug:slug>/check-your-answers/", views.answer_check, name="check"),
    path("<slug:slug>/saved/", views.answer_saved, name="saved"),
    path("<slug:slug>/continue/", views.answer_resume, name="resume"),
    path("<slug:slug>/sent/", views.answer_sent, name="sent"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.csv", views.results_csv, name="results_csv"),
    path("<slug:slug>/results.json", views.results_json, name="results_json"),
]
