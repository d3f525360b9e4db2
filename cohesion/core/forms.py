from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm


def whole_number(value: object, *, max_digits: int = 18) -> int | None:
    """A record's number (or a page's) as sent in a form or a link, or None when it is not one:
    words, digits of other scripts ("²", which ``str.isdigit`` accepts but ``int`` and the
    database refuse), a sign, or more digits than any id has. So a tampered or garbled value
    finds nothing, instead of failing the request."""
    text = value.strip() if isinstance(value, str) else ""
    if text and len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


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
