"""What every form page shares: date fields, and the step that runs a service.

A form step is a page that asks for a form, and on a valid POST runs a service: if the
rules accept it, the page says so and moves on; if a rule refuses (``RuleError``), its
message goes on the field it names and the form is shown again as it was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from stars.core.errors import RuleError

FAILED = object()  # what run_step answers when a rule refused the step


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, like 2024-03-27",
        },
    )


def optional_date(label: str, help_text: str = "") -> forms.DateField:
    f = date_field(label, help_text)
    f.required = False
    return f


def run_step(form: forms.Form, call: Callable[[], Any]) -> Any:
    """Run a service; if a rule refuses, put its message on the field it names (or on the
    form as a whole) and answer :data:`FAILED`."""
    try:
        return call()
    except RuleError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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
