from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    path("welcome-back/", views.after_sign_in, name="after_sign_in"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/status.json", views.job_status, name="job_status"),
]
