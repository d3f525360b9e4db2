from django.contrib import admin

from cohesion.core.admin import AuditedModelAdmin

from .models import Measure, Observation, Priority, Strategy


@admin.register(Strategy)
class StrategyAdmin(AuditedModelAdmin):
    list_display = ("title", "council_name", "starts_on", "ends_on", "is_current")


@admin.register(Priority)
class PriorityAdmin(AuditedModelAdmin):
    list_display = ("number", "title", "strategy", "demo_wording")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Measure)
class MeasureAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "level", "status", "is_published")
    list_filter = ("kind", "level", "status", "is_published")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("priorities",)
    readonly_fields = ("status", "status_reason", "latest_value", "latest_period_end", "latest_low", "latest_high", "assessed_at")


@admin.register(Observation)
class ObservationAdmin(AuditedModelAdmin):
    list_display = ("measure", "ward", "period_label", "value")
    list_filter = ("measure",)
    raw_id_fields = ("measure", "ward", "created_by")
