"""A synthetic programme shaped like the DN2 evaluation, for the demo, tests and benchmarks.

Seeded and pure: the same contract, size, date and seed give the same programme. Shapes
come from the evaluation (docs/domain.md, Nov 2024): about 442 enquiries for 228 referrals,
half of enquiries progressed (Nottinghamshire most, Nottingham least; cohort A least,
mostly withdrawn), referral mix A 30 / B 112 / C 22 / D 64, councils in proportion to their
minimums, 8 re-referrals, 66 guaranteed-funding cases (from April 2021), statuses about
43 graduated / 96 closed early / 13 guaranteed period complete / 76 live, the published
reasons for closing early, and about two outcome periods per referral (a breakdown, then
a new placement). Everything is invented: children have pseudonymous references only.

The output passes every check of ``stars.domain.tracker.parsing`` (a test imports it with zero
errors); a few children fall outside the eligibility rule, which gives warnings, as real
trackers do.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA

# Evaluation shapes (docs/domain.md). Codes the contract lacks are ignored. The published
# mix is A 30 / B 112 / C 22 / D 64; these weights give about that mix for the demo's seed
# (2020) and, with COHORT_EARLY_WEEKS, the published sustained weeks by cohort
COHORT_MIX = {"A": 27, "B": 110, "C": 21, "D": 70}
# enquiries that did not progress, per cohort: A progresses 24% of the time
OTHER_ENQUIRY_COHORTS = {"A": 89, "B": 72, "C": 15, "D": 42}
# ... and per council: Nottinghamshire 58%, Derby 40%, Nottingham 36% progressed
OTHER_ENQUIRY_COUNCILS = {"nottinghamshire": 74, "derby": 65, "nottingham": 84}
OTHER_DECISIONS = {
    "A": {
        "withdrawn": 60,
        "criteria_not_met": 10,
        "waiting_list": 12,
        "not_progressed_other": 5,
        "pending": 2,
    },
    "*": {
        "withdrawn": 30,
        "criteria_not_met": 32,
        "waiting_list": 6,
        "not_progressed_other": 28,
        "pending": 4,
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
ENDS_WITH_BREAKDOWN = ("placement_breakdown", "entered_care")
GF_START = dt.date(2021, 4, 1)
RE_REFERRALS = 8 / 228
OTHER_ENQUIRIES = 222 / 228
GUARANTEED_SHARE = 0.34  # of referrals from April 2021: 66 of 228 overall
OUTSIDE_RULE = 0.02  # children outside the eligibility rule (warnings)
_EPOCH = dt.date(1970, 1, 1).toordinal()


UNSTABLE_AT_END = {"graduated": 0.12, "closed_early": 0.45, "gf_complete": 0.3}
# How long a case that closes early lasts, per cohort (a multiple of the usual spread of up
# to 100 weeks): calibrated so the demo's sustained weeks by cohort have the evaluation's
# shape (Table 5.1: A 1,365, B 6,973, C 1,130, D 4,280 by the census date); cohort A's
# step-downs break down soonest, edge-of-care families (D) hold on longest
COHORT_EARLY_WEEKS = {"A": 0.6, "B": 2.1, "C": 1.25, "D": 3.2}


@dataclass(frozen=True)
class Programme:
    """The three tracker frames (``stars.domain.outcomes.engine`` schemas)."""

    enquiries: pl.DataFrame
    referrals: pl.DataFrame
    periods: pl.DataFrame


def _years_before(on: dt.date, years: int) -> int:
    try:
        return on.replace(year=on.year - years).toordinal()
    except ValueError:  # 29 February
        return dt.date(on.year - years, 3, 1).toordinal()


class _Maker:
    def __init__(self, contract: Contract, as_of: dt.date, seed: int) -> None:
        self.contract = contract
        self.rng = random.Random(seed)
        self.as_of = as_of.toordinal()
        self.children = 0
        self.salt = random.Random(seed + 1).getrandbits(36)
        self.reasons = {r: CLOSURE_REASONS.get(r, 5) for r in contract.closure_reasons}
        self.rules: dict[tuple[str, str, int], tuple[int, int]] = {}

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def child_ref(self) -> str:
        """A unique pseudonymous reference: a counter scrambled by an odd multiplier."""
        self.children += 1
        return f"CH{(self.children * 0x9E3779B1 + self.salt) % (1 << 36):09X}"

    def dob(self, cohorts: tuple[str, ...], on_ord: int) -> int:
        """A date of birth within every given cohort's rule on a date (rarely outside)."""
        on = dt.date.fromordinal(on_ord)
        lo, hi = 0, 200
        for code in cohorts:
            rule = self.contract.cohort(code).rule_on(on)
            if rule is not None:
                lo, hi = max(lo, rule.min_age), min(hi, rule.max_age)
        if hi < lo or hi == 200:
            lo, hi = 10, 16
        if self.rng.random() < OUTSIDE_RULE:
            lo = hi = hi + 1 if self.rng.random() < 0.7 else lo - 1
        latest = _years_before(on, lo) - 1
        earliest = _years_before(on, hi + 1) + 2
        return self.rng.randint(earliest, latest)


