"""The demo's second programme: a Birmingham-style step-down fostering programme.

Its records are built to the figures of the 2017 slides (seeds/README.md, 003), as of the
conference (11 October 2017): 55 referrals into the scheme (enquiries here), 26 entrants
(accepted referrals whose foster placement started), 12 "graduations" (52 weeks of
continuous placement), 5 of whom stayed with their foster carer after it and 7 moved on,
5 in placement now, 12 being matched; the rest of the entrants' placements broke down,
so about two in three placements held (the slides: about 70%). Synthetic children only;
dates are spread with a seeded generator. The contract is contracts/birmingham-stepdown.toml.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl

from stars.core.programmes import programme_use
from stars.core.roles import Role
from stars.demo import claims
from stars.demo.programme import DEMO_PASSWORD, DemoUser
from stars.demo.synthetic import Programme
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from stars.partnership.models import Programme as ProgrammeRecord
from stars.partnership.models import User
from stars.partnership.services import user_create
from stars.tracker.importer import tracker_import

AS_OF = dt.date(2017, 10, 11)  # the NCAS conference: the slides' "to date"
FIRST = dt.date(2014, 10, 1)
COUNCIL, COHORT = "birmingham", "SD"
# the slides' figures
REFERRALS_IN, ENTRANTS, GRADUATIONS, STAYED = 55, 26, 12, 5
IN_PLACEMENT, BEING_MATCHED = 5, 12
WEEK = dt.timedelta(weeks=1)


def generate_stepdown(*, seed: int = 2014) -> Programme:
    """The step-down programme's tracker frames, to the slides' figures."""
    rng = random.Random(seed)
    enq: dict[str, list[Any]] = {k: [] for k in ENQUIRY_SCHEMA}
    ref: dict[str, list[Any]] = {k: [] for k in REFERRAL_SCHEMA}
    per: dict[str, list[Any]] = {k: [] for k in PERIOD_SCHEMA}
    ended = ENTRANTS - GRADUATIONS - IN_PLACEMENT  # placements that broke down before 52 weeks
    # what became of each of the 55: the 26 entrants, the 12 being matched, the others
    fates = (
        ["graduated_stayed"] * STAYED
        + ["graduated_moved_on"] * (GRADUATIONS - STAYED)
        + ["broke_down"] * ended
        + ["in_placement"] * IN_PLACEMENT
        + ["being_matched"] * BEING_MATCHED
        + ["not_progressed"] * (REFERRALS_IN - ENTRANTS - BEING_MATCHED)
    )
    for n, fate in enumerate(fates, start=1):
        child, eid, rid = f"SD-C{n:03d}", f"SD-E{n:03d}", f"SD-R{n:03d}"
        if fate == "in_placement":  # placed within the last year
            enquired = AS_OF - dt.timedelta(days=rng.randint(150, 330))
        elif fate == "graduated_stayed":
            enquired = FIRST + dt.timedelta(days=rng.randint(0, 400))
        elif fate == "graduated_moved_on":
            enquired = FIRST + dt.timedelta(days=rng.randint(0, 560))
        elif fate == "being_matched":
            enquired = AS_OF - dt.timedelta(days=rng.randint(10, 200))
        else:
            enquired = FIRST + dt.timedelta(days=rng.randint(0, 700))
        born = enquired - dt.timedelta(days=rng.randint(9 * 365, 15 * 365))
        decided = enquired + dt.timedelta(days=rng.randint(7, 40))
        decision = {
            "being_matched": "waiting_list",
            "not_progressed": rng.choice(["withdrawn", "criteria_not_met", "not_progressed_other"]),
        }.get(fate, "progressed")
        decided = min(decided, AS_OF)
        for k, v in (
            ("enquiry_id", eid),
            ("child_ref", child),
            ("local_authority", COUNCIL),
            ("cohort", COHORT),
            ("enquiry_date", enquired),
            ("date_of_birth", born),
            ("decision", decision),
            ("decision_date", decided),
        ):
            enq[k].append(v)
        if decision != "progressed":
            continue
        placed = decided + dt.timedelta(days=rng.randint(14, 60))  # a foster family found
        room = (AS_OF - placed).days // 7 - 1  # every ended placement ended by AS_OF
        if fate == "graduated_stayed":
            weeks = max(min(rng.randint(60, 100), room), 53)  # stayed with the carer
        elif fate == "graduated_moved_on":
            weeks = 52 + rng.randint(0, 3)  # home or supported accommodation after it
        elif fate == "broke_down":
            weeks = max(min(rng.randint(4, 45), room), 1)
        else:
            weeks = 0  # still in placement
        period_end = placed + weeks * WEEK if weeks else None
        status, reason = {
            "graduated_stayed": ("graduated", None),
            "graduated_moved_on": ("graduated", None),
            "broke_down": ("closed_early", "placement_breakdown"),
        }.get(fate, ("live", None))
        for k, v in (
            ("referral_id", rid),
            ("enquiry_id", eid),
            ("child_ref", child),
            ("local_authority", COUNCIL),
            ("cohort", COHORT),
            ("date_of_birth", born),
            ("funding", "sib"),
            ("referral_date", decided),
            ("status", status),
            ("end_date", period_end),
            ("closure_reason", reason),
        ):
            ref[k].append(v)
        for k, v in (("referral_id", rid), ("start_date", placed), ("end_date", period_end)):
            per[k].append(v)
    return Programme(
        pl.DataFrame(enq, schema=ENQUIRY_SCHEMA),
        pl.DataFrame(ref, schema=REFERRAL_SCHEMA),
        pl.DataFrame(per, schema=PERIOD_SCHEMA),
    )


STEPDOWN_CONTRACT = Path(__file__).resolve().parents[3] / "contracts" / "birmingham-stepdown.toml"
# demo users of the first programme who work in this one too: the provider's manager, the
# investor (their portfolio shows both), the evaluator and the administrator
SHARED_USERS = ("manager", "investor", "evaluator", "admin")


def load_demo(*, seed: int, console: Any) -> list[DemoUser]:
    """Import the step-down programme beside the one already loaded, give it Birmingham's
    SPOC and commissioner and the shared users, and its monthly claims to the slides' date.
    Returns its own new users."""
    text = STEPDOWN_CONTRACT.read_text(encoding="utf-8")
    frames = generate_stepdown(seed=seed)
    tracker_import(
        contract_text=text,
        contract_source=str(STEPDOWN_CONTRACT),
        enquiries=frames.enquiries,
        referrals=frames.referrals,
        periods=frames.periods,
    )
    programme = ProgrammeRecord.objects.get(code="stepdown")
    for user in User.objects.filter(username__in=SHARED_USERS):
        user.programmes.add(programme)
    users = [
        DemoUser(f"{role}-{COUNCIL}", DEMO_PASSWORD, role, COUNCIL, first, last)
        for role, first, last in (
            (Role.SPOC, "Amrit", "Bassi"),
            (Role.COMMISSIONER, "Nadia", "Saggu"),
        )
    ]
    for u in users:
        user_create(
            username=u.username,
            role=u.role,
            council=u.council,
            password=u.password,
            programmes=[programme.code],
            first_name=u.first_name,
            last_name=u.last_name,
        )
    with programme_use(programme.choice()):
        claims.load_demo(seed=seed, console=console, as_of=AS_OF)
    return users
