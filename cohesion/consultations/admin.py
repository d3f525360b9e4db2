"""Platform admins can correct a consultation's settings. Responses and answers are not in the
admin on purpose: they can hold personal details and are read on the officer's audited pages."""

from django.contrib import admin

from cohesion.core.admin import AuditedModelAdmin

from .models import Consultation, Question


@admin.register(Consultation)
class ConsultationAdmin(AuditedModelAdmin):
    list_display = ("title", "opens_on", "closes_on", "published_at", "results_published_at")
    exclude = ("results_pdf",)
    audit_exclude = ("results_pdf",)
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Question)
class QuestionAdmin(AuditedModelAdmin):
    list_display = ("text", "consultation", "kind", "about", "order")
    list_filter = ("kind",)