def generate_programme(
    contract: Contract, *, n_referrals: int, as_of: dt.date, seed: int = 2020
) -> Programme:
    """Enquiries, referrals and outcome periods as a tracker would hold them on ``as_of``.

    Every record is dated on or before ``as_of``; what happens later is not known yet
    (live referrals, continuing periods, pending decisions).
    """
    m = _Maker(contract, as_of, seed)
    rng = m.rng
    first = contract.start.toordinal() + 30
    last = min(contract.referral_period_end.toordinal(), m.as_of)
    cohort_mix = {c: COHORT_MIX.get(c, 20) for c in contract.cohort_codes}
    councils = {la.code: max(la.minimum_referrals, 1) for la in contract.local_authorities}
    weeks = contract.programme_weeks
    gf_weeks = contract.guaranteed_funding.minimum_weeks
    gf_start = max(GF_START.toordinal(), first)

    enq: dict[str, list[Any]] = {k: [] for k in ENQUIRY_SCHEMA}
    ref: dict[str, list[Any]] = {k: [] for k in REFERRAL_SCHEMA}
    per: dict[str, list[Any]] = {k: [] for k in PERIOD_SCHEMA}

    def add_enquiry(
        child: str, la: str, cohort: str, day: int, dob: int, decision: str, decided: int | None
    ) -> str:
        eid = f"_{len(enq['enquiry_id'])}"
        for k, v in (
            ("enquiry_id", eid),
            ("child_ref", child),
            ("local_authority", la),
            ("cohort", cohort),
            ("enquiry_date", day),
            ("date_of_birth", dob),
            ("decision", decision),
            ("decision_date", decided),
        ):
            enq[k].append(v)
        return eid

    def add_referral(
        eid: str | None, child: str, la: str, cohort: str, dob: int, day: int, guaranteed: bool
    ) -> tuple[str, int | None]:
        """Add a referral and its periods; return its status and end (None while live)."""
        if guaranteed and rng.random() < 0.22:
            outcome, end = "gf_complete", day + 7 * gf_weeks + rng.randint(0, 60)
        elif rng.random() < 0.58:
            outcome = "closed_early"
            spread = 100 * COHORT_EARLY_WEEKS.get(cohort, 1.0)
            early = min(2 + int(spread * rng.random() ** 1.3), weeks - 1)
            end = day + 7 * early + rng.randint(0, 6)
        else:
            outcome, end = "graduated", day + 7 * weeks
        reason = m.pick(m.reasons) if outcome == "closed_early" else None
        ended = end <= m.as_of
        rid = f"R{len(ref['referral_id']) + 1:06d}"
        for k, v in (
            ("referral_id", rid),
            ("enquiry_id", eid),
            ("child_ref", child),
            ("local_authority", la),
            ("cohort", cohort),
            ("date_of_birth", dob),
            ("funding", "guaranteed" if guaranteed else "sib"),
            ("referral_date", day),
            ("status", outcome if ended else "live"),
            ("end_date", end if ended else None),
            ("closure_reason", reason if ended else None),
        ):
            ref[k].append(v)
        # outcome periods: sustained from soon after referral, often a breakdown and a new
        # placement; an early closure for a breakdown ends the last period a little early
        stop = end - rng.randint(0, 10) if reason in ENDS_WITH_BREAKDOWN else end
        start = day + rng.randint(0, 10)
        # placement stability (evaluation): 86% of graduated and 42% of closed-early cases
        # were still in a placement that began before or during support when it ended
        if ended and rng.random() < UNSTABLE_AT_END.get(outcome, 0.0):
            stop = min(end, max(start + 7, end - rng.randint(14, 90)))
        breakdowns = rng.choices((0, 1, 2), weights=(10, 65, 25))[0]
        for _ in range(breakdowns):
            broke = start + rng.randint(21, 280)
            restart = broke + rng.randint(1, 14)
            if restart >= stop or restart > m.as_of:
                break
            per["referral_id"].append(rid)
            per["start_date"].append(start)
            per["end_date"].append(broke)
            start = restart
        if start <= m.as_of and start <= stop:
            per["referral_id"].append(rid)
            per["start_date"].append(start)
            per["end_date"].append(stop if stop <= m.as_of else None)
        return (outcome if ended else "live"), (end if ended else None)

    # -- referrals from enquiries, in date order ------------------------------------------------
    n_main = n_referrals - round(n_referrals * RE_REFERRALS)
    days = sorted(first + int((last - first) * rng.random() ** 0.9) for _ in range(n_main))
    if last < first:
        days = []
    start = contract.start.toordinal()
    ended: list[tuple[str, str, str, int, int]] = []  # child, council, cohort, dob, end
    for day in days:
        cohort = m.pick(cohort_mix)
        la = m.pick(councils)
        child = m.child_ref()
        asked = day - rng.randint(14, 75)
        if asked < start:
            asked = rng.randint(start, day)
        progressed_on = min(asked + rng.randint(3, 40), day)
        # cohort B can escalate into A before support starts
        e_cohort = "B" if cohort == "A" and "B" in cohort_mix and rng.random() < 0.1 else cohort
        dob = m.dob((cohort, e_cohort), asked)
        eid = add_enquiry(child, la, e_cohort, asked, dob, "progressed", progressed_on)
        guaranteed = day >= gf_start and rng.random() < GUARANTEED_SHARE
        status, end = add_referral(eid, child, la, cohort, dob, day, guaranteed)
        if end is not None and status in ("graduated", "closed_early"):
            ended.append((child, la, cohort, dob, end))

    # -- re-referrals: a cohort move or an extension after graduation --------------------------
    moves = {"B": "A", "D": "C"}
    for _ in range(n_referrals - n_main):
        if not ended:
            break
        child, la, cohort, dob, end = ended.pop(rng.randrange(len(ended)))
        day = end + rng.randint(0, 21)
        if day > last:
            continue
        new_cohort = moves.get(cohort, cohort) if rng.random() < 0.5 else cohort
        if new_cohort not in cohort_mix:
            new_cohort = cohort
        add_referral(None, child, la, new_cohort, dob, day, False)

    # -- enquiries that did not progress ------------------------------------------------------
    other_cohorts = {c: OTHER_ENQUIRY_COHORTS.get(c, 30) for c in contract.cohort_codes}
    other_councils = {c: OTHER_ENQUIRY_COUNCILS.get(c, w) for c, w in councils.items()}
    for _ in range(round(n_referrals * OTHER_ENQUIRIES) if last >= first else 0):
        cohort = m.pick(other_cohorts)
        decision = m.pick(OTHER_DECISIONS.get(cohort, OTHER_DECISIONS["*"]))
        if decision == "pending":
            asked = m.as_of - rng.randint(0, 60)
            decided: int | None = None
        else:
            asked = rng.randint(start, m.as_of)
            decided = asked + rng.randint(3, 45)
            if decided > m.as_of:
                decision, decided = "pending", None
        asked = max(asked, start)
        dob = m.dob((cohort,), asked)
        add_enquiry(m.child_ref(), m.pick(other_councils), cohort, asked, dob, decision, decided)

    return _frames(enq, ref, per)


