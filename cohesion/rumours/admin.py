"""Admin pages for the rumour desk (platform admins only; officers use the desk's own pages).

Personal data on reports (names, contact details, screenshots) is read-only here and kept out of
the audit log's change records.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from cohesion.core.admin import AuditedModelAdmin

from .models import Alert, Claim, Rebuttal, Sighting


@admin.register(Claim)
class ClaimAdmin(AuditedModelAdmin):
    list_display = ("title", "status", "owner", "harm", "updated_at")
    list_filter = ("status", "harm")
    search_fields = ("title", "text")
    audit_exclude = ("evidence",)
    exclude = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]  # the matching index catches up
        super().save_model(request, obj, form, change)


@admin.register(Sighting)
class SightingAdmin(AuditedModelAdmin):
    list_display = ("pk", "seen_on", "ward", "channel", "state", "source", "claim", "redacted_at")
    list_filter = ("state", "channel", "source")
    audit_exclude = (
        "people_named",
        "reporter_name",
        "reporter_contact",
        "screenshot",
        "screenshot_type",
    )
    readonly_fields = (
        "people_named",
        "reporter_name",
        "reporter_contact",
        "screenshot",
        "screenshot_type",
        "fingerprint",
        "created_at",
        "redacted_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come through the log form, the public form or the API


@admin.register(Rebuttal)
class RebuttalAdmin(AuditedModelAdmin):
    list_display = ("headline", "verdict", "published_at")
    search_fields = ("headline", "what_is_said")
    exclude = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()  # type: ignore[attr-defined]  # the matching index catches up
        super().save_model(request, obj, form, change)


@admin.register(Alert)
class AlertAdmin(AuditedModelAdmin):
    list_display = ("message", "kind", "window_end", "acknowledged_at")
    list_filter = ("kind",)
