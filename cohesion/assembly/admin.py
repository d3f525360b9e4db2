"""Admin pages for the civic lottery (platform admins only; officers use the staff pages).

Personal data (volunteers' contact details) is shown read-only and kept out of the audit log's
change records; lottery files and letters are left out of the forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cohesion.core.admin import AuditedModelAdmin

from .models import Address, Assembly, InvitationDraw, Question, Quota, SelectionRun, Volunteer


@admin.register(Assembly)
class AssemblyAdmin(AuditedModelAdmin):
    list_display = ("name", "stage", "panel_size", "ends_on", "contact_retention_days")
    list_filter = ("stage",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Address)
class AddressAdmin(AuditedModelAdmin):
    list_display = ("uprn", "address", "postcode", "ward", "assembly")
    list_filter = ("assembly",)
    search_fields = ("uprn", "address", "postcode")
    raw_id_fields = ("ward",)


@admin.register(InvitationDraw)
class InvitationDrawAdmin(AuditedModelAdmin):
    list_display = ("__str__", "assembly", "seed", "invitations_requested", "drawn_by")
    exclude = ("letters_pdf",)
    audit_exclude = ("letters_pdf",)
    readonly_fields = ("seed", "invitations_requested", "deprivation_boost", "record", "drawn_at", "drawn_by", "letters_made_at", "letters_job")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # draws are made on the staff pages, where they are recorded in full


@admin.register(Question)
class QuestionAdmin(AuditedModelAdmin):
    list_display = ("label", "key", "assembly", "order")
    list_filter = ("assembly",)


@admin.register(Quota)
class QuotaAdmin(AuditedModelAdmin):
    list_display = ("assembly", "category", "value", "min", "max", "population_share")
    list_filter = ("assembly", "category")


@admin.register(Volunteer)
class VolunteerAdmin(AuditedModelAdmin):
    list_display = ("label", "assembly", "status", "created_at", "contact_deleted_at")
    list_filter = ("assembly", "status")
    search_fields = ("label",)
    audit_exclude = ("full_name", "email", "phone", "answers")
    readonly_fields = ("label", "invitation", "full_name", "email", "phone", "answers", "consent_at", "entered_by", "created_at", "contact_deleted_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # volunteers sign up with a code, or an officer types a paper form


@admin.register(SelectionRun)
class SelectionRunAdmin(AuditedModelAdmin):
    list_display = ("__str__", "assembly", "fingerprint_published_at", "drawn_panel")
    exclude = ("lottery_file", "record", "marginals")
    audit_exclude = ("lottery_file", "record", "marginals")
    readonly_fields = ("method", "lottery_size", "job", "started_by", "fingerprint", "fingerprint_published_at", "public_random", "drawn_panel", "drawn_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a published lottery must never change
