"""The Citizens' Assembly: the civic lottery that chooses its members, and its workspace."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cohesion.core.models import Job, User, Ward
from cohesion.strategy.models import Measure


class Assembly(models.Model):
    class Stage(models.TextChoices):
        PLANNING = "planning", "Planning"
        INVITING = "inviting", "Sending invitations"
        REGISTERING = "registering", "Taking registrations"
        SELECTING = "selecting", "Choosing the members"
        MEETING = "meeting", "Meeting"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(help_text="What the assembly is for, in plain English")
    panel_size = models.PositiveSmallIntegerField(default=45)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNING)
    registration_closes_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, help_text="When the assembly's work ends")
    contact_retention_days = models.PositiveIntegerField(
        default=90, help_text="Days after the end date when volunteers' contact details are deleted"
    )
    response_measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A strategy measure fed by the share of recommendations the council has carried out",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "assemblies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assembly_public:detail", kwargs={"slug": self.slug})


class Address(models.Model):
    """A home address the invitation lottery can draw (from the council's address list)."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="addresses")
    uprn = models.CharField("unique property reference", max_length=20)
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uprn"]
        constraints = [models.UniqueConstraint(fields=["assembly", "uprn"], name="unique_address_per_assembly")]
        indexes = [models.Index(fields=["assembly", "ward"])]

    def __str__(self) -> str:
        return f"{self.address}, {self.postcode}"


class InvitationDraw(models.Model):
    """One seeded draw of invitation addresses, with everything needed to repeat it."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="draws")
    seed = models.BigIntegerField()
    invitations_requested = models.PositiveIntegerField()
    deprivation_boost = models.FloatField(default=1.0, help_text="1 means no boost; 1.5 means half as many again")
    boosted_wards = models.ManyToManyField(Ward, blank=True, related_name="+")
    record: models.JSONField[Any] = models.JSONField(default=dict, help_text="Inputs, seed, versions and the result")
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    letters_pdf = models.BinaryField(null=True, blank=True, help_text="The letters (PDF mail merge)")
    letters_made_at = models.DateTimeField(null=True, blank=True)
    letters_job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation_letters")

    class Meta:
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"Draw of {self.invitations_requested} addresses ({self.drawn_at:%d %b %Y})"


class Invitation(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    draw = models.ForeignKey(InvitationDraw, on_delete=models.CASCADE, related_name="invitations")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(max_length=12, unique=True, help_text="Printed on the letter")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["assembly", "address"], name="one_invitation_per_address")]

    def __str__(self) -> str:
        return self.code


class Question(models.Model):
    """An 'about you' question volunteers answer; its answers are the categories for quotas."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40, help_text="Short name, for example age_band")
    label = models.CharField(max_length=200, help_text="The question as the resident reads it")
    options = models.JSONField(default=list, help_text="The answers to choose from")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assembly", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["assembly", "key"], name="unique_question_key")]

    def __str__(self) -> str:
        return self.label


class Volunteer(models.Model):
    """A resident who registered with an invitation code. Contact details are personal data."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        SELECTED = "selected", "Selected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="volunteers")
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="volunteer")
    label = models.CharField(max_length=12, help_text="Anonymous label used in public files, for example V0042")
    full_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    answers = models.JSONField(default=dict, help_text="{question key: answer}")
    consent_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Officer who typed a paper form"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(default=timezone.now)
    contact_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["assembly", "label"], name="unique_volunteer_label")]

    def __str__(self) -> str:
        return self.label

    @property
    def household(self) -> str:
        return self.invitation.address.uprn


class Quota(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="quotas")
    category = models.SlugField(max_length=40, help_text="The question key")
    value = models.CharField(max_length=100)
    population_share = models.FloatField(null=True, blank=True, help_text="Census share, 0 to 1")
    min = models.PositiveSmallIntegerField()
    max = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assembly", "category", "value"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "category", "value"], name="unique_quota"),
            models.CheckConstraint(condition=Q(min__lte=models.F("max")), name="quota_min_not_above_max"),
        ]

    def __str__(self) -> str:
        return f"{self.category}={self.value}: {self.min} to {self.max}"


class SelectionRun(models.Model):
    """One run of the panel selection, its lottery, and the public draw that picked the panel."""

    class Method(models.TextChoices):
        LEXIMIN = "leximin", "LEXIMIN (fairest to every volunteer)"
        MAXIMIN = "maximin", "MAXIMIN"
        NASH = "nash", "NASH"

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="runs")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.LEXIMIN)
    lottery_size = models.PositiveIntegerField(default=1000)
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="selection_run")
    started_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    kept = models.ManyToManyField(Volunteer, blank=True, related_name="+", help_text="Already selected; kept on the panel")
    record: models.JSONField[Any] = models.JSONField(default=dict, help_text="Inputs, versions, statistics")
    marginals: models.JSONField[Any] = models.JSONField(default=dict, help_text="{volunteer label: probability}")
    lottery_file = models.BinaryField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    fingerprint_published_at = models.DateTimeField(null=True, blank=True)
    public_random = models.CharField(max_length=200, blank=True)
    drawn_panel = models.PositiveIntegerField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} run ({self.created_at:%d %b %Y})"


class Member(models.Model):
    """Someone in the assembly's workspace: a selected resident or a facilitator."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        FACILITATOR = "facilitator", "Facilitator"

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assembly_memberships")
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="member")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assembly", "user"], name="one_membership_per_assembly")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Session(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(blank=True)
    agenda = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title


class EvidencePaper(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to="assembly/evidence/", blank=True)

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        VOTING = "voting", "Open for votes"
        AGREED = "agreed", "Agreed by the assembly"
        NOT_AGREED = "not_agreed", "Not agreed"

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="recommendations")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [models.UniqueConstraint(fields=["assembly", "number"], name="unique_recommendation_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        SUPPORT = "support", "Support"
        OPPOSE = "oppose", "Oppose"
        ABSTAIN = "abstain", "Abstain"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recommendation", "member"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.member}: {self.choice}"


class CouncilResponse(models.Model):
    """The council's published answer to a recommendation: 'you said, we did'."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        NOT_ACCEPTED = "not_accepted", "Not accepted"

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    recommendation = models.OneToOneField(Recommendation, on_delete=models.CASCADE, related_name="response")
    decision = models.CharField(max_length=14, choices=Decision.choices)
    response = models.TextField(help_text="What the council will do, in plain English")
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Response to {self.recommendation}"
