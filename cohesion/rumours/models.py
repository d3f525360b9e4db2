"""The rumour desk: claims, the sightings that report them, rebuttals (myth-busters) and alerts.

A *sighting* is one report of a rumour: what someone heard, where, on which channel and when. It
arrives without a claim (waiting for an officer); an officer then confirms it is the same as a claim
already on file, or files it as a new *claim*. Nothing is joined to a claim without a person
confirming it. A claim's *rebuttal* is published as a public myth-buster page.

Personal data (names of people accused, screenshots, reporters' contact details) lives only on
sightings, is shown to officers only, and is blanked after the retention period.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import Organisation, User, Ward
from cohesion.text.language import MATCHED_LANGUAGES, guess_language
from cohesion.text.language import language_name as name_of_language


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    FACEBOOK = "facebook", "Facebook"
    TIKTOK = "tiktok", "TikTok"
    X = "x", "X (Twitter)"
    WORD_OF_MOUTH = "word_of_mouth", "Word of mouth"
    LEAFLET = "leaflet", "Leaflet or poster"
    OTHER = "other", "Somewhere else"


class Reach(models.IntegerChoices):
    """How widely the rumour seemed to be going round where it was seen."""

    FEW = 1, "A few people"
    GROUP = 2, "A group or a street"
    MANY = 3, "Many people (shared a lot)"
    EVERYWHERE = 4, "Everywhere (thousands of shares or views)"


class Harm(models.IntegerChoices):
    LOW = 1, "Low: unlikely to hurt anyone"
    MEDIUM = 2, "Medium: could make people distrust or fear each other"
    HIGH = 3, "High: could lead to threats, hate or disorder"


class Claim(models.Model):
    """One thing that is being said, however it is worded."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSESSING = "assessing", "Assessing"
        RESPONDING = "responding", "Responding"
        REBUTTED = "rebutted", "Rebutted"
        CLOSED = "closed", "Closed"

    title = models.CharField(
        max_length=200,
        help_text="A short name for the claim, for example “Migrants pushed up rents”",
    )
    text = models.TextField(
        max_length=2000, help_text="What is being said, in one or two neutral sentences"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="rumour_claims"
    )
    harm = models.PositiveSmallIntegerField(choices=Harm.choices, default=Harm.MEDIUM)
    evidence = models.TextField(
        blank=True, max_length=20000, help_text="What we have found out (officers only)"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when an officer found this claim says the same as another one and merged it there: its
    # sightings (and myth-buster) moved to that claim, and it is closed and no longer suggested.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_claims"
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rumours_staff:claim", kwargs={"pk": self.pk})

    @property
    def index_key(self) -> str:
        return f"claim:{self.pk}"

    @property
    def index_text(self) -> str:
        return f"{self.title}. {self.text}"


class Sighting(models.Model):
    """One report of a rumour. Without a claim it is waiting for an officer to look at it."""

    class Source(models.TextChoices):
        STAFF = "staff", "Officer or partner"
        PUBLIC = "public", "Resident (public form)"
        API = "api", "Partner system (API)"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for an officer"
        MATCHED = "matched", "Part of a claim"
        DISMISSED = "dismissed", "Not a rumour (set aside)"

    text = models.TextField("what is being said", max_length=5000)
    language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        editable=False,
        help_text="The language the words seem to be in (ISO 639-1), guessed whenever they are "
        "saved; empty when the computer is not sure",
    )
    language_checked = models.BooleanField(
        default=False,
        editable=False,
        help_text="An officer has said which language the words are in (otherwise it is the "
        "computer's guess)",
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="rumour_sightings"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    seen_on = models.DateField("when it was seen", db_index=True)
    reach = models.PositiveSmallIntegerField(choices=Reach.choices, default=Reach.FEW)
    link = models.URLField(max_length=1000, blank=True)
    screenshot = models.FileField(
        upload_to="rumours/screenshots/%Y/%m/", blank=True, max_length=200
    )
    screenshot_type = models.CharField(max_length=40, blank=True)
    # The screenshot's perceptual fingerprint (rumours/pictures.py), to find the same picture
    # sent with other reports. Blanked with the screenshot.
    picture_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Personal data: officers only, blanked after the retention period.
    people_named = models.TextField(
        "people named or accused",
        blank=True,
        max_length=2000,
        help_text="Names of people the rumour is about (officers only)",
    )
    reporter_name = models.CharField(max_length=200, blank=True)
    reporter_contact = models.CharField(
        max_length=200, blank=True, help_text="An email address or phone number"
    )
    # Where it came from and what happened to it.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="rumour_sightings"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fingerprint = models.CharField(
        max_length=64, db_index=True, help_text="Spots the same report sent twice"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.WAITING, db_index=True
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="sightings"
    )
    match_score = models.FloatField(
        null=True, blank=True, help_text="The suggestion's score when an officer confirmed it"
    )
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    redacted_at = models.DateTimeField(null=True, blank=True)
    # The claim a waiting report matched best when the computer last looked (a suggestion for
    # grouping the desk, never a decision), kept so that the desk can group and filter every
    # waiting report by it without matching them all on each view. Worked out when the report
    # comes in, again when claims change (services.sightings_suggest) and for each desk page.
    suggested_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    suggested_score = models.FloatField(null=True, blank=True, editable=False)
    suggested_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-seen_on", "-pk"]
        indexes = [
            models.Index(fields=["claim", "seen_on"]),
            models.Index(fields=["ward", "seen_on"]),
            models.Index(fields=["state", "suggested_claim"]),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.text[:60]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The language is guessed from the words whenever they are saved (under 1 ms), so that
        # pages listing many reports can mark each report's words with it at no cost.
        # New words are guessed again, even where an officer had set the language of the old.
        update_fields = kwargs.get("update_fields")
        words_saved = update_fields is None or "text" in update_fields
        if words_saved and update_fields is None and self.language_checked and self.pk:
            # A full save (the admin's) keeps the officer's choice if the words are unchanged.
            words_saved = not type(self).objects.filter(pk=self.pk, text=self.text).exists()
        if words_saved:
            self.language = guess_language(self.text) or ""
            self.language_checked = False
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "language", "language_checked"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("rumours_staff:report", kwargs={"pk": self.pk})

    @property
    def index_key(self) -> str:
        return f"sighting:{self.pk}"

    @property
    def index_text(self) -> str:
        return self.text

    @property
    def has_personal_data(self) -> bool:
        return bool(
            self.people_named or self.reporter_name or self.reporter_contact or self.screenshot
        )

    @property
    def other_language(self) -> str:
        """The guessed language when it is not English ("" otherwise): pages mark the report's
        words with it."""
        return self.language if self.language != "en" else ""

    @property
    def decision_key(self) -> str:
        """The officer's decision as a page shows it ("matched:12", "dismissed:"), so that an
        undo sent from a stale page can be recognised."""
        return f"{self.state}:{self.claim_id or ''}"

    @property
    def language_name(self) -> str:
        return name_of_language(self.language or None)

    @property
    def language_matched(self) -> bool:
        """Can the matching read this report's language? (True when the language is unknown.)"""
        return not self.language or self.language in MATCHED_LANGUAGES


class Rebuttal(models.Model):
    """The answer to a claim, published as a myth-buster page. Never holds personal data."""

    class Verdict(models.TextChoices):
        FALSE = "false", "False"
        MISLEADING = "misleading", "Misleading"
        MISSING_CONTEXT = "missing_context", "Missing context"
        TRUE = "true", "True"

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="rebuttal")
    slug = models.SlugField(max_length=120, unique=True)
    headline = models.CharField(
        max_length=200,
        help_text="The page title, for example “No, migrants did not push up rents in Stoke”",
    )
    what_is_said = models.TextField(
        max_length=2000, help_text="The claim in neutral words. Do not name anyone"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices, default=Verdict.FALSE)
    the_facts = models.TextField(max_length=10000, help_text="What is true, in plain English")
    where_from = models.TextField("where this comes from", max_length=5000, blank=True)
    sources = models.TextField(
        blank=True,
        max_length=5000,
        help_text="One source on each line: a title, then a space and its web address",
    )
    author = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return reverse("rumours_public:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def index_key(self) -> str:
        return f"rebuttal:{self.pk}"

    @property
    def index_text(self) -> str:
        return f"{self.what_is_said} {self.headline}"

    def source_list(self) -> list[dict[str, str]]:
        """The sources as {"title", "url"}; a line without a web address is a title alone."""
        out = []
        for line in self.sources.splitlines():
            line = line.strip()
            if not line:
                continue
            title, _, last = line.rpartition(" ")
            if last.startswith(("https://", "http://")):
                out.append({"title": title.strip() or last, "url": last})
            else:
                out.append({"title": line, "url": ""})
        return out


class Alert(models.Model):
    """A sudden rise in sightings of a claim, or of rumours in a ward."""

    class Kind(models.TextChoices):
        CLAIM = "claim", "Claim"
        WARD = "ward", "Ward"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="rumour_alerts"
    )
    window_end = models.DateField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    p_value = models.FloatField()
    message = models.CharField(max_length=400)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return self.message
