from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings

from cohesion.core.forms import GovukFormMixin
from cohesion.core.models import Organisation, Ward

from .models import Measure, Priority, Strategy
from .periods import PeriodError, parse_period


class DateInput(forms.DateInput):
    input_type = "date"


class StrategyForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Strategy
        fields = ["title", "council_name", "vision", "introduction", "starts_on", "ends_on", "approved_on"]
        widgets = {
            "starts_on": DateInput(format="%Y-%m-%d"),
            "ends_on": DateInput(format="%Y-%m-%d"),
            "approved_on": DateInput(format="%Y-%m-%d"),
        }
        labels = {"starts_on": "Starts on", "ends_on": "Ends on", "approved_on": "Approved on (optional)"}
        help_texts = {"vision": "One or two sentences that say what the city will be like"}
        error_messages = {
            "title": {"required": "Enter the strategy’s title"},
            "council_name": {"required": "Enter the council’s name"},
            "vision": {"required": "Enter the vision"},
            "starts_on": {"required": "Enter the date the strategy starts", "invalid": "Enter the start date as a real date"},
            "ends_on": {"required": "Enter the date the strategy ends", "invalid": "Enter the end date as a real date"},
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", "The end date must be after the start date")
        return data


class PriorityForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["number", "title", "slug", "summary", "description", "demo_wording"]
        labels = {"number": "Number", "slug": "Web address name", "demo_wording": "This is demo wording"}
        help_texts = {
            "slug": "Lower-case words joined by hyphens, for example “spotting-tensions-early”",
            "summary": "One or two sentences a resident can read quickly",
        }
        error_messages = {
            "number": {"required": "Enter the priority’s number"},
            "title": {"required": "Enter a title"},
            "slug": {"required": "Enter a web address name", "invalid": "Use only lower-case letters, numbers and hyphens"},
            "summary": {"required": "Enter a short summary"},
        }


class MeasureForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "title", "slug", "definition", "kind", "unit", "rate_per", "source", "frequency", "direction",
            "level", "baseline_value", "baseline_date", "baseline_note", "target_value", "target_date",
            "priorities", "data_owner", "is_published",
        ]
        widgets = {
            "baseline_date": DateInput(format="%Y-%m-%d"),
            "target_date": DateInput(format="%Y-%m-%d"),
            "priorities": forms.CheckboxSelectMultiple,
            "kind": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "level": forms.RadioSelect,
        }
        labels = {
            "slug": "Web address name",
            "kind": "What kind of number is it?",
            "direction": "Is higher or lower better?",
            "level": "Where is it measured?",
            "data_owner": "Partner that sends the figures (optional)",
            "is_published": "Show on the public site",
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "slug": {"required": "Enter a web address name", "invalid": "Use only lower-case letters, numbers and hyphens"},
            "definition": {"required": "Say exactly what is counted"},
            "kind": {"required": "Choose what kind of number it is"},
            "source": {"required": "Enter where the figures come from"},
            "frequency": {"required": "Choose how often the figures come"},
            "direction": {"required": "Choose whether higher or lower is better"},
            "baseline_value": {"required": "Enter the baseline value", "invalid": "Enter the baseline as a number"},
            "baseline_date": {"required": "Enter the baseline date", "invalid": "Enter the baseline date as a real date"},
            "target_value": {"required": "Enter the target value", "invalid": "Enter the target as a number"},
            "target_date": {"required": "Enter the target date", "invalid": "Enter the target date as a real date"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["priorities"]).queryset = Priority.objects.order_by("number")
        cast(forms.ModelChoiceField, self.fields["data_owner"]).queryset = Organisation.objects.order_by("name")


class ObservationForm(GovukFormMixin, forms.Form):
    submit_label = "Save figure"

    ward = forms.ModelChoiceField(
        queryset=Ward.objects.order_by("name"),
        required=False,
        empty_label="Whole city",
        label="Area",
    )
    period = forms.CharField(
        label="Period",
        help_text="For example 2025, 2025-Q2, 2025/26, 2025-06 or 2025-06-30",
        max_length=20,
        error_messages={"required": "Enter the period the figure is for"},
    )
    value = forms.FloatField(
        label="Value",
        error_messages={"required": "Enter the value", "invalid": "Enter the value as a number, for example 42 or 3.5"},
    )
    numerator = forms.FloatField(
        required=False,
        label="Numerator (optional)",
        help_text="For rates and survey results: how many people said yes, or how many incidents",
        error_messages={"invalid": "Enter the numerator as a number"},
    )
    denominator = forms.FloatField(
        required=False,
        label="Denominator (optional)",
        help_text="How many people were asked, or the population",
        error_messages={"invalid": "Enter the denominator as a number"},
    )
    sample_size = forms.IntegerField(
        required=False,
        min_value=1,
        label="Sample size (optional)",
        help_text="For survey percentages: how many people answered",
        error_messages={"invalid": "Enter the sample size as a whole number", "min_value": "The sample size must be 1 or more"},
    )
    note = forms.CharField(required=False, max_length=300, label="Note (optional)")

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        if measure.level == Measure.Level.CITY:
            del self.fields["ward"]

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip()
        try:
            parse_period(value)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value


class ImportForm(GovukFormMixin, forms.Form):
    submit_label = "Upload and check"

    file = forms.FileField(
        label="CSV file",
        help_text="The first row must be: measure,ward_code,period,value,numerator,denominator,sample_size,note",
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.COHESION_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.0f} MB: it must be smaller than {limit / 1_048_576:.0f} MB. "
                "Split it into smaller files"
            )
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt")):
            raise forms.ValidationError("The file must be a CSV file (its name ends in .csv)")
        return upload
