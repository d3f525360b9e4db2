"""The strategy: its vision, priorities, measures and the observations that track them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cohesion.core.models import Organisation, User, Ward

from . import progress

KIND_CHOICES = [
    ("percentage", "Survey percentage"),
    ("rate", "Rate (per so many people)"),
    ("count", "Count"),
    ("value", "Other number"),
]
DIRECTION_CHOICES = [("increase", "Higher is better"), ("decrease", "Lower is better")]
STATUS_CHOICES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("off_track", "Off track"),
    ("not_enough_data", "Not enough data"),
]


class Strategy(models.Model):
    title = models.CharField(max_length=200)
    council_name = models.CharField(max_length=200)
    vision = models.TextField()
    introduction = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    approved_on = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_strategy"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Priority(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField(help_text="The order priorities are shown in")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(help_text="One or two plain-English sentences")
    description = models.TextField(blank=True)
    demo_wording = models.BooleanField(
        default=False, help_text="Wording made up for the demo, not taken from the real strategy"
    )

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="unique_priority_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("public:priority", kwargs={"slug": self.slug})


class MeasureQuerySet(models.QuerySet["Measure"]):
    def published(self) -> MeasureQuerySet:
        return self.filter(is_published=True)


class Measure(models.Model):
    Kind = progress.Kind
    Direction = progress.Direction
    Status = progress.Status

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Every three months"
        ANNUAL = "annual", "Every year"

    class Level(models.TextChoices):
        CITY = "city", "Whole city"
        WARD = "ward", "City and each ward"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    definition = models.TextField(help_text="Exactly what is counted, in plain English")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    unit = models.CharField(max_length=40, blank=True, help_text='For example "%" or "per 1,000 residents"')
    rate_per = models.PositiveIntegerField(default=1000, help_text="For rates: per how many people")
    source = models.CharField(max_length=300)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    direction = models.CharField(max_length=10, choices=DIRECTION_CHOICES)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.CITY)
    baseline_value = models.FloatField()
    baseline_date = models.DateField()
    baseline_note = models.CharField(max_length=300, blank=True)
    target_value = models.FloatField()
    target_date = models.DateField()
    priorities = models.ManyToManyField(Priority, related_name="measures", blank=True)
    data_owner = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
        help_text="A partner organisation whose systems may send figures for this measure",
    )
    is_published = models.BooleanField(default=True)
    demo_data = models.BooleanField(default=False, help_text="Figures made up for the demo")
    # The latest assessment, kept up to date by services whenever observations change, so that
    # the public pages never recompute a thousand measures on every request.
    status = models.CharField(
        max_length=20,
        choices=STATUS_CHOICES,
        default="not_enough_data",
    )
    status_reason = models.TextField(blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    latest_period_end = models.DateField(null=True, blank=True)
    latest_low = models.FloatField(null=True, blank=True)
    latest_high = models.FloatField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["is_published", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:measure", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.target_date and self.baseline_date and self.target_date <= self.baseline_date:
            errors["target_date"] = "Enter a target date after the baseline date"
        if self.kind == "percentage":
            for field in ("baseline_value", "target_value"):
                value = getattr(self, field)
                if value is not None and not 0 <= value <= 100:
                    errors[field] = "Enter a percentage between 0 and 100"
        if errors:
            raise ValidationError(errors)

    @property
    def spec(self) -> progress.MeasureSpec:
        return progress.MeasureSpec(
            kind=progress.Kind(self.kind),
            direction=progress.Direction(self.direction),
            baseline_value=self.baseline_value,
            baseline_date=self.baseline_date,
            target_value=self.target_value,
            target_date=self.target_date,
            rate_per=float(self.rate_per),
            unit=self.unit,
        )

    @property
    def status_label(self) -> str:
        return dict(STATUS_CHOICES)[self.status]

    @property
    def status_css(self) -> str:
        """The status as a CSS modifier: on-track, at-risk, off-track, not-enough-data."""
        return self.status.replace("_", "-")

    @property
    def latest_value_display(self) -> str:
        return self.format(self.latest_value)

    @property
    def baseline_display(self) -> str:
        return self.format(self.baseline_value)

    @property
    def target_display(self) -> str:
        return self.format(self.target_value)

    def format_short(self, value: float | None) -> str:
        """The number alone (with % for percentages), for tables whose caption gives the unit."""
        if value is None:
            return ""
        return progress.format_value(value=value, unit="%" if self.unit == "%" else "")

    @property
    def format_short_baseline(self) -> str:
        return self.format_short(self.baseline_value)

    @property
    def unit_caption(self) -> str:
        return f" ({self.unit})" if self.unit and self.unit != "%" else ""

    def format(self, value: float | None) -> str:
        if value is None:
            return ""
        return progress.format_value(value=value, unit=self.unit)


class ObservationQuerySet(models.QuerySet["Observation"]):
    def city(self) -> ObservationQuerySet:
        return self.filter(ward__isnull=True)

    def wards(self) -> ObservationQuerySet:
        return self.filter(ward__isnull=False)


class Observation(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty for the whole city"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=20)
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["measure", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period_end"],
                condition=Q(ward__isnull=True),
                name="unique_city_observation_per_period",
            ),
            models.UniqueConstraint(
                fields=["measure", "ward", "period_end"],
                condition=Q(ward__isnull=False),
                name="unique_ward_observation_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="observation_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["measure", "ward", "period_end"])]

    def __str__(self) -> str:
        where = self.ward.name if self.ward_id and self.ward else "City"
        return f"{self.measure} – {where} – {self.period_label}"

    @property
    def point(self) -> progress.Point:
        return progress.Point(
            period_end=self.period_end,
            value=self.value,
            numerator=self.numerator,
            denominator=self.denominator,
            sample_size=self.sample_size,
        )


class ObservationImport(models.Model):
    """A CSV file of observations uploaded by an officer, and what happened to each row."""

    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.OneToOneField(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="observation_import"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rejections = models.JSONField(default=list, blank=True, help_text="[{line, reason}]")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%d %b %Y})"


class ProgressReport(models.Model):
    """A PDF progress report made for cabinet, kept so it can be downloaded again."""

    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(max_length=200)
    pdf = models.BinaryField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title
