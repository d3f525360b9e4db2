"""Forms for the assembly workspace, with GOV.UK markup through crispy-forms-gds."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import SetPasswordForm

from cohesion.core.forms import GovukFormMixin
from cohesion.core.models import User

from . import workspace
from .models import (
    Assembly,
    CouncilResponse,
    EvidencePaper,
    Recommendation,
    Session,
    Volunteer,
    Vote,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "govuk-input govuk-input--width-20", **(attrs or {})}, format="%Y-%m-%dT%H:%M")


def url_input() -> forms.URLInput:
    return forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"})


class ErrorStylesMixin:
    """crispy-forms-gds styles errors only on text inputs, selects and text areas: do the same for
    the date-time and web address inputs here, which carry the GOV.UK input class themselves."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            classes = field.widget.attrs.get("class", "").split()
            if "govuk-input" in classes and "govuk-input--error" not in classes:
                field.widget.attrs["class"] = " ".join([*classes, "govuk-input--error"])


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        volunteer = cast(Volunteer, obj)
        return f"{volunteer.label} – {volunteer.full_name}" if volunteer.full_name else volunteer.label


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user = cast(User, obj)
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class MemberAddForm(GovukFormMixin, forms.Form):
    submit_label = "Add member and make their link"

    volunteer = VolunteerChoiceField(
        queryset=Volunteer.objects.none(),
        label="Volunteer chosen for the panel",
        empty_label="Choose a volunteer",
        error_messages={"required": "Choose the volunteer to add", "invalid_choice": "Choose a volunteer from the list"},
    )
    display_name = forms.CharField(
        required=False,
        max_length=150,
        label="Name to show in the workspace (optional)",
        help_text="Facilitators and officers see it next to the member’s votes. Leave it empty to show only the label, for example V0042",
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["volunteer"])
        field.queryset = workspace.volunteers_to_add(assembly=assembly)


class FacilitatorAddForm(GovukFormMixin, forms.Form):
    submit_label = "Add facilitator"

    user = UserChoiceField(
        queryset=User.objects.none(),
        label="Facilitator’s account",
        help_text="Only accounts with the role “Assembly facilitator” are listed. A platform admin sets up those accounts",
        empty_label="Choose an account",
        error_messages={"required": "Choose the facilitator’s account", "invalid_choice": "Choose an account from the list"},
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = workspace.facilitators_to_add(assembly=assembly)


class SessionForm(ErrorStylesMixin, GovukFormMixin, forms.ModelForm):
    submit_label = "Save session"

    online_link = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=url_input(),
        label="Online meeting link (optional if there is a place)",
        help_text="The full web address, starting with https://",
        error_messages={"invalid": "Enter the online link as a full web address, starting with https://"},
    )

    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "place", "online_link", "agenda"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}
        labels = {
            "title": "Session title",
            "starts_at": "Starts at",
            "ends_at": "Ends at",
            "place": "Place (optional if there is an online link)",
            "agenda": "Agenda (optional)",
        }
        help_texts = {
            "starts_at": "The date and the time it starts",
            "place": "For example “Civic Centre, Committee Room 1, Glebe Street, Stoke ST4 1HH”",
            "agenda": "One item on each line",
        }
        error_messages = {
            "title": {"required": "Enter the session’s title"},
            "starts_at": {"required": "Enter when the session starts", "invalid": "Enter the start as a real date and time"},
            "ends_at": {"invalid": "Enter the end as a real date and time"},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ends_at"].required = True
        self.fields["ends_at"].error_messages["required"] = "Enter when the session ends"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end must be after the start")
        if "place" in data and "online_link" in data and not data["place"] and not data["online_link"]:
            self.add_error("place", "Enter a place or an online link")
        return data


class PaperEditForm(ErrorStylesMixin, GovukFormMixin, forms.ModelForm):
    """Change a paper's title and summary, and its link when it is a link (a PDF stays a PDF:
    to replace the file, delete the paper and add it again)."""

    submit_label = "Save paper"

    link = forms.URLField(
        max_length=200,
        assume_scheme="https",
        widget=url_input(),
        label="Link to the paper",
        error_messages={
            "required": "Enter the link to the paper",
            "invalid": "Enter the link as a full web address, starting with https://",
        },
    )

    class Meta:
        model = EvidencePaper
        fields = ["title", "summary", "link"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        labels = {"title": "Title", "summary": "Summary (optional)"}
        help_texts = {"summary": "What the paper says, in two or three sentences"}
        error_messages = {"title": {"required": "Enter the paper’s title"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.file:
            del self.fields["link"]


class PaperForm(ErrorStylesMixin, GovukFormMixin, forms.Form):
    submit_label = "Add paper"

    title = forms.CharField(max_length=200, label="Title", error_messages={"required": "Enter the paper’s title"})
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Summary (optional)",
        help_text="What the paper says, in two or three sentences",
    )
    link = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=url_input(),
        label="Link to the paper",
        help_text="Give a link or upload a PDF, not both",
        error_messages={"invalid": "Enter the link as a full web address, starting with https://"},
    )
    file = forms.FileField(
        required=False,
        label="Or upload a PDF",
        help_text="PDF only, 10 MB or smaller. Only members of this assembly and officers can open it",
        error_messages={"empty": "The file is empty: choose the PDF again, or check it opens on your computer"},
        widget=forms.FileInput(attrs={"class": "govuk-file-upload", "accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                workspace.paper_check_upload(upload)
            except workspace.WorkspaceError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "link" in data and "file" in data:
            if not data["link"] and not data["file"]:
                self.add_error("link", "Give a link to the paper or upload it as a PDF")
            elif data["link"] and data["file"]:
                self.add_error("link", "Give a link or upload a file, not both")
        return data


class RecommendationForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Save draft"

    class Meta:
        model = Recommendation
        fields = ["number", "title", "text"]
        labels = {"number": "Number", "title": "Title", "text": "What the assembly recommends"}
        help_texts = {"title": "A few words, for example “More youth clubs open in the evening”"}
        error_messages = {
            "number": {"required": "Enter the recommendation’s number", "invalid": "Enter the number as a whole number"},
            "title": {"required": "Enter a title"},
            "text": {"required": "Enter what the assembly recommends"},
        }

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        instance = cast(Recommendation, self.instance)
        clash = Recommendation.objects.filter(assembly_id=instance.assembly_id, number=number).exclude(pk=instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"There is already a recommendation number {number}: choose another number")
        return number


class VoteForm(GovukFormMixin, forms.Form):
    submit_label = "Send my vote"

    choice = forms.ChoiceField(
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
        label="How do you vote on this recommendation?",
        error_messages={"required": "Choose support, oppose or abstain", "invalid_choice": "Choose support, oppose or abstain"},
    )

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_action = action


class CouncilResponseForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Save response"

    class Meta:
        model = CouncilResponse
        fields = ["decision", "response", "progress"]
        widgets = {"decision": forms.RadioSelect, "progress": forms.RadioSelect}
        labels = {
            "decision": "What did the council decide?",
            "response": "What the council will do",
            "progress": "How far has the work got?",
        }
        help_texts = {"response": "Plain English: residents read this on the “You said, we did” page"}
        error_messages = {
            "decision": {"required": "Choose what the council decided"},
            "response": {"required": "Enter what the council will do"},
            "progress": {"required": "Choose how far the work has got"},
        }


class WelcomePasswordForm(GovukFormMixin, SetPasswordForm):
    submit_label = "Set my password"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type the password again"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password1"].error_messages["required"] = "Choose a password"
        self.fields["new_password2"].error_messages["required"] = "Type the password again"
