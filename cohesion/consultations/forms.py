"""Forms for consultations: the officer's builder and analysis pages, and residents' answers."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings

from cohesion.core.forms import GovukFormMixin
from cohesion.strategy.models import Measure

from .models import ABOUT_YOU, Consultation, Question
from .services import MAX_ANSWER_CHARS

RESERVED_SLUGS = {"new"}


class DateInput(forms.DateInput):
    input_type = "date"


class ConsultationForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "slug", "summary", "opens_on", "closes_on"]
        widgets = {
            "opens_on": DateInput(format="%Y-%m-%d"),
            "closes_on": DateInput(format="%Y-%m-%d"),
        }
        labels = {"slug": "Web address name", "opens_on": "Opens on", "closes_on": "Closes on"}
        help_texts = {
            "slug": "Lower-case words joined by hyphens, for example “cohesion-strategy-2026”",
            "summary": "What you are asking about and why, in plain English. Residents read this first",
            "closes_on": "Answers are taken until the end of this day",
        }
        error_messages = {
            "title": {"required": "Enter a title"},
            "slug": {
                "required": "Enter a web address name",
                "invalid": "Use only lower-case letters, numbers and hyphens",
                "unique": "Another consultation uses this web address name",
            },
            "summary": {"required": "Enter a summary"},
            "opens_on": {
                "required": "Enter the date it opens",
                "invalid": "Enter the opening date as a real date",
            },
            "closes_on": {
                "required": "Enter the date it closes",
                "invalid": "Enter the closing date as a real date",
            },
        }

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is used by the platform: choose another")
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return data


class QuestionForm(GovukFormMixin, forms.ModelForm):
    options_text = forms.CharField(
        label="Answers to choose from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One on each line. Leave empty for free text; for an agree/disagree scale the usual 5 answers are used if you leave it empty",
    )

    class Meta:
        model = Question
        fields = ["text", "hint", "kind", "required", "stance_question"]
        widgets = {"kind": forms.RadioSelect}
        labels = {
            "text": "Question",
            "hint": "Hint (optional)",
            "kind": "Type of answer",
            "required": "People must answer this question",
            "stance_question": "For free text: which question says whether the person agreed? (optional)",
        }
        error_messages = {
            "text": {"required": "Enter the question"},
            "kind": {"required": "Choose the type of answer"},
        }

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["stance_question"]
        ).queryset = consultation.questions.filter(about="").exclude(kind=Question.Kind.TEXT)  # type: ignore[attr-defined]
        self.fields["stance_question"].required = False
        if self.instance.pk and not self.is_bound:
            self.fields["options_text"].initial = "\n".join(self.instance.options)
        self.helper.layout = Layout(
            "text",
            "hint",
            Field.radios("kind", legend_size=Size.SMALL),
            "options_text",
            "required",
            "stance_question",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        options = [
            line.strip()[:200]
            for line in (data.get("options_text") or "").splitlines()
            if line.strip()
        ]
        if len({o.casefold() for o in options}) != len(options):
            self.add_error(
                "options_text", "Two answers are the same: each answer must be different"
            )
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and len(options) < 2:
            self.add_error(
                "options_text", "Give at least 2 answers to choose from, one on each line"
            )
        if kind == Question.Kind.TEXT and data.get("stance_question") is None:
            pass
        data["options"] = options
        return data


class AboutYouForm(GovukFormMixin, forms.Form):
    submit_label = "Add these questions"
    keys = forms.MultipleChoiceField(
        label="Which “about you” questions should people be asked?",
        choices=[(k, v[0]) for k, v in ABOUT_YOU.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one question"},
        help_text="Every one has a “Prefer not to say” answer. You can change the wording afterwards",
    )


class DocumentForm(GovukFormMixin, forms.Form):
    submit_label = "Upload"
    title = forms.CharField(
        label="Document title",
        max_length=200,
        error_messages={"required": "Enter the document’s title"},
    )
    file = forms.FileField(
        label="File",
        help_text="PDF, Word (.docx), OpenDocument (.odt), PNG or JPEG, up to 10 MB",
        error_messages={"required": "Choose a file"},
    )


class ImportForm(GovukFormMixin, forms.Form):
    submit_label = "Upload and import"
    file = forms.FileField(
        label="CSV file", error_messages={"required": "Choose a CSV file to import"}
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.COHESION_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {settings.COHESION_MAX_UPLOAD_BYTES / 1_048_576:.0f} MB"
            )
        return upload


class CensusForm(GovukFormMixin, forms.Form):
    margins = forms.CharField(
        label="Census figures",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        required=False,
        help_text="One line each: the about-you question, the answer, the number of residents. For example: age_band,16 to 24,38000",
    )
    weight_by = forms.MultipleChoiceField(
        label="Weight the results by",
        required=False,
        choices=[(k, k.replace("_", " ").capitalize()) for k in ABOUT_YOU],
        widget=forms.CheckboxSelectMultiple,
        help_text="Weighting makes the answers count as if the people who answered matched the city. Choose questions that most people answered",
    )


def answer_field(question: Question) -> forms.Field:
    hint = question.hint
    common: dict[str, Any] = {
        "label": question.text,
        "help_text": hint,
        "required": question.required,
    }
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 8}),
            max_length=None,
            strip=False,
            error_messages={"required": "Write your answer"},
            **common,
        )
    choices = [(o, o) for o in question.options]
    if question.kind == Question.Kind.MULTIPLE:
        common["help_text"] = hint or "Choose all that apply."
        return forms.MultipleChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "Choose at least one answer",
                "invalid_choice": "Choose from the answers shown",
            },
            **common,
        )
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose an answer",
            "invalid_choice": "Choose from the answers shown",
        },
        **common,
    )


class AnswerForm(forms.Form):
    """One question on its own page, the question as the page heading."""

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        self.fields["answer"] = answer_field(question)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        if question.kind == Question.Kind.TEXT:
            self.fields["answer"].help_text = (
                question.hint + " " if question.hint else ""
            ) + f"Up to {MAX_ANSWER_CHARS:,} characters."
            field = Field.textarea("answer", label_size=Size.LARGE, label_tag="h1")
        elif question.kind == Question.Kind.MULTIPLE:
            field = Field.checkboxes("answer", legend_size=Size.LARGE, legend_tag="h1")
        else:
            field = Field.radios("answer", legend_size=Size.LARGE, legend_tag="h1")
        self.helper.layout = Layout(field)
        self.helper.form_tag = False  # the page adds the form and its two buttons
        self.helper.disable_csrf = True  # the page's own form tag carries the token


class ResumeForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"
    code = forms.CharField(
        label="Your code",
        max_length=30,
        help_text="It looks like ABCD-EFGH-JKLM",
        error_messages={"required": "Enter the code you were given"},
    )


class PaperResponseForm(GovukFormMixin, forms.Form):
    """All of a consultation's questions on one page, for an officer typing in a paper form."""

    submit_label = "Save this response"
    channel = forms.ChoiceField(
        label="How did it arrive?",
        choices=[("paper", "Paper form"), ("email", "Email")],
        widget=forms.RadioSelect,
        initial="paper",
    )
    source_reference = forms.CharField(
        label="Form number or email reference",
        max_length=100,
        help_text="Written on the form or the email, so the same response cannot be entered twice",
        error_messages={"required": "Enter the form number or email reference"},
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(consultation.questions.all())
        for question in self.questions:
            field = answer_field(question)
            field.required = False  # paper forms are often part-filled; record what is there
            self.fields[f"q{question.pk}"] = field
        self.helper.layout = Layout(
            Field.radios("channel", legend_size=Size.SMALL, inline=True),
            "source_reference",
            *[
                Field.radios(f"q{q.pk}", legend_size=Size.SMALL)
                if q.kind in (Question.Kind.SINGLE, Question.Kind.SCALE)
                else Field.checkboxes(f"q{q.pk}", legend_size=Size.SMALL)
                if q.kind == Question.Kind.MULTIPLE
                else f"q{q.pk}"
                for q in self.questions
            ],
        )

    def answers(self) -> dict[int, tuple[list[str], str]]:
        out: dict[int, tuple[list[str], str]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Question.Kind.TEXT:
                out[question.pk] = ([], value or "")
            elif question.kind == Question.Kind.MULTIPLE:
                out[question.pk] = (list(value or []), "")
            else:
                out[question.pk] = ([value] if value else [], "")
        return out


class RenameForm(forms.Form):
    label = forms.CharField(
        max_length=120, error_messages={"required": "Enter a name for the theme"}
    )


class CodeFrameForm(GovukFormMixin, forms.Form):
    submit_label = "Map the answers to these themes"
    frame = forms.CharField(
        label="Your code frame",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "One theme on each line: a short name, a colon, then what it covers. If a theme is "
            "a reason for the plan or against it, put (for) or (against) after its name: this "
            "helps the platform tell who agreed and who did not."
        ),
        error_messages={"required": "Enter at least 2 themes"},
    )


class CouncilResponseForm(GovukFormMixin, forms.Form):
    submit_label = "Save"
    you_said = forms.CharField(
        label="You said: a summary of what people told us",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    what_changed = forms.CharField(
        label="We did: what the council changed because of the answers",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(consultation.questions.filter(about=""))
        for question in self.questions:
            self.fields[f"r{question.pk}"] = forms.CharField(
                label=f"Our response to: {question.text}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=question.council_response,
            )


class MeasureFeedForm(GovukFormMixin, forms.Form):
    submit_label = "Add the figure to the measure"
    question = forms.ModelChoiceField(
        queryset=Question.objects.none(),
        label="Question",
        error_messages={"required": "Choose a question"},
    )
    options = forms.CharField(
        label="Answers that count",
        help_text="The answers, exactly as written, separated by semicolons. For example: Very well; Fairly well",
        error_messages={"required": "Enter the answers that count"},
    )
    measure = forms.ModelChoiceField(
        queryset=Measure.objects.filter(kind="percentage"),
        label="Measure",
        error_messages={"required": "Choose a measure"},
    )
    period = forms.CharField(
        label="Period",
        help_text="For example 2026-Q1, 2025/26 or 2026-03",
        error_messages={"required": "Enter the period"},
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["question"]
        ).queryset = consultation.questions.filter(about="").exclude(kind=Question.Kind.TEXT)  # type: ignore[attr-defined]

    def option_list(self) -> list[str]:
        return [o.strip() for o in self.cleaned_data["options"].split(";") if o.strip()]
