from django.urls import path

from . import views_public as views

app_name = "assembly_public"

urlpatterns = [
    path("", views.assembly_index, name="index"),
    path("verify.py", views.verify_script, name="verify_script"),
    path("<slug:slug>/", views.assembly_detail, name="detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/register/your-details/", views.register_details, name="register_details"),
    path("<slug:slug>/register/done/", views.register_done, name="register_done"),
    path("<slug:slug>/selection/", views.selection, name="selection"),
    path("<slug:slug>/selection/lottery.json", views.lottery_file, name="lottery_file"),
    path("<slug:slug>/selection/probabilities.csv", views.probabilities_csv, name="probabilities_csv"),
]
