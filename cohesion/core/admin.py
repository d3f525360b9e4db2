from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model
from django.http import HttpRequest

from .audit import audit_record, diff, snapshot
from .models import ApiToken, AuditEvent, Organisation, User, Ward


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin pages goes into the audit log."""

    audit_exclude: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before = {}
        if change and obj.pk:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(old, exclude=self.audit_exclude) if old else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, exclude=self.audit_exclude)
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            obj=obj,
            changes=diff(before, after) if change else after,
            via="admin",
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, changes=snapshot(obj, exclude=self.audit_exclude), via="admin", request=request)  # type: ignore[arg-type]
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=AuditEvent.Action.DELETE, obj=obj, changes=snapshot(obj, exclude=self.audit_exclude), via="admin", request=request)  # type: ignore[arg-type]
        super().delete_queryset(request, queryset)


@admin.register(User)
class CohesionUserAdmin(AuditedModelAdmin, UserAdmin):
    audit_exclude = ("password", "last_login")
    list_display = ("username", "get_full_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "organisation")
    fieldsets = (*UserAdmin.fieldsets, ("Role in Cohesion", {"fields": ("role", "organisation")}))  # type: ignore[misc]
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Role in Cohesion", {"fields": ("role", "organisation")}))


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "type", "in_coalition")
    list_filter = ("type", "in_coalition")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Ward)
class WardAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "population", "boundary_vintage")
    search_fields = ("name", "code")
    exclude = ("boundary",)
    audit_exclude = ("boundary",)
    filter_horizontal = ("neighbours",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_repr", "via")
    list_filter = ("action", "via", "object_type")
    search_fields = ("object_repr", "actor_label")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "secret_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.site_header = "Cohesion admin"
admin.site.site_title = "Cohesion admin"


def _platform_admin_only(request: HttpRequest) -> bool:
    """Only platform admins use the admin pages; officers use the staff pages."""
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "is_platform_admin", False))


admin.site.has_permission = _platform_admin_only  # type: ignore[method-assign]
