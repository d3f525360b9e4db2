from django.urls import path

from . import views_staff as views

app_name = "rumours_staff"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("log/", views.log, name="log"),
    path("suggestions.json", views.suggest, name="suggest"),
    path("reports/decide/", views.reports_decide, name="reports_decide"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/new-claim/", views.report_new_claim, name="report_new_claim"),
    path("reports/<int:pk>/set-aside/", views.report_dismiss, name="report_dismiss"),
    path("reports/<int:pk>/put-back/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/language/", views.report_language, name="report_language"),
    path("reports/<int:pk>/screenshot/", views.report_screenshot, name="report_screenshot"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("claims/<int:pk>/edit/", views.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/merge/", views.claim_merge, name="claim_merge"),
    path("claims/<int:pk>/myth-buster/", views.rebuttal_edit, name="rebuttal_edit"),
    path("claims/<int:pk>/myth-buster/publish/", views.rebuttal_publish, name="rebuttal_publish"),
    path(
        "claims/<int:pk>/myth-buster/withdraw/", views.rebuttal_withdraw, name="rebuttal_withdraw"
    ),
    path("alerts/<int:pk>/seen/", views.alert_acknowledge, name="alert_acknowledge"),
]
