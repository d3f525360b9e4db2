"""Places, organisations, people and roles, the audit log, API tokens and background jobs."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Ward(models.Model):
    """An electoral ward (or other small area) identified by its ONS GSS code."""

    code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=120)
    population = models.PositiveIntegerField(null=True, blank=True)
    boundary = models.JSONField("boundary (GeoJSON geometry)", null=True, blank=True)
    boundary_vintage = models.CharField(max_length=60, blank=True)
    neighbours = models.ManyToManyField("self", symmetrical=True, blank=True)
    in_use = models.BooleanField(
        default=True,
        help_text="No once new ward boundaries replaced this ward; its records are kept",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Type(models.TextChoices):
        COUNCIL = "council", "Council"
        POLICE = "police", "Police"
        FIRE = "fire", "Fire and rescue service"
        NHS = "nhs", "NHS and health"
        SCHOOL = "school", "School"
        COLLEGE = "college", "College or university"
        FOOTBALL_CLUB = "football_club", "Football club"
        MEDIA = "media", "Media"
        FAITH = "faith", "Faith group"
        VOLUNTARY = "voluntary", "Voluntary sector"
        COMMUNITY_GROUP = "community_group", "Community group"
        HOUSING = "housing", "Housing provider"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    type = models.CharField(max_length=30, choices=Type.choices)
    website = models.URLField(blank=True)
    in_coalition = models.BooleanField("member of the coalition", default=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    PARTNER = "partner", "Partner"
    ASSEMBLY_MEMBER = "assembly_member", "Assembly member"
    FACILITATOR = "facilitator", "Assembly facilitator"
    COUNCILLOR = "councillor", "Councillor"
    OFFICER = "officer", "Cohesion officer"
    ADMIN = "admin", "Platform admin"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESIDENT)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.role in roles or self.role == Role.ADMIN)

    @property
    def is_officer(self) -> bool:
        return self.has_role(Role.OFFICER)

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN


class AuditEvent(models.Model):
    """Who did what to which record, and when. Rows are only ever added."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        VIEW = "view", "Viewed"
        IMPORT = "import", "Imported"
        EXPORT = "export", "Exported"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    via = models.CharField(max_length=20, blank=True, help_text="web, api, admin, task or command")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A token a partner system uses for the API. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What system uses this token")
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Job(models.Model):
    """A long-running piece of work (import, report) and how far it has got."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