def _dates(values: list[Any]) -> pl.Series:
    days = [None if v is None else v - _EPOCH for v in values]
    return pl.Series(days, dtype=pl.Int32).cast(pl.Date)


def _frame(columns: dict[str, list[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            k: _dates(v) if schema[k] == pl.Date else pl.Series(k, v, dtype=pl.Utf8)
            for k, v in columns.items()
        }
    )


def _frames(
    enq: dict[str, list[Any]], ref: dict[str, list[Any]], per: dict[str, list[Any]]
) -> Programme:
    enquiries = _frame(enq, ENQUIRY_SCHEMA)
    referrals = _frame(ref, REFERRAL_SCHEMA)
    periods = _frame(per, PERIOD_SCHEMA)
    # enquiry ids in date order: E000001 is the first enquiry
    ids = (
        enquiries.select("enquiry_id", "enquiry_date")
        .with_row_index("_order")
        .sort("enquiry_date", "_order")
        .with_row_index("_n", offset=1)
        .select(
            pl.col("enquiry_id").alias("_old"),
            pl.format("E{}", pl.col("_n").cast(pl.Utf8).str.zfill(6)).alias("_new"),
        )
    )
    enquiries = (
        enquiries.join(ids, left_on="enquiry_id", right_on="_old")
        .with_columns(pl.col("_new").alias("enquiry_id"))
        .drop("_new")
        .sort("enquiry_id")
    )
    referrals = (
        referrals.join(ids, left_on="enquiry_id", right_on="_old", how="left")
        .with_columns(pl.col("_new").alias("enquiry_id"))
        .drop("_new")
        .sort("referral_id")
    )
    periods = periods.sort("referral_id", "start_date")
    return Programme(
        enquiries.select(list(ENQUIRY_SCHEMA)),
        referrals.select(list(REFERRAL_SCHEMA)),
        periods.select(list(PERIOD_SCHEMA)),
    )
