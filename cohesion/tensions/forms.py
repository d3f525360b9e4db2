from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from cohesion.core.forms import GovukFormMixin
from cohesion.core.models import Ward
from cohesion.strategy.forms import ImportForm as StrategyImportForm

from .models import (
    IMPACT_LABELS,
    Category,
    Community,
    ReporterConfidence,
    SourceReliability,
    WardTensionLevel,
)


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(GovukFormMixin, forms.Form):
    """The partner's report: one page, the questions in the order people think of them."""

    submit_label = "Send report"

    summary = forms.CharField(
        label="What happened?",
        help_text="Say what you saw or heard, and where. Do not put names here: there is a "
        "separate box for personal details.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": "Say what happened",
            "max_length": "What happened must be 4,000 characters or fewer",
        },
    )
    occurred_on = forms.DateField(
        label="When did it happen?",
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date it happened",
            "invalid": "Enter the date it happened as a real date",
        },
    )
    ward = forms.ModelChoiceField(
        label="Which ward?",
        queryset=Ward.objects.filter(in_use=True).order_by("name"),
        empty_label="Choose a ward",
        error_messages={
            "required": "Choose the ward where it happened",
            "invalid_choice": "Choose a ward from the list",
        },
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        required=False,
        max_length=10,
        help_text="If you know it. We check it against the council’s address list where we can.",
    )
    latitude = forms.FloatField(
        label="Latitude (optional)",
        required=False,
        help_text="A point on the map, for example 53.0027",
        error_messages={"invalid": "Enter the latitude as a number, like 53.0027"},
    )
    longitude = forms.FloatField(
        label="Longitude (optional)",
        required=False,
        help_text="For example -2.1794",
        error_messages={"invalid": "Enter the longitude as a number, like -2.1794"},
    )
    category = forms.ChoiceField(
        label="What kind of tension is it?",
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of tension it is"},
    )
    community = forms.ChoiceField(
        label="Which community is affected?",
        choices=Community.choices,
        help_text="The protected characteristic the tension is about",
        error_messages={"required": "Choose the community affected, or “Not known”"},
    )
    impact = forms.TypedChoiceField(
        label="How big is the impact?",
        choices=list(IMPACT_LABELS.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the impact, from 1 (very low) to 5 (very high)",
            "invalid_choice": "The impact must be a whole number from 1 (very low) to 5 (very high)",
        },
    )
    source_reliability = forms.ChoiceField(
        label="How reliable is the source?",
        choices=SourceReliability.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how reliable the source is"},
    )
    reporter_confidence = forms.ChoiceField(
        label="How sure are you?",
        choices=ReporterConfidence.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how sure you are"},
    )
    has_personal_details = forms.TypedChoiceField(
        label="Does the report hold personal details?",
        help_text="Names, addresses, phone numbers, or anything else that says who someone is",
        choices=[("no", "No"), ("yes", "Yes")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the report holds personal details"},
    )
    personal_details = forms.CharField(
        label="Personal details (only if needed)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only officers and your own organisation can see these. They are removed "
        "automatically after the retention period.",
    )

    def clean_occurred_on(self) -> date:
        value: date = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date it happened must be today or in the past")
        return value


class ImportForm(StrategyImportForm):
    """The strategy's CSV upload form (size and file-type checks shared), for the police extract."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = "The police weekly extract, saved as CSV"


class LevelForm(GovukFormMixin, forms.Form):
    submit_label = "Save level"

    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Ward.objects.filter(in_use=True).order_by("name"),
        empty_label="Choose a ward",
        error_messages={
            "required": "Choose the ward",
            "invalid_choice": "Choose a ward from the list",
        },
    )
    week = forms.DateField(
        label="Week starting",
        help_text="Any day in the week: we use its Monday",
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={"required": "Enter the week", "invalid": "Enter the week as a real date"},
    )
    level = forms.TypedChoiceField(
        label="Tension level",
        choices=WardTensionLevel.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the level, from 1 (normal) to 5 (critical)",
            "invalid_choice": "The level must be from 1 (normal) to 5 (critical)",
        },
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What the level is based on: reports, alerts, what partners said",
        error_messages={"required": "Give the reason for the level"},
    )

    def clean_week(self) -> date:
        value: date = self.cleaned_data["week"]
        if value > timezone.localdate() + timedelta(days=7):
            raise forms.ValidationError("You can set the level for this week or an earlier week")
        return value


class ActionForm(GovukFormMixin, forms.Form):
    submit_label = "Save action"

    action_taken = forms.CharField(
        label="What action was taken?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Say what action was taken"},
    )


class WeekForm(forms.Form):
    week = forms.DateField(required=False, widget=DateInput(format="%Y-%m-%d"))


class WeekLevelRowForm(forms.Form):
    """One ward's row on the whole-week page: leave the level empty to leave the ward as it is."""

    level = forms.TypedChoiceField(
        label="Level",
        choices=[("", "Not set"), *WardTensionLevel.Level.choices],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "The level must be from 1 (normal) to 5 (critical)"},
    )
    reason = forms.CharField(label="Reason", required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("level") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for the level")
        if not data.get("level") and (data.get("reason") or "").strip():
            self.add_error("level", "Choose a level for this reason, or delete the reason")
        return data
