"""Writes of the case record itself: phases, team, meetings and actions, interventions,
attendance, assessments, measures and closing surveys. Each service checks its rules and
raises ``CaseError`` naming the form field at fault; nothing is written unless all is right.
(Outcome periods, closures and cohort moves are in ``stars.cases.services``.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from stars.cases.models import (
    ANSWERS,
    AssessmentScore,
    AttendanceTerm,
    CaseDates,
    CasePhase,
    ClosingSurvey,
    Instrument,
    Intervention,
    MeasureEvent,
    MeasureKind,
    MeetingAction,
    Phase,
    ProgressMeeting,
    Question,
    Respondent,
    TeamMember,
    TeamRole,
    answer_scale,
)
from stars.cases.models import Assessment as AssessmentModel
from stars.cases.services import CaseError, check_happened, check_on_case
from stars.domain.calendar import long_date
from stars.domain.measures import SCHOOL_YEAR_SESSIONS
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral


def _latest(rows: Any, date_field: str) -> Subquery:
    """The latest ``date_field`` of a case's rows (a meeting, an assessment, a term): one
    entry of its (referral, date) index."""
    return Subquery(
        rows.filter(referral=OuterRef("pk")).order_by(f"-{date_field}").values(date_field)[:1]
    )


def case_dates_from_rows(referral_ids: Sequence[int]) -> QuerySet[Referral, Any]:
    """(id, latest meeting, latest assessment, latest term start) of each of these cases,
    from its rows."""
    return (
        Referral.objects.filter(pk__in=referral_ids)
        .annotate(
            m=_latest(ProgressMeeting.objects, "date"),
            a=_latest(AssessmentModel.objects, "date"),
            t=_latest(AttendanceTerm.objects, "start_date"),
        )
        .values_list("pk", "m", "a", "t")
    )


def case_dates_refresh(referral_ids: Iterable[int]) -> None:
    """Store each case's latest meeting, assessment and term start (``CaseDates``) as its rows
    now hold them: called wherever those rows are saved (and by bulk loads), so the stored
    dates are always the rows' own."""
    ids = list(referral_ids)
    for start in range(0, len(ids), 1000):
        CaseDates.objects.bulk_create(
            [
                CaseDates(referral_id=pk, last_meeting=m, last_assessment=a, last_term=t)
                for pk, m, a, t in case_dates_from_rows(ids[start : start + 1000])
            ],
            update_conflicts=True,
            unique_fields=["referral"],
            update_fields=["last_meeting", "last_assessment", "last_term"],
        )


@transaction.atomic
def phase_change(*, referral: Referral, phase: str, on: dt.date) -> CasePhase:
    if phase not in Phase.values:
        raise CaseError("phase", "Select the phase")
    check_on_case(referral, on, "start_date")
    check_happened(on, "start_date")
    last = referral.phases.order_by("-start_date", "-id").first()
    if last is not None and on < last.start_date:
        raise CaseError(
            "start_date", f"cannot be before the current phase began ({long_date(last.start_date)})"
        )
    if last is not None and last.phase == phase:
        raise CaseError("phase", f"The case is already in {last.get_phase_display().lower()}")
    return CasePhase.objects.create(referral=referral, phase=phase, start_date=on)


@transaction.atomic
def team_member_add(*, referral: Referral, role: str, name: str, on: dt.date) -> TeamMember:
    if role not in TeamRole.values:
        raise CaseError("role", "Select the role")
    if not name.strip():
        raise CaseError("name", "Enter the name (or a reference such as 'Therapist 2')")
    check_on_case(referral, on, "added_on")
    check_happened(on, "added_on")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral.team.filter(role=role, name__iexact=name.strip()).exists():
        # the same form sent again (the back button, a second tab) is not a second member
        raise CaseError("name", f"{name.strip()} is already on the team in this role")
    return TeamMember.objects.create(referral=referral, role=role, name=name.strip(), added_on=on)


