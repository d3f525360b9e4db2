from django.contrib import admin

from cohesion.core.admin import AuditedModelAdmin

from .models import Alert, TensionSettings, WardTensionLevel


@admin.register(TensionSettings)
class TensionSettingsAdmin(AuditedModelAdmin):
    list_display = ["__str__", "retention_days", "alert_alpha", "email_officers"]


@admin.register(WardTensionLevel)
class WardTensionLevelAdmin(AuditedModelAdmin):
    list_display = ["ward", "week_start", "level"]
    list_filter = ["level"]


@admin.register(Alert)
class AlertAdmin(AuditedModelAdmin):
    list_display = ["sentence", "week_start", "status"]
    list_filter = ["status", "kind"]
    readonly_fields = ["data_version", "method", "parameters"]
