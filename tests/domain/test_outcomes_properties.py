"""Properties of the engine and the tracker format, checked with Hypothesis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes.engine import outcome_payments_as_of, referral_figures
from stars.domain.outcomes.explanation import explain_referral
from stars.domain.outcomes.frames import PERIOD_SCHEMA, REFERRAL_SCHEMA
from stars.domain.tracker.parsing import parse_tracker
from stars.domain.tracker.rows import EnquiryRow, PeriodRow, ReferralRow, write_tracker
from tests.domain.rows import referral_row

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")
START = dt.date(2020, 9, 1)
FAST = settings(max_examples=40, deadline=None)

days = st.integers(min_value=0, max_value=1800)


@st.composite
def referral_with_periods(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A referral and non-overlapping periods starting on or after its date."""
    start = START + dt.timedelta(days=draw(days))
    ended = draw(st.booleans())
    end = start + dt.timedelta(days=draw(days)) if ended else None
    ref = referral_row(
        "R1",
        child_ref="CH1",
        local_authority=draw(st.sampled_from(DN2.council_codes)),
        cohort=draw(st.sampled_from(DN2.cohort_codes)),
        funding=draw(st.sampled_from(["sib", "guaranteed"])),
        referral_date=start,
        end_date=end,
        status="graduated" if ended else "live",
    )
    periods = []
    cursor = start
    for gap, length in draw(st.lists(st.tuples(days, days), max_size=4)):
        p_start = cursor + dt.timedelta(days=gap % 120)
        p_end = p_start + dt.timedelta(days=length % 500)
        periods.append({"referral_id": "R1", "start_date": p_start, "end_date": p_end})
        cursor = p_end
    if periods and draw(st.booleans()):
        periods[-1]["end_date"] = None
    return ref, periods


def _weeks(ref: dict[str, Any], periods: list[dict[str, Any]], as_of: dt.date) -> int:
    frame = referral_figures(
        DN2,
        pl.DataFrame([ref], schema=REFERRAL_SCHEMA),
        pl.DataFrame(periods, schema=PERIOD_SCHEMA),
        as_of,
    )
    return int(frame["sustained_weeks"].sum())


@FAST
@given(referral_with_periods(), days)
def test_weeks_never_exceed_the_window(case, offset):
    ref, periods = case
    as_of = START + dt.timedelta(days=offset)
    why = explain_referral(DN2, ref, periods, as_of)
    weeks = _weeks(ref, periods, as_of)
    assert weeks == why.sustained_weeks  # the engine and the explanation agree
    window_days = max((why.window_end - why.window_start).days, 0)
    assert weeks <= window_days // 7 <= DN2.programme_weeks


@FAST
@given(referral_with_periods(), st.integers(min_value=1, max_value=400), days)
def test_splitting_a_period_never_adds_weeks(case, cut, offset):
    ref, periods = case
    as_of = START + dt.timedelta(days=offset + 400)
    if not periods:
        return
    first = periods[0]
    split_at = first["start_date"] + dt.timedelta(days=cut)
    if first["end_date"] is not None and split_at >= first["end_date"]:
        return
    split = [
        {**first, "end_date": split_at},
        {**first, "start_date": split_at},
        *periods[1:],
    ]
    assert _weeks(ref, split, as_of) <= _weeks(ref, periods, as_of)


@FAST
@given(referral_with_periods(), days, days)
def test_payments_never_decrease_as_the_as_of_date_moves_later(case, a, b):
    ref, periods = case
    early, late = sorted([START + dt.timedelta(days=a), START + dt.timedelta(days=b)])
    refs = pl.DataFrame([ref], schema=REFERRAL_SCHEMA)
    pers = pl.DataFrame(periods, schema=PERIOD_SCHEMA)
    before = outcome_payments_as_of(DN2, refs, pers, early)
    after = outcome_payments_as_of(DN2, refs, pers, late)
    for rid, p in before.items():
        assert after[rid].total >= p.total
        assert after[rid].sustained_weeks >= p.sustained_weeks


