"""Forms of the rumour desk (GOV.UK markup through crispy-forms-gds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crispy_forms_gds.layout import HTML, Layout, Submit
from django import forms
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cohesion.core.forms import GovukFormMixin
from cohesion.core.models import Role, User, Ward
from cohesion.text.language import LANGUAGE_NAMES

from . import services
from .models import Channel, Claim, Reach, Rebuttal

TEXT_HELP = "Copy the words if you can, in any language. Do not worry about spelling"
FORM_TOKEN_SALT = "rumours.public-report"  # noqa: S105 - a signing salt name, not a secret


class DateInput(forms.DateInput):
    input_type = "date"


def _text_field(label: str) -> forms.CharField:
    # No max_length here: services.text_check gives the message with the count.
    return forms.CharField(
        label=label,
        help_text=TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=True,
        error_messages={"required": "Enter what is being said"},
    )


def _ward_field(label: str, empty_label: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Ward.objects.filter(in_use=True).order_by("name"),
        required=False,
        empty_label=empty_label,
    )


def _link_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Link (optional)",
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )


def _checked(check: Callable[[Any], Any], value: Any) -> Any:
    """``check(value)``, with a RumourError shown as the field's error."""
    try:
        return check(value)
    except services.RumourError as exc:
        raise forms.ValidationError(str(exc)) from None


class _RumourFields(GovukFormMixin, forms.Form):
    def clean_text(self) -> str:
        return _checked(services.text_check, self.cleaned_data["text"])

    def clean_link(self) -> str:
        return _checked(services.link_check, self.cleaned_data.get("link", ""))

    def clean_seen_on(self) -> Any:
        return _checked(services.seen_on_check, self.cleaned_data.get("seen_on"))


