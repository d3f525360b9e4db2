from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

from django import forms

from cohesion.core.forms import GovukFormMixin
from cohesion.core.models import Ward
from cohesion.strategy.forms import ImportForm

from .models import Assembly, Question, Quota, Volunteer
from .services import CODE_UNKNOWN, QuotaInput, quota_suggest

SEED_MAX = 2**63 - 1
PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{10,20}$")
RESERVED_SLUGS = {"new"}


class DateInput(forms.DateInput):
    input_type = "date"


class AssemblyForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Assembly
        fields = ["name", "slug", "summary", "panel_size", "stage", "registration_closes_on", "ends_on", "contact_retention_days"]
        widgets = {
            "registration_closes_on": DateInput(format="%Y-%m-%d"),
            "ends_on": DateInput(format="%Y-%m-%d"),
            "stage": forms.RadioSelect,
        }
        labels = {
            "slug": "Web address name",
            "panel_size": "How many members?",
            "stage": "Where is the assembly up to?",
            "registration_closes_on": "Registration closes on (optional)",
            "ends_on": "The assembly’s work ends on (optional)",
            "contact_retention_days": "Days to keep volunteers’ contact details after the end date",
        }
        help_texts = {
            "slug": "Lower-case words joined by hyphens, for example “citizens-assembly-2026”. It is part of the address residents type",
            "panel_size": "Usually between 40 and 50. It can be from 10 to 200",
            "summary": "What the assembly is for, in plain English. Residents read this",
            "contact_retention_days": "Names, emails and phone numbers are deleted this many days after the end date",
        }
        error_messages = {
            "name": {"required": "Enter the assembly’s name"},
            "slug": {"required": "Enter a web address name", "invalid": "Use only lower-case letters, numbers and hyphens", "unique": "Another assembly uses this web address name: choose another"},
            "summary": {"required": "Say what the assembly is for"},
            "panel_size": {"required": "Enter how many members the assembly will have", "invalid": "Enter the number of members as a whole number"},
            "registration_closes_on": {"invalid": "Enter the closing date as a real date"},
            "ends_on": {"invalid": "Enter the end date as a real date"},
            "contact_retention_days": {"required": "Enter how many days to keep contact details", "invalid": "Enter the number of days as a whole number"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["stage"]
            self.helper.inputs[0].value = "Create assembly"

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is used by the platform: choose another web address name")
        return str(slug)

    def clean_panel_size(self) -> int:
        size = self.cleaned_data["panel_size"]
        if size < 10 or size > 200:
            raise forms.ValidationError("The assembly must have from 10 to 200 members")
        return int(size)

    def clean_contact_retention_days(self) -> int:
        days = self.cleaned_data["contact_retention_days"]
        if days > 3650:
            raise forms.ValidationError("Keep contact details for 3,650 days (10 years) or fewer")
        return int(days)


class AddressImportForm(ImportForm):
    """The strategy's CSV upload form (size and file-type checks shared), for the address list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = "The first row must be: uprn,address,postcode,ward"


class DrawForm(GovukFormMixin, forms.Form):
    submit_label = "Draw the addresses"

    invitations = forms.IntegerField(
        label="How many letters?",
        min_value=1,
        max_value=1_000_000,
        help_text="Often 20 to 30 letters for each member you need",
        error_messages={"required": "Enter how many letters to send", "invalid": "Enter the number of letters as a whole number", "min_value": "Send at least 1 letter", "max_value": "Send 1,000,000 letters or fewer"},
    )
    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        max_value=SEED_MAX,
        help_text="A number that fixes the random draw: the same addresses and seed always give the same letters. We picked one at random; you can type another",
        error_messages={"required": "Enter a seed", "invalid": "Enter the seed as a whole number", "min_value": "The seed must be 0 or more", "max_value": "The seed is too big: use 18 digits or fewer"},
    )
    deprivation_boost = forms.FloatField(
        label="Boost for the wards you tick (optional)",
        required=False,
        min_value=1.0,
        max_value=5.0,
        help_text="1 means no boost; 1.5 sends half as many letters again to those wards, because fewer people there usually reply",
        error_messages={"invalid": "Enter the boost as a number, for example 1.5", "min_value": "The boost must be 1 or more", "max_value": "The boost must be 5 or less"},
    )
    boosted_wards = forms.ModelMultipleChoiceField(
        queryset=Ward.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Wards to boost (optional)",
        help_text="For example the most deprived wards",
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"seed": secrets.randbelow(1_000_000_000), "deprivation_boost": 1.0})
        super().__init__(*args, **kwargs)
        wards = Ward.objects.filter(pk__in=assembly.addresses.values("ward")).order_by("name")
        cast(forms.ModelMultipleChoiceField, self.fields["boosted_wards"]).queryset = wards

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        boost = data.get("deprivation_boost") or 1.0
        data["deprivation_boost"] = boost
        wards = data.get("boosted_wards") or []
        if "deprivation_boost" not in self.errors:
            if boost > 1.0 and not wards:
                self.add_error("boosted_wards", "Tick the wards to boost, or set the boost to 1")
            elif wards and boost == 1.0:
                self.add_error("deprivation_boost", "Enter a boost bigger than 1 for the wards you ticked, or untick them")
        return data


class QuestionForm(GovukFormMixin, forms.ModelForm):
    options_text = forms.CharField(
        label="Answers to choose from",
        help_text="One answer on each line. Residents choose one",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the answers, one on each line"},
    )

    class Meta:
        model = Question
        fields = ["label", "key", "options_text", "order"]
        labels = {"label": "Question", "key": "Short name", "order": "Order on the form"}
        help_texts = {
            "label": "As the resident reads it, for example “How old are you?”",
            "key": "Lower-case letters, numbers and underscores, for example age_band. It is used in the quotas and the published files",
            "order": "Questions with smaller numbers come first",
        }
        error_messages = {
            "label": {"required": "Enter the question"},
            "key": {"required": "Enter a short name", "invalid": "Use only lower-case letters, numbers and underscores"},
            "order": {"required": "Enter a number for the order", "invalid": "Enter the order as a whole number"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["options_text"].initial = "\n".join(self.instance.options)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not re.fullmatch(r"[a-z0-9_]+", key):
            raise forms.ValidationError("Use only lower-case letters, numbers and underscores")
        clash = Question.objects.filter(assembly=self.instance.assembly, key=key).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another question has this short name: choose another")
        return key

    def clean_options_text(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["options_text"].splitlines()]
        options = [line for line in lines if line]
        if len(options) < 2:
            raise forms.ValidationError("Enter at least 2 answers, one on each line")
        too_long = [o for o in options if len(o) > 100]
        if too_long:
            raise forms.ValidationError(f"Each answer must be 100 characters or fewer: shorten “{too_long[0][:40]}…”")
        seen: set[str] = set()
        for option in options:
            if option.lower() in seen:
                raise forms.ValidationError(f"The answer “{option}” is there twice: remove one")
            seen.add(option.lower())
        return options

    def save(self, commit: bool = True) -> Question:
        self.instance.options = self.cleaned_data["options_text"]
        return cast(Question, super().save(commit=commit))


class CodeForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"

    code = forms.CharField(
        label="Your code",
        max_length=30,
        help_text="It is on your letter and looks like 7K3Q-M9TX",
        error_messages={"required": "Enter the code from your letter", "max_length": CODE_UNKNOWN},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "class": "govuk-input govuk-input--width-10"})


def _question_fields(form: forms.Form, questions: list[Question]) -> None:
    for question in questions:
        form.fields[f"q_{question.key}"] = forms.ChoiceField(
            label=question.label,
            choices=[(o, o) for o in question.options],
            widget=forms.RadioSelect,
            error_messages={"required": f"Answer “{question.label}”", "invalid_choice": f"Choose one of the answers to “{question.label}”"},
        )


class RegistrationForm(GovukFormMixin, forms.Form):
    """Step 2 of registering: contact details, the questions and consent."""

    submit_label = "Sign up"

    full_name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter your name", "max_length": "Your name must be 200 characters or fewer"})
    email = forms.EmailField(label="Email address (optional if you give a phone number)", required=False, error_messages={"invalid": "Enter an email address like name@example.com"})
    phone = forms.CharField(label="Phone number (optional if you give an email address)", required=False, max_length=40, error_messages={"max_length": "Enter a phone number like 01782 232323 or 07700 900 982"})
    consent = forms.BooleanField(
        label="I agree",
        error_messages={"required": "Tick “I agree” to sign up. We cannot choose you without it"},
    )

    def __init__(self, *args: Any, questions: list[Question], consent_help: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        consent = self.fields.pop("consent")
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name", "spellcheck": "false"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel"})
        self.fields["phone"].widget.input_type = "tel"  # type: ignore[attr-defined]
        _question_fields(self, questions)
        consent.help_text = consent_help
        self.fields["consent"] = consent
        self.questions = questions

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and (not PHONE_RE.fullmatch(phone) or not 10 <= len(re.sub(r"\D", "", phone)) <= 15):
            raise forms.ValidationError("Enter a phone number like 01782 232323 or 07700 900 982")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone") and "email" not in self.errors and "phone" not in self.errors:
            self.add_error("email", "Enter an email address or a phone number, so we can contact you")
        return data

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[f"q_{q.key}"] for q in self.questions}


class PaperForm(RegistrationForm):
    """An officer types in a paper form: the code from the letter and the same answers."""

    submit_label = "Save the paper form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = forms.CharField(label="Code on the letter", max_length=30, error_messages={"required": "Enter the code from the letter", "max_length": CODE_UNKNOWN})
        self.fields = {"code": code, **self.fields}  # type: ignore[assignment]
        self.fields["full_name"].label = "Full name"
        self.fields["email"].label = "Email address (optional if there is a phone number)"
        self.fields["phone"].label = "Phone number (optional if there is an email address)"
        self.fields["consent"].label = "The resident signed the consent part of the form"
        self.fields["consent"].error_messages["required"] = "Tick this only if the resident signed the consent part: without it we cannot save the form"


class RunForm(GovukFormMixin, forms.Form):
    submit_label = "Start the selection"

    method = forms.ChoiceField(
        label="How should the chances be shared out?",
        choices=[
            ("leximin", "LEXIMIN: make the smallest chance as big as possible, then the next smallest, and so on (recommended)"),
            ("maximin", "MAXIMIN: make the smallest chance as big as possible"),
            ("nash", "NASH: make the product of everyone’s chances as big as possible"),
        ],
        initial="leximin",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how to share out the chances"},
    )
    lottery_size = forms.IntegerField(
        label="How many panels in the lottery?",
        initial=1000,
        min_value=100,
        max_value=100_000,
        help_text="The lottery is a list of this many panels; one is drawn. 1,000 is usual",
        error_messages={"required": "Enter how many panels", "invalid": "Enter the number of panels as a whole number", "min_value": "Use 100 panels or more", "max_value": "Use 100,000 panels or fewer"},
    )
    keep = forms.MultipleChoiceField(
        label="Members to keep (optional)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="To replace members who dropped out: tick the members who stay. They will be on every panel",
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        selected = Volunteer.objects.filter(assembly=assembly, status=Volunteer.Status.SELECTED).order_by("label")
        choices = [(v.label, v.label) for v in selected]
        if choices:
            cast(forms.MultipleChoiceField, self.fields["keep"]).choices = choices
        else:
            del self.fields["keep"]


class PublicRandomForm(GovukFormMixin, forms.Form):
    submit_label = "Draw the panel"

    public_random = forms.CharField(
        label="The public random number",
        max_length=200,
        help_text="For example the numbers of a National Lottery draw announced after you published the fingerprint, like 12 24 31 38 45 49",
        error_messages={"required": "Enter the public random number", "max_length": "Enter 200 characters or fewer"},
    )


# ---------------------------------------------------------------------------------------------
# Quotas: a table of inputs per question


@dataclass
class QuotaCell:
    question: Question
    index: int
    option: str

    @property
    def stem(self) -> str:
        return f"{self.question.pk}-{self.index}"


class QuotaForm(forms.Form):
    """Share (%), minimum and maximum for every answer to every question.

    Leave a question's minimums and maximums empty to not use it for quotas. Rendered by the
    template as one table per question.
    """

    slack = forms.IntegerField(
        label="Slack",
        min_value=0,
        max_value=20,
        initial=1,
        required=False,
        error_messages={"invalid": "Enter the slack as a whole number", "min_value": "The slack must be 0 or more", "max_value": "The slack must be 20 or less"},
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly
        self.questions = list(assembly.questions.order_by("order", "key"))
        self.cells: dict[int, list[QuotaCell]] = {}
        self.category_errors: dict[int, list[str]] = {}
        self.anchors: dict[int, str] = {}  # where a question's own error links to
        self.missing: set[str] = set()  # empty inputs of a half-filled question
        self.fields["slack"].widget = forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-2", "spellcheck": "false"})
        for question in self.questions:
            cells = [QuotaCell(question, i, option) for i, option in enumerate(question.options)]
            self.cells[question.pk] = cells
            for cell in cells:
                self.fields[f"share-{cell.stem}"] = forms.FloatField(
                    required=False,
                    label=f"Share of people for {cell.option} (%)",
                    error_messages={"invalid": f"Enter the share for “{cell.option}” as a number, like 12.5"},
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-4", "spellcheck": "false"}),
                )
                for bound in ("min", "max"):
                    self.fields[f"{bound}-{cell.stem}"] = forms.IntegerField(
                        required=False,
                        label=f"{'Minimum' if bound == 'min' else 'Maximum'} for {cell.option}",
                        error_messages={"invalid": f"Enter the {'minimum' if bound == 'min' else 'maximum'} for “{cell.option}” as a whole number"},
                        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3", "spellcheck": "false"}),
                    )

    @classmethod
    def initial_from_saved(cls, assembly: Assembly) -> dict[str, Any]:
        saved = {(q.category, q.value): q for q in Quota.objects.filter(assembly=assembly)}
        initial: dict[str, Any] = {"slack": 1}
        for question in assembly.questions.all():
            for i, option in enumerate(question.options):
                quota = saved.get((question.key, option))
                if quota is None:
                    continue
                stem = f"{question.pk}-{i}"
                initial[f"min-{stem}"] = quota.min
                initial[f"max-{stem}"] = quota.max
                if quota.population_share is not None:
                    initial[f"share-{stem}"] = _percent(quota.population_share * 100)
        return initial

    def rows(self) -> list[dict[str, Any]]:
        """What the template draws: per question, its cells with their three bound fields."""
        return [
            {
                "question": q,
                "errors": self.category_errors.get(q.pk, []),
                "first_id": self.anchors.get(q.pk) or (self[f"min-{self.cells[q.pk][0].stem}"].auto_id if self.cells[q.pk] else ""),
                "cells": [
                    {
                        "option": c.option, "share": self[f"share-{c.stem}"], "min": self[f"min-{c.stem}"], "max": self[f"max-{c.stem}"],
                        "min_missing": f"min-{c.stem}" in self.missing, "max_missing": f"max-{c.stem}" in self.missing,
                    }
                    for c in self.cells[q.pk]
                ],
            }
            for q in self.questions
        ]

    def summary(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in page order."""
        items: list[tuple[str, str]] = []
        rows = self.rows()
        first = next((row["first_id"] for row in rows if row["first_id"]), self["slack"].auto_id)
        from_categories = {m for messages in self.category_errors.values() for m in messages}
        items.extend((first, str(e)) for e in self.non_field_errors() if str(e) not in from_categories)
        if "slack" in self.errors:
            items.extend((self["slack"].auto_id, str(e)) for e in self.errors["slack"])
        for row in rows:
            items.extend((row["first_id"], message) for message in row["errors"])
            for cell in row["cells"]:
                for key in ("share", "min", "max"):
                    items.extend((cell[key].auto_id, str(e)) for e in cell[key].errors)
        return items

    def _category_error(self, question: Question, message: str) -> None:
        """An error about a question's quotas together: shown above its table and in the summary."""
        self.category_errors.setdefault(question.pk, []).append(message)
        self.add_error(None, message)  # so the page title starts with "Error:"

    def has_problems(self) -> bool:
        return bool(self.errors) or bool(self.category_errors)

    def calculate(self) -> dict[str, Any] | None:
        """Work out min and max from the shares. Returns the new initial values, or None on errors."""
        if not self.is_valid():
            return None
        k = self.assembly.panel_size
        slack = self.cleaned_data.get("slack")
        slack = 1 if slack is None else slack
        result: dict[str, Any] = {"slack": slack}
        used = 0
        for question in self.questions:
            cells = self.cells[question.pk]
            shares = {c.stem: self.cleaned_data.get(f"share-{c.stem}") for c in cells}
            for c in cells:
                for bound in ("min", "max"):
                    value = self.cleaned_data.get(f"{bound}-{c.stem}")
                    if value is not None:
                        result[f"{bound}-{c.stem}"] = value
            if all(v is None for v in shares.values()):
                continue
            if not self._shares_ok(question, shares):
                continue
            used += 1
            for c in cells:
                share = shares[c.stem] or 0.0
                low, high = quota_suggest(share=share / 100, panel_size=k, slack=slack)
                result[f"share-{c.stem}"] = _percent(share)
                result[f"min-{c.stem}"] = low
                result[f"max-{c.stem}"] = high
        if self.category_errors:
            return None
        if not used:
            self.add_error(None, "Enter the share of people for each answer to at least one question")
            return None
        return result

    def _shares_ok(self, question: Question, shares: dict[str, float | None]) -> bool:
        ok = True
        for c in self.cells[question.pk]:
            share = shares[c.stem]
            if share is None:
                self.add_error(f"share-{c.stem}", f"Enter the share for “{c.option}”, or leave every share for this question empty")
                ok = False
            elif not 0 <= share <= 100 or not math.isfinite(share):
                self.add_error(f"share-{c.stem}", f"The share for “{c.option}” must be between 0 and 100")
                ok = False
        if ok:
            total = sum(s or 0.0 for s in shares.values())
            if abs(total - 100) > 2:
                self._category_error(question, f"The shares for “{question.label}” add up to {_percent(total)}%: they should add up to 100%")
                ok = False
        return ok

    def quotas(self) -> list[QuotaInput] | None:
        """Check every number and return the quotas to save, or None when something must be fixed."""
        if not self.is_valid():
            return None
        k = self.assembly.panel_size
        out: list[QuotaInput] = []
        for question in self.questions:
            cells = self.cells[question.pk]
            mins = {c.stem: self.cleaned_data.get(f"min-{c.stem}") for c in cells}
            maxs = {c.stem: self.cleaned_data.get(f"max-{c.stem}") for c in cells}
            shares = {c.stem: self.cleaned_data.get(f"share-{c.stem}") for c in cells}
            filled = [v is not None for v in list(mins.values()) + list(maxs.values())]
            if not any(filled):
                continue
            missing = [f"{b}-{c.stem}" for c in cells for b, v in (("min", mins[c.stem]), ("max", maxs[c.stem])) if v is None]
            ok = not missing
            if missing:
                self.missing.update(missing)
                self.anchors[question.pk] = self[missing[0]].auto_id
                self._category_error(question, f"Enter a minimum and a maximum for every answer to “{question.label}”, or leave them all empty to not use this question")
            for c in cells:
                low, high = mins[c.stem], maxs[c.stem]
                cell_ok = True
                for bound, value in (("min", low), ("max", high)):
                    word = "minimum" if bound == "min" else "maximum"
                    if value is None:
                        continue
                    if value < 0:
                        self.add_error(f"{bound}-{c.stem}", f"The {word} for “{c.option}” must be 0 or more")
                        cell_ok = False
                    elif value > k:
                        self.add_error(f"{bound}-{c.stem}", f"The {word} for “{c.option}” must be {k} or less, the size of the panel")
                        cell_ok = False
                if cell_ok and low is not None and high is not None and low > high:
                    self.add_error(f"min-{c.stem}", f"The minimum for “{c.option}” ({low}) is more than its maximum ({high}): make it the same or smaller")
                    cell_ok = False
                share = shares[c.stem]
                if share is not None and not 0 <= share <= 100:
                    self.add_error(f"share-{c.stem}", f"The share for “{c.option}” must be between 0 and 100")
                    cell_ok = False
                ok = ok and cell_ok
            if not ok:
                continue
            total_min = sum(v or 0 for v in mins.values())
            total_max = sum(v or 0 for v in maxs.values())
            if total_max < k:
                self._category_error(question, f"The maximums for “{question.label}” add up to {total_max}, less than the panel size of {k}: raise some maximums so the panel can be filled")
                continue
            if total_min > k:
                self._category_error(question, f"The minimums for “{question.label}” add up to {total_min}, more than the panel size of {k}: lower some minimums")
                continue
            for c in cells:
                share = shares[c.stem]
                out.append(QuotaInput(
                    category=question.key, value=c.option, min=int(mins[c.stem] or 0), max=int(maxs[c.stem] or 0),
                    population_share=None if share is None else share / 100,
                ))
        if self.has_problems():
            return None
        return out


def _percent(value: float) -> float | int:
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded
