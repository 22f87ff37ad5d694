"""The parts of a child's case record, listed once: subject access gathers them, disposal
clears their personal data (``stars.governance.services``) and keeps the rows the contract's
figures are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from stars.cases.models import (
    Assessment,
    AssessmentScore,
    AttendanceTerm,
    CaseClosure,
    CasePhase,
    ClosingSurvey,
    Intervention,
    MeasureEvent,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
    TeamMember,
)


@dataclass(frozen=True)
class CasePart:
    """One kind of row of a case record: its title (a subject access response's section),
    its model, the path from it to its referral, and the personal data disposal clears (the
    field and its empty value; none: the row is figures only)."""

    title: str
    model: type[Model]
    via: str
    personal: dict[str, Any] = field(default_factory=dict)


CASE_PARTS: list[CasePart] = [
    CasePart("Outcome periods", OutcomePeriod, "referral", {"note": ""}),
    CasePart("Case phases", CasePhase, "referral"),
    CasePart("Team around the child", TeamMember, "referral", {"name": ""}),
    CasePart("Progress meetings", ProgressMeeting, "referral", {"notes": ""}),
    CasePart("Meeting actions", MeetingAction, "meeting__referral", {"action": "", "owner": ""}),
    CasePart("Interventions", Intervention, "referral", {"note": ""}),
    CasePart("Assessments", Assessment, "referral"),
    CasePart("Assessment scores", AssessmentScore, "assessment__referral"),
    CasePart("School attendance", AttendanceTerm, "referral"),
    CasePart("Events", MeasureEvent, "referral", {"note": ""}),
    CasePart("Closing surveys", ClosingSurvey, "referral", {"answered_by": ""}),
    CasePart("Case closures", CaseClosure, "referral", {"narrative": ""}),
]
