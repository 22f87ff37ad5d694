"""What every form page shares: GOV.UK messages, date fields, and the step that runs a service.

Every form of the service derives from :class:`GovukForm`. A field without a message of its
own for a mistake gets one built from its label, in GOV.UK's words ("Enter the month",
"Select the council", "Term must be 40 characters or less"), never Django's defaults
("This field is required.", "Enter a whole number."). Fields added in ``__init__`` are
covered too: the messages are set just before the form is cleaned.

A form step is a page that asks for a form, and on a valid POST runs a service: if the
rules accept it, the page says so and moves on; if a rule refuses (``RuleError``), its
message goes on the field it names and the form is shown again as it was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from stars.core.errors import RuleError

ASK = ("who", "what", "why", "when", "where", "which", "how", "whether")
FAILED = object()  # what run_step answers when a rule refused the step


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


class AuditForm(GovukForm):
    """The audit page's filter (posted, so a record typed into it, often a child's
    reference, is never in an address): a user, a record, or both."""

    who = forms.CharField(label="Username", required=False, max_length=150)
    record = forms.CharField(
        label="Record (referral, enquiry or claim id, or child reference)",
        required=False,
        max_length=100,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data = {k: " ".join(str(data.get(k) or "").split()) for k in ("who", "record")}
        if not any(data.values()):
            self.add_error("who", "Enter a username or a record to narrow the audit to")
        return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


# A date picker sends 2024-03-27; a date typed without one may be 27 3 2024 or 27/03/2024.
DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"]


def date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        help_text=help_text,
        input_formats=DATE_FORMATS,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a real date, for example, 27 3 2024",
        },
    )


def optional_date(label: str, help_text: str = "") -> forms.DateField:
    f = date_field(label, help_text)
    f.required = False
    return f


SWITCH = "switch"  # the name of a form's buttons that show it for another choice


def switched_to(request: HttpRequest) -> str:
    """The choice a form's switch button posted (another assessment tool, another
    respondent): the form is shown again for it with what was typed, and nothing is saved.
    "" for any other request."""
    return request.POST.get(SWITCH, "") if request.method == "POST" else ""


def shown_as_typed(form: forms.Form, data: QueryDict) -> forms.Form:
    """``form`` (unbound) showing what was typed in ``data`` in its visible fields, unchecked:
    no error is shown for what is not finished yet. Its hidden fields keep their own
    values (what the page is for, e.g. the tool chosen)."""
    typed = {
        field.name: field.field.widget.value_from_datadict(data, {}, field.html_name)
        for field in form.visible_fields()
        if field.html_name in data
    }
    form.initial = {**form.initial, **typed}
    return form


def run_step(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Run a service; if a rule refuses, put each of its problems on the field it names (or
    on the form as a whole: a field not on the page, or hidden, has no place to show it) and
    answer :data:`FAILED`."""
    try:
        return call()
    except RuleError as exc:
        for field, message in exc.problems:
            shown = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown else None, message)
        return FAILED


def form_step(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[dict[str, Any]], Any],
    *,
    done: Callable[[Any], tuple[str, str]],
    template: str = "stars/form_page.html",
    **context: Any,
) -> HttpResponse:
    """The form page of a step: on a valid POST, ``run(cleaned_data)``; when the rules accept
    it, ``done(result)`` gives the message to show and the URL to go to. Otherwise (a GET, an
    invalid form, a refusal) the form is shown again with its errors, in ``template``."""
    if request.method == "POST" and form.is_valid():
        result = run_step(form, lambda: run(form.cleaned_data))
        if result is not FAILED:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {"form": form, **context})
