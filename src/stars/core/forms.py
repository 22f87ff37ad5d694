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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from stars.core.errors import RuleError
from stars.domain.calendar import DATE_PARTS, read_date_parts

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
        subject = getattr(field, "subject", "") or label
        low, high = field.min_value, field.max_value
        example = getattr(field, "example", None)
        if example is None:  # 6, or the nearest number in range
            example = max(6, low) if low is not None else 6
            example = min(example, high) if high is not None else example
        msgs["invalid"] = f"{subject} must be a whole number, like {example}"
        if low is not None and high is not None:
            msgs["min_value"] = msgs["max_value"] = f"{subject} must be between {low} and {high}"
        else:
            msgs["min_value"] = f"{subject} must be {low} or more"
            msgs["max_value"] = f"{subject} must be {high} or less"
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


class NumberBox(forms.TextInput):
    """GOV.UK's number input: a text box (``stars/field.html`` draws it) that brings up the
    phone's number keyboard (``inputmode="numeric"``), never ``type="number"``, which sends
    "3-4" or "3 sessions" as nothing at all and loses what was typed."""

    input_type = "text"

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "numeric", "spellcheck": "false"})


class WholeNumberField(forms.IntegerField):
    """A whole number typed in a :class:`NumberBox`: what was typed is kept and shown again
    when it is wrong, and the messages name the field and what it takes: "Possible sessions
    must be a whole number, like 6", "... must be between 1 and 5", "... must be 0 or more".
    ``subject`` names it at the start of a sentence when the label does not ("The score for
    Family"); ``example`` is the number the first message gives (one in range, else)."""

    widget = NumberBox

    def __init__(
        self, *, label: str, subject: str = "", example: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(label=label, **kwargs)
        self.subject = subject or label
        self.example = example


def number_field(
    label: str,
    help_text: str = "",
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    missing: str = "",
    subject: str = "",
    example: int | None = None,
    required: bool = True,
) -> WholeNumberField:
    """A whole number the user types (sessions, a score, a count of runs); ``missing`` is
    the message when it is left empty (else "Enter the <label>")."""
    return WholeNumberField(
        label=label,
        help_text=help_text,
        min_value=min_value,
        max_value=max_value,
        subject=subject,
        example=example,
        required=required,
        error_messages={"required": missing} if missing else None,
    )


class DateInput(forms.DateInput):
    """The browser's date picker: for a filter or an as-of date a page is looked at for."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


# A date picker sends 2024-03-27; a date typed without one may be 27 3 2024 or 27/03/2024.
DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"]


class DateBoxes(forms.Widget):
    """GOV.UK's date input: three boxes, Day, Month and Year, named ``<name>-day``,
    ``<name>-month`` and ``<name>-year`` (``stars/field.html`` draws them). What it reads is
    the three texts as typed; a date sent whole under the field's own name (2024-03-27, as a
    script sends it) is read as it comes."""

    input_type = "date-boxes"

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        keys = [f"{name}-{part}" for part in DATE_PARTS]
        if any(k in data for k in keys):
            return tuple(str(data.get(k) or "") for k in keys)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}-{part}" in data for part in DATE_PARTS)


class DateBoxesField(forms.DateField):
    """A date a user knows (a meeting's, a birth's), typed in GOV.UK's three boxes, with
    GOV.UK's messages naming it: "Enter the date of the meeting", "Date of the meeting must
    include a month", "Date of the meeting must be a real date"."""

    widget = DateBoxes

    def __init__(self, *, label: str, what: str = "", **kwargs: Any) -> None:
        what = what or label
        sentence = self.subject = what[:1].upper() + what[1:]
        object_ = what if what.split(" ", 1)[0].isupper() else what[:1].lower() + what[1:]
        super().__init__(
            label=label,
            input_formats=DATE_FORMATS,
            error_messages={
                "required": f"Enter the {object_}",
                "incomplete": f"{sentence} must include a %(parts)s",
                "year": f"{sentence} must include a year of 4 numbers, for example, 2024",
                "invalid": f"{sentence} must be a real date",
            },
            **kwargs,
        )

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, tuple | list):
            return super().to_python(value)
        read = read_date_parts(*value)
        if read.problem == "blank":
            return None
        if read.problem == "incomplete":
            parts = " and ".join(read.parts)
            raise ValidationError(
                self.error_messages["incomplete"], code="incomplete", params={"parts": parts}
            )
        if read.problem:
            raise ValidationError(self.error_messages[read.problem.replace("real", "invalid")])
        return read.date


@dataclass(frozen=True)
class DateBox:
    """One box of a date input as drawn: its part, id, name, label, width, text and whether
    it is the one in error."""

    part: str
    id: str
    name: str
    label: str
    width: int
    value: str
    error: bool


def date_boxes(field: forms.BoundField) -> list[DateBox]:
    """The three boxes of a date field, each with what was typed (or the date recorded) and,
    when the field is in error, marked if it is at fault: the box left empty or mistyped, or
    every box when the date as a whole is wrong (31 February, a rule's refusal)."""
    value = field.value()
    if isinstance(value, tuple | list):
        typed = tuple(str(v) for v in value)
    else:
        day = value if isinstance(value, dt.date) else _whole_date(value)
        typed = (str(day.day), str(day.month), f"{day.year:04d}") if day else ("", "", "")
    faulty: tuple[str, ...] = ()
    if field.errors:
        read = read_date_parts(*typed)
        faulty = read.parts if read.problem not in ("", "blank") else DATE_PARTS
    return [
        DateBox(
            part=part,
            id=f"{field.auto_id}-{part}",
            name=f"{field.html_name}-{part}",
            label=part.capitalize(),
            width=4 if part == "year" else 2,
            value=text,
            error=part in faulty,
        )
        for part, text in zip(DATE_PARTS, typed, strict=True)
    ]


def _whole_date(text: Any) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(str(text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def date_field(label: str, help_text: str = "", *, what: str = "") -> forms.DateField:
    """A date the user knows, in three boxes; ``what`` names it in messages when the label
    does not read as a noun ("Joined the team on": "the date they joined the team")."""
    return DateBoxesField(label=label, what=what, help_text=help_text)


def optional_date(label: str, help_text: str = "", *, what: str = "") -> forms.DateField:
    f = date_field(label, help_text, what=what)
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
        if not field.field.widget.value_omitted_from_data(data, {}, field.html_name)
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
            named = form.fields[field] if shown else None
            form.add_error(field if shown else None, rule_sentence(named, field, message))
        return FAILED


PREDICATES = ("must ", "cannot ", "is ", "overlaps ")


def rule_sentence(field: forms.Field | None, name: str | None, message: str) -> str:
    """A rule's message as a sentence that reads alone, as GOV.UK shows it in the error
    summary. The rules write their messages as sentences ("Select the phase"), except a
    predicate about the field they name ("must be today or in the past"), whose subject is
    the form's to say: the field's name ("Date of the meeting must be today or in the past"),
    or, for a field not on the page, the rule's name for it ("End date must be ...")."""
    if not message.startswith(PREDICATES):
        return message
    if field is not None:
        subject = getattr(field, "subject", "") or str(field.label or "").strip().rstrip("?:")
    else:
        subject = (name or "").replace("_", " ").capitalize() or "This"
    return f"{subject} {message}"


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
