from django.urls import path

from . import views_staff as views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("strategy/", views.strategy_edit, name="strategy_edit"),
    path("priorities/", views.priority_list, name="priority_list"),
    path("priorities/add/", views.priority_edit, name="priority_add"),
    path("priorities/<int:pk>/", views.priority_edit, name="priority_edit"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/add/", views.measure_edit, name="measure_add"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/figures/", views.measure_observations, name="measure_observations"),
    path("figures/<int:pk>/delete/", views.observation_delete, name="observation_delete"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
]