@transaction.atomic
def meeting_record(
    *,
    referral: Referral,
    on: dt.date,
    attendees: Sequence[str],
    notes: str = "",
    actions: Sequence[tuple[str, str, dt.date]] = (),
) -> ProgressMeeting:
    """Record a progress meeting with the actions agreed (action, owner, due date)."""
    check_on_case(referral, on, "date")
    check_happened(on, "date")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    same = referral.meetings.filter(date=on, notes=notes.strip())
    if any(sorted(m.attendees) == sorted(set(attendees)) for m in same):
        # the same form sent again (the back button, a second tab) is not a second meeting
        raise CaseError(
            "date", "This meeting (the same people and notes) is already recorded on this date"
        )
    unknown = [a for a in attendees if a not in TeamRole.values]
    if unknown or not attendees:
        raise CaseError("attendees", "Select who attended")
    meeting = ProgressMeeting.objects.create(
        referral=referral, date=on, attendees=sorted(set(attendees)), notes=notes.strip()
    )
    for i, (action, owner, due) in enumerate(actions, start=1):
        if not action.strip():
            continue
        if not owner.strip():
            raise CaseError(f"owner_{i}", "Say who owns the action")
        if due < on:
            raise CaseError(f"due_{i}", "The action cannot be due before the meeting")
        MeetingAction.objects.create(
            meeting=meeting, action=action.strip(), owner=owner.strip(), due_date=due
        )
    case_dates_refresh([referral.pk])
    return meeting


@transaction.atomic
def meeting_actions_done(*, referral: Referral, action_ids: Sequence[int]) -> int:
    """Mark actions of this case's meetings done; returns how many changed."""
    actions = MeetingAction.objects.filter(
        meeting__referral=referral, pk__in=list(action_ids), done=False
    )
    n = 0
    for a in actions:
        a.done = True
        a.save(update_fields=["done"])
        n += 1
    return n


@transaction.atomic
def intervention_record(
    *,
    referral: Referral,
    kind: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    note: str = "",
) -> Intervention:
    if kind not in dict(contract_current().interventions):
        raise CaseError("kind", "Select the intervention")
    check_on_case(referral, start_date, "start_date")
    check_happened(start_date, "start_date")  # its end may be planned
    if end_date is not None and end_date < start_date:
        raise CaseError("end_date", "cannot be before the start date")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral.interventions.filter(kind=kind, start_date=start_date).exists():
        # the same form sent again (the back button, a second tab) is not a second one
        raise CaseError("start_date", "This intervention is already recorded from this date")
    return Intervention.objects.create(
        referral=referral, kind=kind, start_date=start_date, end_date=end_date, note=note.strip()
    )


@transaction.atomic
def attendance_record(
    *, referral: Referral, term: str, start_date: dt.date, possible: int, attended: int
) -> AttendanceTerm:
    """Record a term's attendance in sessions (half days)."""
    if not term.strip():
        raise CaseError("term", "Name the term, for example: autumn 2024")
    if possible <= 0:
        raise CaseError("possible_sessions", "Enter the number of possible sessions (half days)")
    if possible > SCHOOL_YEAR_SESSIONS:
        raise CaseError(
            "possible_sessions",
            f"cannot be more than {SCHOOL_YEAR_SESSIONS}, a whole school year of half days",
        )
    if attended < 0:
        raise CaseError("attended_sessions", "cannot be negative")
    if attended > possible:
        raise CaseError("attended_sessions", f"cannot be more than the {possible} possible")
    check_happened(start_date, "start_date")
    if referral.attendance.filter(start_date=start_date).exists():
        raise CaseError("start_date", "A term starting on this date is already recorded")
    term_row = AttendanceTerm.objects.create(
        referral=referral,
        term=term.strip(),
        start_date=start_date,
        possible_sessions=possible,
        attended_sessions=attended,
    )
    case_dates_refresh([referral.pk])
    return term_row


