from django.urls import path

from . import views_staff as views

app_name = "assembly_staff"

urlpatterns = [
    path("", views.assembly_list, name="list"),
    path("new/", views.assembly_edit, name="create"),
    path("<slug:slug>/", views.assembly_detail, name="detail"),
    path("<slug:slug>/change/", views.assembly_edit, name="edit"),
    path("<slug:slug>/addresses/", views.address_import, name="addresses"),
    path("<slug:slug>/draws/new/", views.draw_new, name="draw_new"),
    path("<slug:slug>/draws/<int:pk>/", views.draw_detail, name="draw_detail"),
    path("<slug:slug>/draws/<int:pk>/letters/", views.letters_start, name="letters_start"),
    path("<slug:slug>/draws/<int:pk>/letters.pdf", views.letters_download, name="letters_download"),
    path("<slug:slug>/draws/<int:pk>/addresses-and-codes.csv", views.codes_csv, name="codes_csv"),
    path("<slug:slug>/questions/", views.question_list, name="questions"),
    path("<slug:slug>/questions/add/", views.question_edit, name="question_add"),
    path("<slug:slug>/questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("<slug:slug>/questions/<int:pk>/delete/", views.question_delete, name="question_delete"),
    path("<slug:slug>/volunteers/", views.volunteer_list, name="volunteers"),
    path("<slug:slug>/volunteers/paper-form/", views.volunteer_paper, name="volunteer_paper"),
    path("<slug:slug>/volunteers/<int:pk>/withdraw/", views.volunteer_withdraw, name="volunteer_withdraw"),
    path("<slug:slug>/quotas/", views.quotas, name="quotas"),
    path("<slug:slug>/quotas/relax/", views.quotas_relax, name="quotas_relax"),
    path("<slug:slug>/selection/new/", views.run_new, name="run_new"),
    path("<slug:slug>/selection/<int:pk>/", views.run_detail, name="run_detail"),
    path("<slug:slug>/selection/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("<slug:slug>/selection/<int:pk>/draw/", views.run_draw, name="run_draw"),
]
