"""A synthetic programme shaped like the DN2 evaluation (Feb 2025), for the demo and benchmarks.

Seeded and pure: the same seed gives the same programme. Proportions come from the
evaluation as published in domain.md (442 enquiries for 228 referrals, cohort mix A 30 /
B 112 / C 22 / D 64, 8 re-referrals, 66 guaranteed-funding cases from April 2021, 63% of
closed cases closed early, the reasons for closing early). Everything is invented: child
references are random and there are no names.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import polars as pl

from stars.domain.contract import Contract
from stars.domain.engine import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA

COHORT_MIX = {"A": 30, "B": 112, "C": 22, "D": 64}
# Enquiries that did not progress, by cohort (A progresses least: 24%, 51% withdrawn).
OTHER_ENQUIRY_MIX = {"A": 64, "B": 80, "C": 38, "D": 40}
OTHER_DECISIONS = {
    "A": {
        "withdrawn": 51,
        "criteria_not_met": 10,
        "waiting_list": 9,
        "not_progressed_other": 4,
        "pending": 2,
    },
    "*": {
        "withdrawn": 30,
        "criteria_not_met": 30,
        "waiting_list": 4,
        "not_progressed_other": 28,
        "pending": 6,
    },
}
CLOSURE_REASONS = {
    "consent_withdrawn": 32,
    "placement_breakdown": 21,
    "care_plan_change": 20,
    "entered_care": 6,
    "increased_risk": 7,
    "other": 10,
}
GF_START = dt.date(2021, 4, 1)


@dataclass(frozen=True)
class Programme:
    enquiries: pl.DataFrame
    referrals: pl.DataFrame
    periods: pl.DataFrame


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _dob(rng: random.Random, contract: Contract, cohort: str, on: dt.date) -> dt.date:
    rule = contract.cohort(cohort).rule_on(on)
    lo, hi = (rule.min_age, rule.max_age) if rule else (8, 16)
    if rng.random() < 0.03:  # a few outside the rule, as history has them
        hi += 1
    age_days = rng.randint(lo * 365 + 30, hi * 365 + 300)
    return on - dt.timedelta(days=age_days)


def generate_programme(
    contract: Contract, *, n_referrals: int, as_of: dt.date, seed: int = 2020
) -> Programme:
    """Enquiries, referrals and outcome periods known on ``as_of`` (all dates up to it)."""
    rng = random.Random(seed)
    councils = {la.code: max(la.minimum_referrals, 1) for la in contract.local_authorities}
    cohorts = {c: w for c, w in COHORT_MIX.items() if c in contract.cohort_codes} or {
        c: 1 for c in contract.cohort_codes
    }
    first = contract.start + dt.timedelta(days=30)
    last = min(contract.referral_period_end, as_of - dt.timedelta(days=1))
    span = max((last - first).days, 1)
    weeks = contract.programme_weeks
    enquiries: list[dict[str, object]] = []
    referrals: list[dict[str, object]] = []
    periods: list[dict[str, object]] = []
    n_main = max(n_referrals - round(n_referrals * 8 / 228), 1)

    def enquiry(
        cohort: str,
        la: str,
        day: dt.date,
        decision: str,
        decided: dt.date | None,
        ref: str,
        dob: dt.date,
    ) -> str:
        eid = f"E{len(enquiries) + 1:07d}"
        enquiries.append(
            {
                "enquiry_id": eid,
                "child_ref": ref,
                "local_authority": la,
                "cohort": cohort,
                "enquiry_date": day,
                "date_of_birth": dob,
                "decision": decision,
                "decision_date": decided,
            }
        )
        return eid

    for i in range(n_main):
        # referrals ramp up over the first year, then run steadily
        day = first + dt.timedelta(days=int(span * rng.random() ** 0.85))
        cohort = _pick(rng, cohorts)
        la = _pick(rng, councils)
        ref = f"CH{rng.getrandbits(40):010X}"
        enquiry_day = day - dt.timedelta(days=rng.randint(14, 70))
        enquiry_day = max(enquiry_day, contract.start)
        decided_on = min(enquiry_day + dt.timedelta(days=rng.randint(5, 30)), day)
        enquiry_cohort = "B" if cohort == "A" and rng.random() < 0.1 and "B" in cohorts else cohort
        dob = _dob(rng, contract, enquiry_cohort, enquiry_day)
        eid = enquiry(enquiry_cohort, la, enquiry_day, "progressed", decided_on, ref, dob)
        guaranteed = day >= GF_START and rng.random() < 66 / 200
        if guaranteed:
            outcome = _pick(rng, {"gf_complete": 25, "closed_early": 40, "graduated": 35})
        else:
            outcome = _pick(rng, {"closed_early": 60, "graduated": 40})
        if outcome == "graduated":
            end = day + dt.timedelta(weeks=weeks)
        elif outcome == "gf_complete":
            end = day + dt.timedelta(
                weeks=contract.guaranteed_funding.minimum_weeks, days=rng.randint(0, 60)
            )
        else:
            end = day + dt.timedelta(days=rng.randint(20, weeks * 7 - 20))
        reason = _pick(rng, CLOSURE_REASONS) if outcome == "closed_early" else None
        ended = end <= as_of
        rid = f"R{i + 1:07d}"
        referrals.append(
            {
                "referral_id": rid,
                "enquiry_id": eid,
                "child_ref": ref,
                "local_authority": la,
                "cohort": cohort,
                "date_of_birth": dob,
                "funding": "guaranteed" if guaranteed else "sib",
                "referral_date": day,
                "status": outcome if ended else "live",
                "end_date": end if ended else None,
                "closure_reason": reason if ended else None,
            }
        )
        # the placement or home sustained from soon after referral; some break down and a
        # new placement follows; early closures often end the outcome before support ends
        start = day + dt.timedelta(days=rng.randint(0, 14))
        stop: dt.date | None = end
        if outcome == "closed_early" and reason in ("placement_breakdown", "entered_care"):
            stop = max(start, end - dt.timedelta(days=rng.randint(0, 20)))
        if stop is not None and stop > as_of:
            stop = None
        if rng.random() < 0.18 and (stop is None or (stop - start).days > 90):
            breakdown = start + dt.timedelta(days=rng.randint(30, 80))
            if breakdown < as_of:
                periods.append({"referral_id": rid, "start_date": start, "end_date": breakdown})
                start = breakdown + dt.timedelta(days=rng.randint(2, 14))
        if start <= as_of and (stop is None or stop >= start):
            periods.append({"referral_id": rid, "start_date": start, "end_date": stop})

    # re-referrals: a cohort move or an extension after graduation, for the same child
    ended_refs = [r for r in referrals if r["end_date"] is not None]
    for j in range(n_referrals - n_main):
        if not ended_refs:
            break
        prev = ended_refs[rng.randrange(len(ended_refs))]
        prev_end = prev["end_date"]
        assert isinstance(prev_end, dt.date)
        day = prev_end + dt.timedelta(days=rng.randint(1, 30))
        if day >= as_of:
            continue
        rid = f"R{n_main + j + 1:07d}"
        cohort = "A" if prev["cohort"] == "B" else str(prev["cohort"])
        referrals.append(
            {
                **prev,
                "referral_id": rid,
                "enquiry_id": None,
                "cohort": cohort,
                "funding": "sib",
                "referral_date": day,
                "status": "live",
                "end_date": None,
                "closure_reason": None,
            }
        )
        periods.append({"referral_id": rid, "start_date": day, "end_date": None})

    # enquiries that did not progress
    n_other = round(n_referrals * (442 - 220) / 228)
    other_cohorts = {c: w for c, w in OTHER_ENQUIRY_MIX.items() if c in cohorts} or cohorts
    for _ in range(n_other):
        cohort = _pick(rng, other_cohorts)
        la = _pick(rng, councils)
        day = first + dt.timedelta(days=rng.randint(0, span))
        decision = _pick(rng, OTHER_DECISIONS.get(cohort, OTHER_DECISIONS["*"]))
        decided: dt.date | None = None
        if decision != "pending":
            decided = min(day + dt.timedelta(days=rng.randint(5, 40)), as_of)
        elif (as_of - day).days > 90:
            day = as_of - dt.timedelta(days=rng.randint(1, 60))
        ref = f"CH{rng.getrandbits(40):010X}"
        enquiry(cohort, la, day, decision, decided, ref, _dob(rng, contract, cohort, day))

    return Programme(
        pl.DataFrame(enquiries, schema=ENQUIRY_SCHEMA),
        pl.DataFrame(referrals, schema=REFERRAL_SCHEMA),
        pl.DataFrame(periods, schema=PERIOD_SCHEMA),
    )
