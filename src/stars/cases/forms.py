"""Forms of the case record: short, each asking only what its step needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from stars.cases.models import (
    MeasureKind,
    Phase,
    Question,
    TeamRole,
    answer_scale,
)
from stars.cases.record import ANSWERED_BY_MAX
from stars.cases.services import CORRECTION_REASON_MAX, period_end_reasons
from stars.core.forms import GovukForm, date_field, number_field, optional_date
from stars.referrals.models import Status


def _choice(
    label: str, choices: Any, radio: bool = False, required: bool = True, missing: str = ""
) -> Any:
    """A required choice: radios, or a list that opens on an empty "Select" option (never on
    its first real choice, which would be recorded if the user did not look)."""
    if not radio and choices:
        choices = [("", "Select…"), *choices]
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radio else forms.Select,
        error_messages={"required": missing or f"Select the {label.lower()}"},
    )


class PhaseForm(GovukForm):
    phase = _choice("Phase", Phase.choices, radio=True)
    start_date = date_field("Start date", "The day the case moved into this phase")


class TeamMemberForm(GovukForm):
    role = _choice("Role", TeamRole.choices)
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="A name or a reference, for example: Therapist 2",
        error_messages={"required": "Enter the name"},
    )
    added_on = date_field("Joined the team on", what="date they joined the team")


ACTION_ROWS = 3


class MeetingForm(GovukForm):
    date = date_field("Date of the meeting")
    attendees = forms.MultipleChoiceField(
        label="Who attended",
        choices=TeamRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select who attended"},
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=f"Action {i}", max_length=300, required=False
            )
            self.fields[f"owner_{i}"] = forms.CharField(
                label=f"Action {i}: owner", max_length=200, required=False
            )
            self.fields[f"due_{i}"] = optional_date(
                f"Action {i}: due date", what=f"due date of action {i}"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, ACTION_ROWS + 1):
            if (data.get(f"action_{i}") or "").strip():
                if not (data.get(f"owner_{i}") or "").strip():
                    self.add_error(f"owner_{i}", f"Enter who owns action {i}")
                if not data.get(f"due_{i}") and f"due_{i}" not in self.errors:
                    self.add_error(f"due_{i}", f"Enter the due date of action {i}")
        return data

    def actions(self) -> list[tuple[str, str, Any]]:
        d = self.cleaned_data
        return [
            (d[f"action_{i}"], d[f"owner_{i}"], d[f"due_{i}"])
            for i in range(1, ACTION_ROWS + 1)
            if (d.get(f"action_{i}") or "").strip()
        ]


class ActionsDoneForm(GovukForm):
    actions = forms.MultipleChoiceField(
        label="Actions done",
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the actions that are done"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].choices = choices


class InterventionForm(GovukForm):
    kind = _choice("Intervention", [])
    start_date = date_field("Start date")
    end_date = optional_date("End date", "Leave blank while it continues")
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args: Any, choices: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        """``choices``: the contract's interventions, as (code, label)."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Select…"), *choices]


class PeriodForm(GovukForm):
    start_date = date_field("Start date", "First day the placement or home was sustained")
    end_date = optional_date("End date", "The day it stopped (not counted); blank if it continues")
    note = forms.CharField(label="Note", max_length=300, required=False)


class PeriodCorrectForm(PeriodForm):
    """A recorded period as it should read, and why (kept in its history)."""

    reason = forms.CharField(
        label="Reason for the correction",
        max_length=CORRECTION_REASON_MAX,
        help_text="Kept in the period's history with the old values, who corrected it and when",
    )


class PeriodEndForm(GovukForm):
    end_date = date_field("End date", "The day the placement ended (not counted)")
    reason = _choice("Reason", (), radio=True)
    new_start = optional_date(
        "New placement started on",
        "For a move: blank if the same day as the end date",
        what="date the new placement started",
    )

    def __init__(self, *args: Any, place: str, **kwargs: Any) -> None:
        """``place``: where a move takes the child (``services.place_of``)."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = list(period_end_reasons(place).items())
        if place != "foster placement":
            self.fields["new_start"].label = f"Moved to the new {place} on"


class AttendanceForm(GovukForm):
    term = forms.CharField(
        label="Term",
        max_length=40,
        help_text="For example: autumn 2024",
        error_messages={"required": "Enter the term"},
    )
    start_date = date_field("Term start date")
    possible_sessions = number_field(
        "Possible sessions",
        "Half days the school was open to the child",
        min_value=0,
        missing="Enter the number of possible sessions",
    )
    attended_sessions = number_field(
        "Sessions attended", min_value=0, missing="Enter the number of sessions attended"
    )


class AssessmentForm(GovukForm):
    """An instrument's scores; ``instrument`` (hidden) is the tool whose areas are shown."""

    instrument = forms.CharField(widget=forms.HiddenInput, required=False)
    date = date_field("Date of the assessment")

    def __init__(self, *args: Any, instrument: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].initial = instrument.pk
        for area in instrument.areas.all():
            low, high = instrument.scale_min, instrument.scale_max
            self.fields[f"area_{area.pk}"] = number_field(
                area.name,
                f"{low} to {high}",
                min_value=low,
                max_value=high,
                missing=f"Enter a score for {area.name}",
                subject=f"The score for {area.name}",
            )

    def scores(self) -> dict[int, int]:
        return {
            int(k.removeprefix("area_")): v
            for k, v in self.cleaned_data.items()
            if k.startswith("area_") and v is not None
        }


class MeasureForm(GovukForm):
    date = date_field("Date")
    kind = _choice("What happened", MeasureKind.choices, missing="Select what happened")
    note = forms.CharField(label="Note", max_length=300, required=False)


class SurveyForm(GovukForm):
    """One respondent's answers; ``respondent`` (hidden) is whose scale is shown."""

    respondent = forms.CharField(widget=forms.HiddenInput, required=False)
    answered_by = forms.CharField(
        label="Who answered (optional)",
        max_length=ANSWERED_BY_MAX,
        required=False,
        help_text="A name or a reference, for example: Carer 2. Tells two respondents apart "
        "who give the same answers on one day",
    )
    date = date_field("Date of the survey")

    def __init__(self, *args: Any, respondent: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["respondent"].initial = respondent
        for q, label in Question.choices:
            self.fields[q] = _choice(label, answer_scale(respondent), radio=True, required=False)

    def answers(self) -> dict[str, str]:
        return {q: self.cleaned_data.get(q) or "" for q in Question.values}


class CloseForm(GovukForm):
    outcome = _choice(
        "How the case ended",
        [(v, label) for v, label in Status.choices if v != Status.LIVE],
        radio=True,
        missing="Select how the case ended",
    )
    end_date = date_field("Date support ended")
    reason = _choice("Reason for closing early", (), required=False)
    narrative = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        required=False,
        help_text="Required when a case closes early",
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "Not closed early"), *reasons]


class MoveCohortForm(GovukForm):
    cohort = _choice("New cohort", ())
    referral_date = date_field("Date of the move", "The old referral closes on this day")
    narrative = forms.CharField(label="Why the case moves", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, cohorts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "Select a cohort"), *cohorts]


class AllocateForm(GovukForm):
    key_worker = _choice("Key worker", [], missing="Select the key worker")
    reason = forms.CharField(
        label="Reason (optional)",
        max_length=100,
        required=False,
        help_text="For example: caseload balance, the key worker is leaving, a better match",
    )

    def __init__(self, *args: Any, key_workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].choices = [("", "Select…"), *key_workers]
