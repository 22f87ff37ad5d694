"""Forms whose messages follow the GOV.UK Design System's error message style.

Every form of the service derives from :class:`GovukForm`. A field without a message of its
own for a mistake gets one built from its label, in GOV.UK's words ("Enter the month",
"Select the council", "Term must be 40 characters or less"), never Django's defaults
("This field is required.", "Enter a whole number."). Fields added in ``__init__`` are
covered too: the messages are set just before the form is cleaned.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

ASK = ("who", "what", "why", "when", "where", "which", "how", "whether")


def _what(label: str) -> str:
    """The label as the object of a sentence: "the child's first name", "who attended"."""
    text = str(label).strip().rstrip("?:").strip()
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:  # an acronym such as ADHD keeps its capitals
        return f"the {text}"
    text = text[:1].lower() + text[1:]
    return text if first.lower() in ASK else f"the {text}"


def _django_defaults(field: forms.Field) -> dict[str, str]:
    out: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        out.update({k: str(v) for k, v in getattr(cls, "default_error_messages", {}).items()})
    return out


def govuk_messages(field: forms.Field) -> dict[str, str]:
    """GOV.UK messages for a field's mistakes, from its label and limits."""
    label = str(field.label or "").strip().rstrip("?:").strip() or "This"
    what = _what(label)
    choice = isinstance(field, forms.ChoiceField | forms.BooleanField)
    msgs = {
        "required": f"Select {what}" if choice else f"Enter {what}",
        "invalid_choice": f"Select {what} from the list",
        "invalid_list": f"Select {what} from the list",
    }
    if isinstance(field, forms.DateField):
        msgs["invalid"] = f"{label} must be a real date, for example, 27 3 2024"
    elif isinstance(field, forms.IntegerField):
        msgs["invalid"] = f"{label} must be a whole number"
        low, high = field.min_value, field.max_value
        if low is not None and high is not None:
            msgs["min_value"] = msgs["max_value"] = f"{label} must be between {low} and {high}"
        else:
            msgs["min_value"] = f"{label} must be {low} or more"
            msgs["max_value"] = f"{label} must be {high} or less"
    elif isinstance(field, forms.CharField):
        msgs["max_length"] = f"{label} must be {field.max_length} characters or less"
        msgs["invalid"] = f"Enter {what} in the right format"
    return msgs


class GovukForm(forms.Form):
    """A form whose every message is a GOV.UK one (see the module's docstring)."""

    def full_clean(self) -> None:
        for field in self.fields.values():
            defaults = _django_defaults(field)
            for key, message in govuk_messages(field).items():
                if str(field.error_messages.get(key, "")) in ("", defaults.get(key)):
                    field.error_messages[key] = message
        super().full_clean()


class SignInForm(GovukForm, AuthenticationForm):
    """Django's sign-in form, in GOV.UK's words."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password (both are case-sensitive)",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
