"""Consultations: questions, residents' answers, themes in free text, and what the council did."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import Job, User, Ward
from cohesion.strategy.models import Measure

# The "about you" questions a consultation can ask, and the usual answers (officers can change them).
ABOUT_YOU: dict[str, tuple[str, list[str]]] = {
    "ward": ("Which ward do you live in?", []),
    "age_band": (
        "How old are you?",
        ["16 to 24", "25 to 34", "35 to 49", "50 to 64", "65 or over"],
    ),
    "gender": ("What is your gender?", ["Woman", "Man", "In another way"]),
    "ethnicity": (
        "What is your ethnic group?",
        [
            "White",
            "Asian or Asian British",
            "Black, Black British, Caribbean or African",
            "Mixed or multiple ethnic groups",
            "Other ethnic group",
        ],
    ),
    "disability": ("Are you disabled, or do you have a long-term health condition?", ["Yes", "No"]),
    "faith": (
        "What is your religion or belief?",
        ["No religion", "Christian", "Muslim", "Sikh", "Hindu", "Other religion or belief"],
    ),
}
ABOUT_YOU_CHOICES = [(key, key.replace("_", " ").capitalize()) for key in ABOUT_YOU]
PREFER_NOT_TO_SAY = "Prefer not to say"


class Consultation(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(help_text="What the consultation is about, in plain English")
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="Answers are taken until the end of this day")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When it went live for residents"
    )
    census_margins: models.JSONField[Any] = models.JSONField(
        default=dict, blank=True, help_text="About-you key -> {category: population count}"
    )
    weight_by: models.JSONField[Any] = models.JSONField(
        default=list, blank=True, help_text="About-you keys used for weighting"
    )
    you_said = models.TextField("What you said (summary)", blank=True)
    what_changed = models.TextField("What we did", blank=True)
    pii_confirmed_at = models.DateTimeField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    results_pdf = models.BinaryField(null=True, blank=True, editable=False)
    results_pdf_made_at = models.DateTimeField(null=True, blank=True)
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations_public:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def is_open(self, now: Any = None) -> bool:
        today = timezone.localdate(now) if now is not None else timezone.localdate()
        return self.is_published and self.opens_on <= today <= self.closes_on

    @property
    def status_label(self) -> str:
        if not self.is_published:
            return "Draft"
        today = timezone.localdate()
        if today < self.opens_on:
            return "Not open yet"
        if today <= self.closes_on:
            return "Open"
        return "Results published" if self.results_published_at else "Closed"


class Document(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="consultations/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Choose one answer"
        MULTIPLE = "multiple", "Choose any answers that apply"
        SCALE = "scale", "Agree or disagree scale"
        TEXT = "text", "Free text"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    about = models.CharField(
        "about-you question",
        max_length=20,
        blank=True,
        choices=ABOUT_YOU_CHOICES,
        help_text="Empty for a question about the proposals",
    )
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    options: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    stance_question = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For free text: the closed question whose answer says whether the person agreed",
    )
    council_response = models.TextField("The council's response", blank=True)
    code_frame: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    measure_options: models.JSONField[Any] = models.JSONField(
        default=list,
        blank=True,
        help_text="Answers counted as 'yes' when this question feeds a measure",
    )

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.TEXT

    @property
    def is_about_you(self) -> bool:
        return bool(self.about)


SCALE_OPTIONS = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
]
AGREE = {"Strongly agree", "Agree"}
DISAGREE = {"Disagree", "Strongly disagree"}


class Response(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper form"
        EMAIL = "email", "Email"
        IMPORT = "import", "Imported"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="responses"
    )
    reference = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    source_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="The paper form number or the other tool's response ID",
    )
    resume_code_hash = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    weight = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "channel", "source_reference"],
                condition=~models.Q(source_reference=""),
                name="consultation_response_source_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Response {self.reference}"


class Answer(models.Model):
    class Stance(models.TextChoices):
        AGREE = "agree", "Agreed"
        DISAGREE = "disagree", "Disagreed"
        UNCLEAR = "unclear", "Unclear"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    redacted_text = models.TextField(blank=True)
    pii_kinds: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, blank=True)
    stance_label = models.CharField(
        max_length=10,
        choices=Stance.choices,
        blank=True,
        help_text="Set by an officer to train the classifier",
    )
    quotable = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"

    @property
    def public_text(self) -> str:
        return self.redacted_text or self.text


class ResponseImport(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.TextField(blank=True)
    encoding_note = models.CharField(max_length=300, blank=True)
    job = models.OneToOneField(
        Job, null=True, on_delete=models.SET_NULL, related_name="response_import"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_saved = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rejections: models.JSONField[Any] = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%d %b %Y})"


class ThemeAnalysis(models.Model):
    """The latest theme analysis of one free-text question."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="analysis")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mode = models.CharField(max_length=10, default="auto", help_text="auto or frame")
    parameters: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Themes for {self.question}"


class Theme(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    label = models.CharField(max_length=120)
    keywords: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    representatives: models.JSONField[Any] = models.JSONField(
        default=list, blank=True
    )  # answer ids
    answers = models.ManyToManyField(Answer, related_name="themes", blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label
