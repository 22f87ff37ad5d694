"""A rule's refusal is written as a sentence where the rule is ("Select the phase"), so the
form, the API's 422 and the command line all show the same words and nothing capitalises
them on the way. The one exception is a predicate about the field the rule names ("must be
today or in the past"): the form puts the field's name before it."""

from __future__ import annotations

import ast
from pathlib import Path

from django import forms

from stars.cases.forms import AllocateForm, AttendanceForm, InterventionForm, MoveCohortForm
from stars.core.errors import RuleError
from stars.core.forms import FAILED, PREDICATES, run_step

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"
REFUSALS = {"RuleError", "PipelineError", "CaseError", "ClaimError", "DisposalError"}


def _refusals() -> list[tuple[str, str]]:
    """Each refusal written in the service's code: where, and the text it starts with."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = getattr(func, "id", "") or getattr(func, "attr", "")
            if name not in REFUSALS and not (name == "error" and "check_happened" in str(path)):
                continue
            message = node.args[1]
            if isinstance(message, ast.JoinedStr) and message.values:
                message = message.values[0]
            if isinstance(message, ast.Constant) and isinstance(message.value, str):
                found.append((f"{path.relative_to(SRC)}:{node.lineno}", message.value))
    return found


def test_every_refusal_is_written_as_a_sentence_or_a_predicate():
    refusals = _refusals()
    assert len(refusals) > 80
    lower = [
        (where, text)
        for where, text in refusals
        if text[:1].islower() and not text.startswith(PREDICATES)
    ]
    assert lower == []


def test_a_refusal_of_a_choice_says_select_as_gov_uk_does():
    """GOV.UK's error messages for radios and lists say "Select the phase", "Select if ...",
    as the messages built from a field's label do; a rule said "Choose the phase" instead."""
    choose = [(where, text) for where, text in _refusals() if text.startswith("Choose")]
    assert choose == []
    assert sum(text.startswith("Select ") for _, text in _refusals()) >= 15


class _Form(forms.Form):
    date = forms.DateField(label="Date of the meeting")
    kind = forms.CharField(widget=forms.HiddenInput, required=False)


def _shown(field: str | None, message: str) -> list[str]:
    form = _Form(data={"date": "2024-03-27"})
    assert form.is_valid()

    def refuse() -> None:
        raise RuleError(field, message)

    assert run_step(form, refuse) is FAILED
    return [str(e) for errors in form.errors.values() for e in errors]


def test_a_refusal_is_shown_as_the_rule_wrote_it():
    assert _shown("date", "This meeting is already recorded on this date") == [
        "This meeting is already recorded on this date"
    ]
    assert _shown(None, "Only an administrator may do this") == [
        "Only an administrator may do this"
    ]


def test_a_predicate_is_given_its_fields_name_on_the_page_or_the_rules_off_it():
    assert _shown("date", "must be today or in the past") == [
        "Date of the meeting must be today or in the past"
    ]
    assert _shown("kind", "cannot be before the start date") == [
        "Kind cannot be before the start date"
    ]
    assert _shown("referral_date", "cannot be before the start date") == [
        "Referral date cannot be before the start date"
    ]


def test_a_predicate_about_a_number_names_the_number():
    form = AttendanceForm(
        data={
            "term": "spring 2022",
            "start_date": "2022-01-04",
            "possible_sessions": "120",
            "attended_sessions": "130",
        }
    )
    assert form.is_valid()

    def refuse() -> None:
        raise RuleError("attended_sessions", "cannot be more than the 120 possible")

    run_step(form, refuse)
    assert form.errors["attended_sessions"] == [
        "Sessions attended cannot be more than the 120 possible"
    ]


def test_a_list_opens_on_an_empty_option_that_says_select():
    """A list's empty first option asks as its refusal does ("Select ..."), never "Choose"."""
    forms_ = (
        AllocateForm(key_workers=[("kw", "A key worker")]),
        InterventionForm(choices=[("therapy", "Therapy")]),
        MoveCohortForm(cohorts=[("A", "Cohort A")]),
    )
    empty = [
        str(label)
        for f in forms_
        for field in f.fields.values()
        for value, label in getattr(field, "choices", [])
        if value == ""
    ]
    assert empty and all(text.startswith("Select") for text in empty), empty