@transaction.atomic
def assessment_record(
    *, referral: Referral, instrument: Instrument, on: dt.date, scores: Mapping[int, int]
) -> AssessmentModel:
    """Record an assessment: one score per area of the instrument (keyed by area id), each
    within the instrument's scale. Errors name the field ``area_<id>``."""
    check_on_case(referral, on, "date")
    check_happened(on, "date")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral.assessments.filter(instrument=instrument, date=on).exists():
        # the same form sent again (the back button, a second tab) is not a second assessment
        raise CaseError(
            "date", f"An assessment on the {instrument.name} is already recorded on this date"
        )
    areas = list(instrument.areas.all())
    if not areas:
        raise CaseError("instrument", "This instrument has no areas configured")
    for area in areas:
        value = scores.get(area.pk)
        if value is None:
            raise CaseError(f"area_{area.pk}", f"Enter a score for {area.name}")
        if not instrument.scale_min <= value <= instrument.scale_max:
            raise CaseError(
                f"area_{area.pk}",
                f"must be from {instrument.scale_min} to {instrument.scale_max}",
            )
    extra = set(scores) - {a.pk for a in areas}
    if extra:
        raise CaseError("instrument", "Scores given for areas of another instrument")
    assessment = AssessmentModel.objects.create(referral=referral, instrument=instrument, date=on)
    for area in areas:
        AssessmentScore.objects.create(assessment=assessment, area=area, score=scores[area.pk])
    case_dates_refresh([referral.pk])
    return assessment


@transaction.atomic
def measure_record(*, referral: Referral, on: dt.date, kind: str, note: str = "") -> MeasureEvent:
    if kind not in MeasureKind.values:
        raise CaseError("kind", "Select what happened")
    check_on_case(referral, on, "date")
    check_happened(on, "date")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    if referral.events.filter(date=on, kind=kind, note=note.strip()).exists():
        # the same form sent again (the back button, a second tab) is not a second event
        raise CaseError(
            "date",
            "This event (the same kind and note) is already recorded on this date; "
            "for a second one that day, add a note to tell them apart",
        )
    return MeasureEvent.objects.create(referral=referral, date=on, kind=kind, note=note.strip())


ANSWERED_BY_MAX = 100


@transaction.atomic
def survey_record(
    *,
    referral: Referral,
    respondent: str,
    on: dt.date,
    answers: Mapping[str, str],
    answered_by: str = "",
) -> list[ClosingSurvey]:
    """Record one respondent's answers, each on that respondent's own scale. ``answered_by``
    (a name or a reference, e.g. "Carer 2") tells two respondents of one kind apart: the same
    answers of the same respondent on one day are the same form sent again, but two carers
    may well give the same answers."""
    if respondent not in Respondent.values:
        raise CaseError("respondent", "Select who answered")
    who = " ".join(answered_by.split())
    if len(who) > ANSWERED_BY_MAX:
        raise CaseError("answered_by", f"must be {ANSWERED_BY_MAX} characters or less")
    if on < referral.referral_date:
        raise CaseError(
            "date", f"cannot be before the referral date ({long_date(referral.referral_date)})"
        )
    check_happened(on, "date")
    Referral.objects.select_for_update().filter(pk=referral.pk).first()
    given = {(q, a) for q, a in answers.items() if a}
    earlier = set(
        referral.surveys.filter(
            respondent=respondent, answered_by__iexact=who, date=on
        ).values_list("question", "answer")
    )
    if given and given <= earlier:
        # the same form sent again (the back button, a second tab) is not a second survey
        kind = Respondent(respondent).label.lower()
        if who:
            raise CaseError("date", f"These answers of {who} are already recorded on this date")
        raise CaseError(
            "date",
            f"These answers of the {kind} are already recorded on this date; if another "
            f"{kind} gave the same answers, enter who answered to tell them apart",
        )
    scale = {k for k, _ in answer_scale(respondent)}
    rows = []
    for q, a in answers.items():
        if q not in Question.values:
            raise CaseError("respondent", f"Unknown question {q!r}")
        if not a:
            continue
        if a not in scale:
            raise CaseError(q, f"{ANSWERS.get(a, a)!r} is not an answer on this scale")
        rows.append(
            ClosingSurvey.objects.create(
                referral=referral,
                respondent=respondent,
                answered_by=who,
                question=q,
                answer=a,
                date=on,
            )
        )
    if not rows:
        raise CaseError(Question.EXPECTATIONS.value, "Answer at least one question")
    return rows
