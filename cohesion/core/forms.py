from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm


class GovukFormMixin:
    """Give a form GOV.UK markup through crispy-forms-gds, with one submit button."""

    submit_label = "Save"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The server checks every answer and shows the GOV.UK error summary; the browser's own
        # pop-up checks would stop that page appearing.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.FloatField | forms.IntegerField | forms.DecimalField):
                # GOV.UK asks for text inputs with an input mode rather than type=number.
                mode = "numeric" if isinstance(field, forms.IntegerField) else "decimal"
                field.widget = forms.TextInput(attrs={"inputmode": mode, "spellcheck": "false"})


class SignInForm(GovukFormMixin, AuthenticationForm):
    submit_label = "Sign in"

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask a platform admin to switch it on.",
    }


class ApiTokenForm(GovukFormMixin, forms.Form):
    submit_label = "Create token"

    name = forms.CharField(
        label="What will use this token?",
        help_text="For example “Police data feed”. You will see the token only once.",
        max_length=100,
        error_messages={"required": "Enter what will use this token"},
    )
