from django.urls import path

from . import views

app_name = "tensions"

urlpatterns = [
    path("", views.index, name="index"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("import/", views.import_new, name="import_new"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/run/", views.alert_run, name="alert_run"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/action/", views.alert_action, name="alert_action"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert_close"),
    path("levels/", views.level_matrix, name="level_matrix"),
    path("levels/set/", views.level_set, name="level_set"),
    path("levels/week/", views.level_week, name="level_week"),
    path("map/", views.ward_map, name="ward_map"),
    path("wards/<str:code>/", views.ward_detail, name="ward_detail"),
    path("briefing/", views.briefing, name="briefing"),
    path("briefing/pdf/", views.briefing_pdf, name="briefing_pdf"),
]