@settings(max_examples=8, deadline=None)
@given(
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=10**6),
)
def test_council_and_cohort_totals_sum_to_the_programme_total(n, offset, seed):
    as_of = START + dt.timedelta(days=offset)
    prog = generate_programme(DN2, n_referrals=n, as_of=as_of, seed=seed)
    report = evaluation_report(DN2, prog.enquiries, prog.referrals, prog.periods, as_of)
    fin = report["finance"]
    for key in ("sustained_weeks", "outcome_payments", "guaranteed_funding_payments"):
        total = sum((m[key] for m in fin["by_local_authority"].values()), Decimal(0))
        assert total == fin[key]
    for key in ("sustained_weeks", "outcome_payments"):
        assert sum((m[key] for m in fin["by_cohort"].values()), Decimal(0)) == fin[key]
    savings = sum((m["savings"] for m in fin["by_cohort"].values()), Decimal(0))
    assert savings == fin["cashable_savings"] + fin["cost_avoidance"]
    assert sum(report["referrals"]["by_local_authority"].values()) == report["referrals"]["total"]
    assert sum(report["cases"]["status"].values()) == report["referrals"]["total"]
    enq = report["enquiries"]
    assert sum(v["total"] for v in enq["by_cohort"].values()) == enq["total"]


# -- the tracker format ----------------------------------------------------------------------

# ids as tracker-format.md allows them: letters, digits and - _ . /, a letter or digit first
text = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,11}", fullmatch=True)
dates = st.dates(min_value=dt.date(2020, 9, 1), max_value=dt.date(2026, 12, 31))
# a referral is dated within the contract's referral period (decision 0013)
referral_dates = st.dates(min_value=dt.date(2020, 9, 1), max_value=DN2.referral_period_end)


@st.composite
def tracker_rows(draw: st.DrawFn) -> tuple[list[EnquiryRow], list[ReferralRow], list[PeriodRow]]:
    """Valid rows with the awkward characters ids and references may hold (. / - _)."""
    dob = dt.date(2012, 6, 1)
    eids = draw(st.lists(text, max_size=4, unique=True))
    enquiries = []
    for eid in eids:
        day = draw(dates)
        decision = draw(st.sampled_from(["progressed", "pending", "withdrawn"]))
        decided = None if decision == "pending" else day + dt.timedelta(days=draw(days) % 30)
        cohort = draw(st.sampled_from(DN2.cohort_codes))
        la = draw(st.sampled_from(DN2.council_codes))
        enquiries.append(EnquiryRow(eid, "child-" + eid, la, cohort, day, dob, decision, decided))
    referrals, periods = [], []
    for rid in draw(st.lists(text, max_size=4, unique=True)):
        # only an enquiry within the referral period can become a referral
        open_enquiries = [e for e in enquiries if DN2.referral_period_open_on(e.enquiry_date)]
        enquiry = draw(st.sampled_from([None, *open_enquiries]))
        day = draw(referral_dates)
        if enquiry is not None:
            day = max(day, enquiry.enquiry_date)  # within the period: so is the enquiry
        status = draw(st.sampled_from(["live", "graduated", "closed_early", "gf_complete"]))
        end = None if status == "live" else day + dt.timedelta(days=draw(days))
        reason = draw(st.sampled_from(DN2.closure_reasons)) if status == "closed_early" else None
        funding = draw(st.sampled_from(["sib", "guaranteed"]))
        gf_from = DN2.guaranteed_funding.start
        if gf_from is not None and day < gf_from:
            funding = "sib"  # no guaranteed funding before the contract's [guaranteed_funding] from
        referrals.append(
            ReferralRow(
                rid,
                enquiry.enquiry_id if enquiry else None,
                enquiry.child_ref if enquiry else "child-" + rid,
                draw(st.sampled_from(DN2.council_codes)),
                draw(st.sampled_from(DN2.cohort_codes)),
                dob,
                funding,
                day,
                status,
                end,
                reason,
            )
        )
        cursor = day
        for _ in range(draw(st.integers(0, 2))):
            start = cursor + dt.timedelta(days=draw(days) % 60)
            stop = start + dt.timedelta(days=draw(days) % 300)
            periods.append(PeriodRow(rid, start, stop))
            cursor = stop
    return enquiries, referrals, periods


@settings(max_examples=60, deadline=None)
@given(tracker_rows())
def test_parse_of_write_gives_back_the_rows(rows):
    enquiries, referrals, periods = rows
    files = write_tracker(enquiries, referrals, periods)
    got = parse_tracker(DN2, *files.items())
    assert got.errors == ()
    assert list(got.enquiry_rows) == enquiries
    assert list(got.referral_rows) == referrals
    assert list(got.period_rows) == periods
    assert write_tracker(got.enquiries, got.referrals, got.periods) == files
