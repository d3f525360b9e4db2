from django.contrib import admin
from django.urls import include, path

from cohesion.api import views as api_views
from cohesion.api.api import api
from cohesion.core import views as core_views

handler400 = "cohesion.core.views.bad_request"
handler403 = "cohesion.core.views.forbidden"
handler404 = "cohesion.core.views.not_found"

urlpatterns = [
    path("", include("cohesion.strategy.urls_public", namespace="public")),
    path("staff/", include("cohesion.strategy.urls_staff", namespace="staff")),
    path("staff/", include("cohesion.core.urls", namespace="core")),
    path("reports/", include("cohesion.strategy.urls_reports", namespace="reports")),
    path("assemblies/", include("cohesion.assembly.urls_public", namespace="assembly_public")),
    path("staff/assemblies/", include("cohesion.assembly.urls_staff", namespace="assembly_staff")),
    path("workspace/", include("cohesion.assembly.urls_workspace", namespace="assembly_workspace")),
    path("staff/tensions/", include("cohesion.tensions.urls", namespace="tensions")),
    path(
        "consultations/",
        include("cohesion.consultations.urls_public", namespace="consultations_public"),
    ),
    path(
        "staff/consultations/",
        include("cohesion.consultations.urls_staff", namespace="consultations_staff"),
    ),
    path("myth-busters/", include("cohesion.rumours.urls_public", namespace="rumours_public")),
    path("staff/rumours/", include("cohesion.rumours.urls_staff", namespace="rumours_staff")),
    path("accounts/sign-in/", core_views.sign_in, name="login"),
    path("accounts/sign-out/", core_views.sign_out, name="logout"),
    path("api/docs", api_views.docs, name="api_docs"),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
