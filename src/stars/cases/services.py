"""Writes of the case record. Each service checks its rules and raises ``CaseError``
naming the form field at fault; nothing is written unless everything is right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from stars.cases.models import (
    CaseClosure,
    CasePhase,
    OutcomePeriod,
    Phase,
)
from stars.core import errors
from stars.core.errors import RuleError
from stars.domain.calendar import long_date
from stars.domain.outcomes.reconciliation import moved_to
from stars.partnership.selectors import contract_current
from stars.referrals.models import Funding, Referral, Status
from stars.referrals.services import referral_rerefer


class CaseError(RuleError):
    """A rule of the case record is broken; ``field`` names the form field to correct."""


def check_on_case(referral: Referral, on: dt.date, field: str) -> None:
    """A dated record of a case lies between its referral and the end of support."""
    if on < referral.referral_date:
        raise CaseError(
            field, f"cannot be before the referral date ({long_date(referral.referral_date)})"
        )
    if referral.end_date is not None and on > referral.end_date:
        raise CaseError(field, f"cannot be after support ended ({long_date(referral.end_date)})")


def check_happened(on: dt.date, field: str) -> None:
    """A meeting, an assessment, an event, a survey, a term's attendance, a phase, an outcome
    period, a placement's end and a case's closure are recorded after they happened: never
    dated after today (a date years ahead would also hide what is overdue, and a closure or
    a placement's end dated ahead would be counted before it happened)."""
    errors.check_happened(on, field, CaseError)


def check_live(referral: Referral, field: str) -> None:
    if referral.status != Status.LIVE:
        raise CaseError(field, f"The case is {referral.get_status_display().lower()}, not live")


# -- outcome periods ------------------------------------------------------------------------


def _check_overlap(
    referral: Referral, start: dt.date, end: dt.date | None, exclude: int | None = None
) -> None:
    far = dt.date.max
    for p in referral.periods.exclude(pk=exclude).order_by("start_date"):
        if start < (p.end_date or far) and p.start_date < (end or far):
            until = long_date(p.end_date) if p.end_date else "now (continuing)"
            # a new placement after a continuing one: that one ends first, on its own page
            then = (
                "; to record a move or a new placement, use End the placement on the case page"
                if p.end_date is None and exclude is None and start > p.start_date
                else ""
            )
            raise CaseError(
                "start_date",
                f"overlaps the period from {long_date(p.start_date)} to {until}{then}",
            )


def _check_period(
    referral: Referral, start_date: dt.date, end_date: dt.date | None, exclude: int | None = None
) -> None:
    """The rules of an outcome period, recorded or corrected: it has happened (no date after
    today), lies inside the case's dates (from the referral date; once support has ended, it
    starts before and ends by that day) and overlaps no other period of the case
    (``exclude``: the one being corrected)."""
    check_happened(start_date, "start_date")
    if end_date is not None:
        check_happened(end_date, "end_date")
    if start_date < referral.referral_date:
        raise CaseError(
            "start_date",
            f"cannot be before the referral date ({long_date(referral.referral_date)})",
        )
    if end_date is not None and end_date <= start_date:
        raise CaseError("end_date", "must be after the start date")
    if referral.end_date is not None and start_date >= referral.end_date:
        raise CaseError(
            "start_date", f"must be before support ended ({long_date(referral.end_date)})"
        )
    if referral.end_date is not None and (end_date is None or end_date > referral.end_date):
        raise CaseError(
            "end_date", f"cannot be after support ended ({long_date(referral.end_date)})"
        )
    _check_overlap(referral, start_date, end_date, exclude)


@transaction.atomic
def outcome_period_record(
    *, referral: Referral, start_date: dt.date, end_date: dt.date | None = None, note: str = ""
) -> OutcomePeriod:
    """Record a period the placement (or home) was sustained; the end is exclusive."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    _check_period(referral, start_date, end_date)
    return OutcomePeriod.objects.create(
        referral=referral, start_date=start_date, end_date=end_date, note=note.strip()[:300]
    )


CORRECTION = "correction: "  # the change reason of a correction starts with it
CORRECTION_REASON_MAX = 400  # as a record's correction (stars.governance); kept in full


@transaction.atomic
def outcome_period_correct(
    *,
    referral: Referral,
    period_id: int,
    start_date: dt.date,
    end_date: dt.date | None,
    note: str,
    reason: str,
    by: Any,
) -> OutcomePeriod:
    """Correct a recorded outcome period's dates or note, with a reason, under the rules of
    recording one. The old values stay in the period's change history with who corrected
    it, when and why (``correction: REASON``). Claims already made are never rewritten: the
    engine's figure moves, and the council's next claim carries the difference as an
    adjustment line (``stars.domain.outcomes.claims``)."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    period = OutcomePeriod.objects.filter(referral=referral, pk=period_id).first()
    if period is None:
        raise CaseError(None, "This case has no such outcome period")
    reason = reason.strip()
    if not reason:
        raise CaseError("reason", "Enter the reason for the correction")
    if len(reason) > CORRECTION_REASON_MAX:
        raise CaseError("reason", f"Reason must be {CORRECTION_REASON_MAX} characters or less")
    _check_period(referral, start_date, end_date, exclude=period.pk)
    note = note.strip()[:300]
    if (period.start_date, period.end_date, period.note) == (start_date, end_date, note):
        raise CaseError("start_date", "Nothing to correct: the period already reads so")
    period.start_date, period.end_date, period.note = start_date, end_date, note
    period._change_reason = CORRECTION + reason  # type: ignore[attr-defined]
    period._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    period.save()
    return period


def place_of(referral: Referral) -> str:
    """Where a move takes the referral's child, by its cohort's outcome in the contract:
    "foster placement" (DN2's A and B), "home" (a child at home or out of care)."""
    return moved_to(contract_current().cohort(referral.cohort).outcome)


def period_end_reasons(place: str) -> dict[str, str]:
    """Why an outcome period ends, for a child whose moves are to another ``place``."""
    return {
        "breakdown": "Placement broke down",
        "move": f"Moved to another {place} (the case stays open)",
        "ended": "Ended for another reason",
    }


@transaction.atomic
def outcome_period_end(
    *,
    referral: Referral,
    end_date: dt.date,
    reason: str,
    new_start: dt.date | None = None,
    note: str = "",
) -> tuple[OutcomePeriod, OutcomePeriod | None]:
    """End the open period. A breakdown ends it; a move to another placement or home ends it
    and starts a new one (on ``new_start``, the end date by default) and the case stays open.
    Closing the case is a separate step (``case_close``)."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    place = place_of(referral)
    reasons = period_end_reasons(place)
    if reason not in reasons:
        raise CaseError("reason", "Select why the placement ended")
    check_happened(end_date, "end_date")
    if new_start is not None and reason != "move":
        # a new placement's start is never dropped unseen: it was meant as a move, or typed
        # in the wrong field
        raise CaseError(
            "new_start",
            f"is for a move to another {place}: choose that reason, or leave it blank",
        )
    if new_start is not None:
        check_happened(new_start, "new_start")
    period = referral.periods.filter(end_date__isnull=True).order_by("-start_date").first()
    if period is None:
        raise CaseError("end_date", "There is no continuing period to end")
    if end_date <= period.start_date:
        raise CaseError(
            "end_date", f"must be after the period's start ({long_date(period.start_date)})"
        )
    if reason == "move" and referral.status != Status.LIVE:
        raise CaseError("reason", "The case has ended: record the move before closing it")
    if reason == "move" and new_start is not None and new_start < end_date:
        raise CaseError("new_start", "The new placement cannot start before the last one ended")
    period.end_date = end_date
    period.note = (period.note + "; " if period.note else "") + reasons[reason]
    period.note = period.note[:300]
    period.save(update_fields=["end_date", "note"])
    if reason != "move":
        return period, None
    new = outcome_period_record(
        referral=referral, start_date=new_start or end_date, note=note or f"New {place}"
    )
    return period, new


# -- closure and cohort moves ---------------------------------------------------------------


def _end_open_periods(referral: Referral, on: dt.date) -> None:
    for p in referral.periods.filter(end_date__isnull=True):
        p.end_date = max(on, p.start_date)
        p.save(update_fields=["end_date"])


@transaction.atomic
def case_close(
    *,
    referral: Referral,
    outcome: str,
    on: dt.date,
    reason: str = "",
    narrative: str = "",
    by: Any = None,
) -> Referral:
    """Close a live case: graduated, closed early (with a reason and narrative) or
    guaranteed-funding period complete. A continuing outcome period ends with support."""
    contract = contract_current()
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    check_live(referral, "outcome")
    check_happened(on, "end_date")
    if on < referral.referral_date:
        raise CaseError(
            "end_date", f"cannot be before the referral date ({long_date(referral.referral_date)})"
        )
    if outcome == Status.GRADUATED:
        due = referral.referral_date + dt.timedelta(weeks=contract.programme_weeks)
        if on < due:
            raise CaseError(
                "end_date",
                f"A case graduates after the programme's {contract.programme_weeks} weeks "
                f"(from {long_date(due)})",
            )
        reason = ""
    elif outcome == Status.CLOSED_EARLY:
        if reason not in contract.closure_reasons:
            raise CaseError("reason", "Select the reason the case closed early")
        if not narrative.strip():
            raise CaseError("narrative", "Say what happened, in a few sentences")
    elif outcome == Status.GF_COMPLETE:
        if referral.funding != Funding.GUARANTEED:
            raise CaseError("outcome", "Only a guaranteed-funding case completes that period")
        due = referral.referral_date + dt.timedelta(weeks=contract.guaranteed_funding.minimum_weeks)
        if on < due:
            raise CaseError(
                "end_date", f"The guaranteed-funding period runs until {long_date(due)}"
            )
        reason = ""
    else:
        raise CaseError("outcome", "Select how the case ended")
    if referral.periods.filter(start_date__gt=on).exists():
        raise CaseError("end_date", "An outcome period starts after this date")
    referral.status, referral.end_date, referral.closure_reason = outcome, on, reason
    referral.save(update_fields=["status", "end_date", "closure_reason"])
    _end_open_periods(referral, on)
    CaseClosure.objects.update_or_create(
        referral=referral,
        defaults={
            "outcome": outcome,
            "reason": reason,
            "narrative": narrative.strip(),
            "recorded_by": by if getattr(by, "pk", None) else None,
        },
    )
    return referral


@transaction.atomic
def case_move_cohort(
    *, referral: Referral, cohort: str, on: dt.date, narrative: str = "", by: Any = None
) -> Referral:
    """Move a live case to another cohort: a linked re-referral (no enquiry, a new id, the
    same child) in the new cohort; the old referral closes on the same day."""
    contract = contract_current()
    check_live(referral, "cohort")
    target = contract.canonical_cohort(cohort)
    if target is None:
        raise CaseError("cohort", f"Select one of {', '.join(contract.cohort_codes)}")
    if target == referral.cohort:
        raise CaseError("cohort", f"The case is already in cohort {target}")
    check_on_case(referral, on, "referral_date")
    check_happened(on, "referral_date")
    if referral.periods.filter(start_date__gt=on).exists():
        raise CaseError("referral_date", "An outcome period starts after this date")
    # a PipelineError is a RuleError too: the page puts it on the field it names
    new = referral_rerefer(referral=referral, on=on, cohort=target, reason="cohort_move")
    referral.refresh_from_db()
    _end_open_periods(referral, on)
    CaseClosure.objects.update_or_create(
        referral=referral,
        defaults={
            "outcome": referral.status,
            "reason": referral.closure_reason,
            "narrative": (narrative.strip() or f"Moved to cohort {target}"),
            "moved_to": new,
            "recorded_by": by if getattr(by, "pk", None) else None,
        },
    )
    CasePhase.objects.create(referral=new, phase=Phase.PREPARATION, start_date=on)
    return new