class RumourLogForm(_RumourFields):
    """An officer or partner logs a rumour."""

    submit_label = "Send the report"

    text = _text_field("What is being said?")
    ward = _ward_field("Which ward? (optional)", "Not known or city-wide")
    channel = forms.ChoiceField(
        label="Where was it seen or heard?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the rumour was seen or heard"},
    )
    seen_on = forms.DateField(
        label="When was it seen?",
        required=False,
        widget=DateInput(format="%Y-%m-%d"),
        help_text="Leave empty for today",
        error_messages={"invalid": "Enter the date as a real date"},
    )
    reach = forms.TypedChoiceField(
        label="How widely was it going round?",
        choices=Reach.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=Reach.FEW,
        error_messages={"required": "Choose how widely it was going round"},
    )
    link = _link_field("The web address of the post. We never open it for you")
    screenshot = forms.FileField(
        label="Screenshot (optional)",
        required=False,
        help_text=f"A picture (PNG, JPEG, GIF or WebP) smaller than {services.SCREENSHOT_MAX_BYTES // 1_048_576} MB. Only officers can see it",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": "image/png,image/jpeg,image/gif,image/webp",
                # js/init.mjs refuses a bigger file as soon as it is chosen, before anything is
                # sent, so the words already typed are never lost to a refused upload
                "data-max-bytes": str(services.SCREENSHOT_MAX_BYTES),
            }
        ),
    )
    people_named = forms.CharField(
        label="People named or accused (optional)",
        required=False,
        max_length=2000,
        help_text="Only officers can see this, and it is deleted after a year",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Keep this to 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update(
            {
                "data-rumour-suggest": reverse("rumours_staff:suggest"),
                "aria-describedby": "id_text_hint rumour-suggestions",
            }
        )
        self.helper.layout = Layout(
            "text",
            HTML('{% include "rumours/includes/suggestions.html" %}'),
            "channel",
            "ward",
            "seen_on",
            "reach",
            "link",
            "screenshot",
            "people_named",
        )
        self.helper.add_input(
            Submit("check", "Check for matching claims", css_class="govuk-button--secondary")
        )

    def clean_screenshot(self) -> Any:
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        try:
            services.screenshot_check(upload)
        except services.RumourError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def sighting_input(self) -> services.SightingInput:
        d = self.cleaned_data
        return services.SightingInput(
            text=d["text"],
            channel=d["channel"],
            ward=d.get("ward"),
            seen_on=d.get("seen_on"),
            reach=d.get("reach") or 1,
            link=d.get("link", ""),
            screenshot=d.get("screenshot"),
            people_named=d.get("people_named", ""),
        )


def form_token_make() -> str:
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(str(int(timezone.now().timestamp())))


def form_token_age(token: str, *, max_age: int) -> float | None:
    """Seconds since the form was shown; None if the token is missing, forged or too old."""
    try:
        value = signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign(token or "", max_age=max_age)
        return timezone.now().timestamp() - int(value)
    except (signing.BadSignature, ValueError):
        return None


class PublicReportForm(_RumourFields):
    """A resident tells us about a rumour: short, no account, no personal data needed."""

    submit_label = "Send"

    text = _text_field("What have you seen or heard?")
    channel = forms.ChoiceField(
        label="Where did you see or hear it?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where you saw or heard it"},
    )
    ward = _ward_field("Which part of the city? (optional)", "I do not know")
    link = _link_field("If you saw it online, paste the web address")
    reporter_contact = forms.CharField(
        label="Your email or phone number (optional)",
        required=False,
        max_length=200,
        help_text="Only if you would like us to get back to you. We delete it after a year",
        error_messages={"max_length": "Keep this to 200 characters or fewer"},
    )
    # Spam protection: a field people never see (bots fill it in) and when the form was shown.
    website = forms.CharField(label="Leave this empty", required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = form_token_make()
        self.helper.layout = Layout(
            "text",
            "channel",
            "ward",
            "link",
            "reporter_contact",
            "started",
            HTML("<div hidden>"),
            "website",
            HTML("</div>"),
        )

    def sighting_input(self) -> services.SightingInput:
        d = self.cleaned_data
        return services.SightingInput(
            text=d["text"],
            channel=d["channel"],
            ward=d.get("ward"),
            link=d.get("link", ""),
            reporter_contact=d.get("reporter_contact", ""),
            source="public",
        )


class NewClaimForm(GovukFormMixin, forms.ModelForm):
    submit_label = "File as a new claim"

    class Meta:
        model = Claim
        fields = ["title", "text", "harm"]
        widgets = {"harm": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "title": "Short name for the claim",
            "text": "What is being said",
            "harm": "How harmful could it be?",
        }
        error_messages = {
            "title": {
                "required": "Give the claim a short name",
                "max_length": "Keep the name to 200 characters or fewer",
            },
            "text": {
                "required": "Say what is being said",
                "max_length": "Keep this to 2,000 characters or fewer",
            },
        }


def _officer_name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _officers() -> Any:
    return User.objects.filter(is_active=True, role__in=[Role.OFFICER, Role.ADMIN]).order_by(
        "username"
    )


class ClaimForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["title", "text", "status", "owner", "harm", "evidence"]
        widgets = {
            "status": forms.RadioSelect,
            "harm": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 8}),
        }
        labels = {
            "title": "Short name for the claim",
            "text": "What is being said",
            "status": "Where is it up to?",
            "owner": "Who is looking after it?",
            "harm": "How harmful could it be?",
            "evidence": "Evidence gathered",
        }
        error_messages = {
            "title": {
                "required": "Give the claim a short name",
                "max_length": "Keep the name to 200 characters or fewer",
            },
            "text": {
                "required": "Say what is being said",
                "max_length": "Keep this to 2,000 characters or fewer",
            },
            "evidence": {"max_length": "Keep the evidence to 20,000 characters or fewer"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        owner.queryset = _officers()
        owner.empty_label = "Nobody yet"
        owner.label_from_instance = _officer_name  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("status") == Claim.Status.REBUTTED
            and not Rebuttal.objects.filter(
                claim=self.instance, published_at__isnull=False
            ).exists()
        ):
            self.add_error(
                "status", "A claim is rebutted once its myth-buster is published: publish it first"
            )
        return data


class MergeClaimForm(GovukFormMixin, forms.Form):
    """Which claim this one says the same as: one of the suggested claims, or any by number."""

    submit_label = "Merge the claims"

    suggested = forms.TypedChoiceField(
        label="Which claim says the same?",
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        empty_value=None,
    )
    number = forms.IntegerField(
        label="Or type the number of another claim",
        help_text="The number is on the claim's page, above its name",
        required=False,
        min_value=1,
        error_messages={
            "invalid": "Enter the claim's number, for example 12",
            "min_value": "Enter the claim's number, for example 12",
        },
    )

    def __init__(self, *args: Any, claim: Claim, choices: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.claim = claim
        suggested = self.fields["suggested"]
        assert isinstance(suggested, forms.TypedChoiceField)  # noqa: S101 - narrows the type
        suggested.choices = choices
        if not choices:
            del self.fields["suggested"]
            self.fields["number"].label = "Type the number of the claim that says the same"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        chosen = data.get("number") or data.get("suggested")
        if data.get("number") and data.get("suggested") and data["number"] != data["suggested"]:
            self.add_error(
                "number", "Choose one claim: either pick a suggested claim or type a number"
            )
            return data
        if not chosen:
            field = "suggested" if "suggested" in self.fields else "number"
            self.add_error(field, "Choose the claim that says the same, or type its number")
            return data
        into = Claim.objects.filter(pk=chosen).first()
        if into is None:
            self.add_error("number", f"There is no claim {chosen}. Check the number")
        elif into.pk == self.claim.pk:
            self.add_error(
                "number", "That is this claim’s own number. Type the number of the other claim"
            )
        else:
            data["into"] = into
        return data


class LanguageForm(GovukFormMixin, forms.Form):
    """An officer says which language a report's words are in, where the computer's guess is
    wrong or missing."""

    submit_label = "Save the language"

    language = forms.ChoiceField(
        label="Which language are the words in?",
        help_text="If it is not in the list, leave the computer’s guess as it is",
        choices=[
            ("", "Choose a language"),
            *sorted(LANGUAGE_NAMES.items(), key=lambda item: item[1]),
        ],
        error_messages={
            "required": "Choose the language the words are in",
            "invalid_choice": "Choose a language from the list",
        },
    )


class RebuttalForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Save the myth-buster"

    class Meta:
        model = Rebuttal
        fields = ["headline", "verdict", "what_is_said", "the_facts", "where_from", "sources"]
        widgets = {
            "verdict": forms.RadioSelect,
            "what_is_said": forms.Textarea(attrs={"rows": 3}),
            "the_facts": forms.Textarea(attrs={"rows": 8}),
            "where_from": forms.Textarea(attrs={"rows": 4}),
            "sources": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "headline": "Headline",
            "verdict": "Is it true?",
            "what_is_said": "What is being said",
            "the_facts": "The facts",
            "where_from": "Where this comes from (optional)",
            "sources": "Sources (optional)",
        }
        help_texts = {
            "what_is_said": "The claim in neutral words. Do not name anyone: this page is public",
            "the_facts": "Short sentences a 9-year-old could read",
        }
        error_messages = {
            "headline": {
                "required": "Write a headline",
                "max_length": "Keep the headline to 200 characters or fewer",
            },
            "what_is_said": {
                "required": "Say what is being said",
                "max_length": "Keep this to 2,000 characters or fewer",
            },
            "the_facts": {
                "required": "Write the facts",
                "max_length": "Keep the facts to 10,000 characters or fewer",
            },
            "where_from": {"max_length": "Keep this to 5,000 characters or fewer"},
            "sources": {"max_length": "Keep the sources to 5,000 characters or fewer"},
        }

    def clean_sources(self) -> str:
        text = self.cleaned_data.get("sources", "")
        for number, line in enumerate(text.splitlines(), start=1):
            last = line.strip().rpartition(" ")[2]
            if last.startswith(("http://", "https://")):
                try:
                    services.link_check(last)
                except services.RumourError:
                    raise forms.ValidationError(
                        f"Line {number}: the web address is not a real web address"
                    ) from None
        return str(text)
