"""Tension reports from partners, weekly ward levels, police imports, early-warning alerts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from cohesion.core.models import Organisation, User, Ward


def week_start(day: date) -> date:
    """The Monday of the week a day falls in."""
    return day - timedelta(days=day.weekday())


class Category(models.TextChoices):
    HATE_INCIDENT = "hate_incident", "Hate incident"
    PROTEST = "protest", "Planned protest or gathering"
    ONLINE = "online", "Online tension"
    CONCERN = "concern", "Community concern"
    DAMAGE = "damage", "Damage to a community or faith building"
    RUMOUR = "rumour", "Rumour"
    OTHER = "other", "Other"


class Community(models.TextChoices):
    """The community affected: the protected characteristic (Equality Act 2010), or none."""

    RACE = "race", "Race or ethnicity"
    RELIGION = "religion", "Religion or belief"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    TRANSGENDER = "transgender", "Transgender identity"
    DISABILITY = "disability", "Disability"
    SEX = "sex", "Sex"
    AGE = "age", "Age"
    SEVERAL = "several", "More than one"
    NONE = "none", "No particular community"
    NOT_KNOWN = "not_known", "Not known"


class SourceReliability(models.TextChoices):
    """How reliable the source is (the source grading of the 5x5x5 intelligence model)."""

    RELIABLE = "1", "Reliable: no doubt about the source"
    MOSTLY = "2", "Mostly reliable: usually right"
    SOMETIMES = "3", "Sometimes reliable"
    UNRELIABLE = "4", "Unreliable"
    UNTESTED = "5", "Cannot say: a new or untested source"


class ReporterConfidence(models.TextChoices):
    """How sure the reporter is of what they report (the information grading)."""

    SEEN = "1", "Certain: I saw or heard it myself"
    KNOWN_TO_SOURCE = "2", "Fairly sure: the source saw it, I did not"
    CORROBORATED = "3", "Partly sure: second-hand, but other sources agree"
    CANNOT_JUDGE = "4", "Cannot judge"
    DOUBTFUL = "5", "Doubtful: it may be false"


IMPACT_LABELS = {
    1: "1: very low",
    2: "2: low",
    3: "3: medium",
    4: "4: high",
    5: "5: very high",
}


class TensionReportQuerySet(models.QuerySet["TensionReport"]):
    def not_redacted(self) -> TensionReportQuerySet:
        return self.filter(redacted_at__isnull=True)


class TensionReport(models.Model):
    """Something a partner saw or heard that may raise tension in a ward."""

    class Source(models.TextChoices):
        FORM = "form", "Web form"
        API = "api", "Partner system"
        IMPORT = "import", "Police weekly extract"
        DEMO = "demo", "Demo data"

    summary = models.TextField("What happened", max_length=4000)
    occurred_on = models.DateField("When it happened")
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="tension_reports")
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    community = models.CharField("Community affected", max_length=20, choices=Community.choices)
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    source_reliability = models.CharField(max_length=1, choices=SourceReliability.choices)
    reporter_confidence = models.CharField(max_length=1, choices=ReporterConfidence.choices)
    has_personal_details = models.BooleanField(default=False)
    personal_details = models.TextField(blank=True, max_length=4000)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tension_reports",
    )
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="tension_reports"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    external_ref = models.CharField(
        "Reference in the partner's system", max_length=60, blank=True, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = TensionReportQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        indexes = [models.Index(fields=["occurred_on", "ward", "category"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} in {self.ward} on {self.occurred_on:%d %b %Y}"

    @property
    def week_start(self) -> date:
        return week_start(self.occurred_on)


class WardTensionLevel(models.Model):
    """The officer's assessment of a ward's tension for one week (Monday to Sunday)."""

    class Level(models.IntegerChoices):
        NORMAL = 1, "1: normal"
        RAISED = 2, "2: raised"
        ELEVATED = 3, "3: elevated"
        HIGH = 4, "4: high"
        CRITICAL = 5, "5: critical"

    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="tension_levels")
    week_start = models.DateField("Week starting (Monday)")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.TextField(max_length=2000)
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_start", "ward__name"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "week_start"], name="one_level_per_ward_week")
        ]

    def __str__(self) -> str:
        return f"{self.ward}: level {self.level}, week of {self.week_start:%d %b %Y}"


class ReportImport(models.Model):
    """A police weekly CSV extract uploaded by an officer, and what happened to each row."""

    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.OneToOneField(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="tension_import"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rejections: models.JSONField[Any] = models.JSONField(
        default=list, blank=True, help_text="[{line, reason}]"
    )
    alerts_raised = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%d %b %Y})"


class Alert(models.Model):
    """An early-warning alarm: reports in a ward, a group of wards or the city rose unusually."""

    class Kind(models.TextChoices):
        WARD = "ward", "One ward"
        CLUSTER = "cluster", "Neighbouring wards"
        CITY = "city", "Whole city"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        CLOSED = "closed", "Closed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    wards = models.ManyToManyField(Ward, blank=True, related_name="tension_alerts")
    ward_codes: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    key = models.CharField(
        max_length=400, db_index=True, help_text="kind|ward codes|category: what the alert is about"
    )
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    week_start = models.DateField()
    observed = models.FloatField()
    expected = models.FloatField()
    threshold = models.FloatField()
    p_value = models.FloatField(null=True, blank=True)
    method = models.CharField(max_length=60)
    parameters: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    data_version = models.CharField(max_length=120)
    sentence = models.CharField(max_length=400)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True, max_length=4000)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "-created_at"]

    def __str__(self) -> str:
        return self.sentence[:300]

    @property
    def method_label(self) -> str:
        """The method's plain name for officers (the code stays in ``method``)."""
        from cohesion.tensions.warning import method_label

        return method_label(self.method)


class TensionSettings(models.Model):
    """Settings a platform admin can change: retention and early warning. One row."""

    retention_days = models.PositiveIntegerField(
        default=365,
        help_text="Personal details in reports older than this many days are removed",
        validators=[MinValueValidator(30)],
    )
    alert_alpha = models.FloatField(
        default=0.01,
        help_text="How unusual a count must be to raise an alert (0.01 means 1 in 100)",
        validators=[MinValueValidator(0.0001), MaxValueValidator(0.2)],
    )
    email_officers = models.BooleanField(
        default=True, help_text="Email cohesion officers when there is a new alert"
    )

    class Meta:
        verbose_name = "tension settings"
        verbose_name_plural = "tension settings"

    def __str__(self) -> str:
        return "Tension settings"

    @classmethod
    def current(cls) -> TensionSettings:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)
