"""Demo case records for the referrals already loaded (called by ``stars demo``).

Synthetic only: team members are role references ("Therapist 3"), never names. The mix
follows the evaluation: most closing surveys answer "all of the time", attendance mostly
improves or stays good for graduated cases, 35 EHCPs secured across the programme.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from rich.progress import Progress
from simple_history.utils import bulk_create_with_history

from stars.cases.instruments import instruments_ensure_defaults
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
    ProgressMeeting,
    Question,
    TeamMember,
)
from stars.cases.record import case_dates_refresh
from stars.demo.programme import DEMO_AS_OF
from stars.domain.contract.terms import MEETING_EVERY_WEEKS
from stars.domain.measures import next_term_start
from stars.referrals.models import Referral

AS_OF = DEMO_AS_OF  # the demo census date
PHASES = (("preparation", 0), ("stabilisation", 6), ("consolidation", 26), ("sustaining", 52))
EHCPS = 35
NARRATIVES = {
    "consent_withdrawn": "The family withdrew consent after a change at home.",
    "placement_breakdown": "The placement broke down and no new foster placement was found.",
    "care_plan_change": "The council changed the care plan.",
    "entered_care": "The child entered care after an escalation.",
    "increased_risk": "Risk increased beyond what the service could hold safely.",
    "other": "Support ended for another reason.",
}
ACTIONS = (
    "Share the school plan with the carers",
    "Book the ATTUNE course",
    "Arrange a peer mentor",
    "Review the safety plan",
    "Chase the EHCP assessment",
)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load_demo(*, seed: int, console: Any) -> None:
    with Progress(console=console) as progress:
        task = progress.add_task("Adding case records", total=3)
        _load(seed)
        progress.update(task, advance=3, description="Case records ready")


@transaction.atomic
def _load(seed: int) -> None:
    rng = random.Random(seed + 5)
    yp, family = instruments_ensure_defaults()
    yp_areas, fam_areas = list(yp.areas.all()), list(family.areas.all())
    refs = list(Referral.objects.select_related("key_worker").order_by("referral_id"))
    ehcp = set(rng.sample(range(len(refs)), min(EHCPS, len(refs))))
    rows: dict[str, list[Any]] = {k: [] for k in ("phase", "team", "int", "att", "ev", "sv", "cl")}
    meetings: list[tuple[ProgressMeeting, tuple[str, str, dt.date, bool]]] = []
    assessments: list[tuple[Assessment, list[int]]] = []
    for i, r in enumerate(refs):
        end = min(r.end_date or AS_OF, AS_OF)
        if end < r.referral_date:
            continue
        good = r.status != "closed_early"
        for phase, weeks in PHASES:
            start = r.referral_date + dt.timedelta(weeks=weeks)
            if start <= end:
                rows["phase"].append(CasePhase(referral=r, phase=phase, start_date=start))
        kw = str(r.key_worker) if r.key_worker else f"Key worker {rng.randint(1, 9)}"
        for role, name in (
            ("key_worker", kw),
            ("social_worker", f"Social worker {rng.randint(1, 60)}"),
            ("education_officer", f"Education officer {rng.randint(1, 4)}"),
            ("therapist", f"Therapist {rng.randint(1, 6)}"),
            *([("peer_mentor", f"Peer mentor {rng.randint(1, 12)}")] if rng.random() < 0.5 else []),
        ):
            rows["team"].append(
                TeamMember(referral=r, role=role, name=name, added_on=r.referral_date)
            )
        main = "team_parenting" if r.cohort in ("A", "B") else "triple_p"
        kinds = [main] + [
            k
            for k, p in (("attune", 0.4), ("support_group", 0.3), ("therapy", 0.3))
            if rng.random() < p
        ]
        for k in kinds:
            s = r.referral_date + dt.timedelta(days=rng.randint(7, 60))
            if s > end:
                continue
            e = s + dt.timedelta(weeks=10) if k in ("support_group", "attune") else r.end_date
            rows["int"].append(
                Intervention(referral=r, kind=k, start_date=s, end_date=min(e, end) if e else None)
            )
        # progress meetings as often as the demo's contracts want them (neither says: the
        # default); some live cases are behind (the caseload shows it)
        day = r.referral_date + dt.timedelta(days=14)
        stop = end - dt.timedelta(days=50) if r.status == "live" and rng.random() < 0.3 else end
        while day <= stop:
            due = day + dt.timedelta(days=14)
            m = ProgressMeeting(
                referral=r,
                date=day,
                attendees=sorted(
                    [
                        "therapist",
                        "key_worker",
                        "social_worker",
                        "foster_carer" if r.cohort in ("A", "B") else "parent_carer",
                    ]
                ),
                notes="Reviewed progress against the plan.",
            )
            meetings.append((m, (rng.choice(ACTIONS), "Key worker", due, due < AS_OF)))
            day += dt.timedelta(weeks=MEETING_EVERY_WEEKS)
        # assessments every 3 months: young person's star and family star
        drift = rng.gauss(0.3, 0.2) if good else rng.gauss(0.02, 0.2)
        yp_base = [rng.randint(1, 3) for _ in yp_areas]
        fam_base = [rng.randint(2, 6) for _ in fam_areas]
        day, n = r.referral_date + dt.timedelta(days=10), 0
        while day <= end:
            for inst, base, hi in ((yp, yp_base, 5), (family, fam_base, 10)):
                step = drift * n * (hi / 5)
                scores = [
                    max(1, min(hi, round(b + step + rng.uniform(-1, 1) * hi / 10))) for b in base
                ]
                assessments.append((Assessment(referral=r, instrument=inst, date=day), scores))
            day += dt.timedelta(days=91)
            n += 1
        # attendance each term
        band = _pick(rng, {"good": 0.4, "persistent": 0.4, "severe": 0.2})
        rate = {"good": 0.94, "persistent": 0.78, "severe": 0.42}[band]
        term = next_term_start(r.referral_date - dt.timedelta(days=1))
        while term <= end:
            possible = rng.randint(110, 130)
            attended = max(0, min(possible, round(possible * (rate + rng.uniform(-0.03, 0.03)))))
            name = {1: "spring", 4: "summer", 9: "autumn"}[term.month]
            rows["att"].append(
                AttendanceTerm(
                    referral=r,
                    term=f"{name} {term.year}",
                    start_date=term,
                    possible_sessions=possible,
                    attended_sessions=attended,
                )
            )
            rate = min(0.99, rate + (0.05 if good and rng.random() < 0.6 else -0.02))
            term = next_term_start(term)
        # events: offending and missing episodes early on, positive activities throughout
        span = max((end - r.referral_date).days, 1)
        for kind, count, early in (
            ("missing_episode", rng.choice((0, 0, 1, 2, 3)), True),
            ("offence", rng.choice((0, 0, 0, 1, 2)), True),
            ("caution", rng.choice((0, 0, 0, 1)), True),
            ("positive_activity", rng.randint(0, 4), False),
            ("diagnosis_supported", 1 if rng.random() < 0.1 else 0, False),
            ("ehcp_secured", 1 if i in ehcp else 0, False),
        ):
            for _ in range(count):
                frac = rng.random() ** (2 if early else 1)
                rows["ev"].append(
                    MeasureEvent(
                        referral=r,
                        kind=kind,
                        date=r.referral_date + dt.timedelta(days=int(frac * span)),
                    )
                )
        if r.end_date and r.end_date <= AS_OF:
            rows["cl"].append(
                CaseClosure(
                    referral=r,
                    outcome=r.status,
                    reason=r.closure_reason,
                    narrative=NARRATIVES.get(r.closure_reason, "Support completed."),
                )
            )
            if good or rng.random() < 0.3:
                for respondent in ("parent_carer", "young_person", "professional"):
                    for q in Question.values:
                        if respondent == "professional":
                            answer = _pick(
                                rng,
                                {
                                    "strongly_agree": 0.62,
                                    "agree": 0.3,
                                    "neither": 0.05,
                                    "disagree": 0.03,
                                },
                            )
                        else:
                            answer = _pick(
                                rng, {"all": 0.72, "most": 0.2, "some": 0.06, "never": 0.02}
                            )
                        rows["sv"].append(
                            ClosingSurvey(
                                referral=r,
                                respondent=respondent,
                                question=q,
                                answer=answer,
                                date=r.end_date,
                            )
                        )
    for model, key in (
        (CasePhase, "phase"),
        (TeamMember, "team"),
        (Intervention, "int"),
        (AttendanceTerm, "att"),
        (MeasureEvent, "ev"),
        (ClosingSurvey, "sv"),
        (CaseClosure, "cl"),
    ):
        bulk_create_with_history(rows[key], model, batch_size=1000)
    saved = bulk_create_with_history([m for m, _ in meetings], ProgressMeeting, batch_size=1000)
    bulk_create_with_history(
        [
            MeetingAction(meeting=m, action=a, owner=o, due_date=d, done=done)
            for m, (_, (a, o, d, done)) in zip(saved, meetings, strict=True)
        ],
        MeetingAction,
        batch_size=1000,
    )
    saved_a = bulk_create_with_history([a for a, _ in assessments], Assessment, batch_size=1000)
    scores = []
    for a, (_, values) in zip(saved_a, assessments, strict=True):
        areas = yp_areas if a.instrument_id == yp.pk else fam_areas
        scores += [
            AssessmentScore(assessment=a, area=ar, score=v)
            for ar, v in zip(areas, values, strict=True)
        ]
    bulk_create_with_history(scores, AssessmentScore, batch_size=2000)
    case_dates_refresh([r.pk for r in refs])  # the caseload's stored dates of these rows
