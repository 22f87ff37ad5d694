"""Claim arithmetic: monthly claims with late corrections always add up to the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.calendar import months_between, next_month
from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import OutcomeFund
from stars.domain.outcomes.claims import (
    ADJUSTMENT,
    GUARANTEED_FEE,
    NOT_WEEKLY,
    OUTCOME,
    Claimed,
    claim_lines,
    claim_totals,
    fund_shares,
    outcome_of,
    weeks_shown,
)
from stars.domain.outcomes.engine import outcome_payments_as_of
from stars.domain.outcomes.frames import PERIOD_SCHEMA, REFERRAL_SCHEMA
from tests.domain.rows import referral_row

CONTRACT = parse_contract(
    (Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml").read_text()
)
D = dt.date
FIRST = D(2022, 1, 1)


def frames(refs, periods):
    return (
        pl.DataFrame(refs, schema=REFERRAL_SCHEMA, orient="row"),
        pl.DataFrame(periods, schema=PERIOD_SCHEMA, orient="row"),
    )


def ref(rid, cohort="B", funding="sib", start=D(2022, 1, 3)):
    return referral_row(
        rid,
        child_ref=f"C-{rid}",
        local_authority="derby",
        cohort=cohort,
        funding=funding,
        referral_date=start,
    )


def run_month(month, refs, periods, claimed):
    r, p = frames(refs, periods)
    start = outcome_payments_as_of(CONTRACT, r, p, month)
    end = outcome_payments_as_of(CONTRACT, r, p, next_month(month))
    return claim_lines(month=month, start=start, end=end, claimed=claimed)


def hold(claimed, lines):
    out = dict(claimed)
    for line in lines:
        out[line.referral_id] = out.get(line.referral_id, Claimed()).add(
            line.component, line.payable_weeks, line.amount
        )
    return out


def test_a_sustained_placement_is_claimed_month_by_month_after_the_proving_weeks():
    refs = [ref("R1")]
    periods = [{"referral_id": "R1", "start_date": D(2022, 1, 3), "end_date": None}]
    claimed: dict[str, Claimed] = {}
    total = Decimal(0)
    for m in months_between(D(2022, 1, 1), D(2022, 6, 1)):
        lines = run_month(m, refs, periods, claimed)
        assert all(line.kind == OUTCOME for line in lines)
        claimed = hold(claimed, lines)
        total += sum((line.amount for line in lines), Decimal(0))
    # 3 Jan to 1 Jul 2022 = 179 days = 25 weeks; 13 proving; 12 × £400
    assert total == Decimal(12 * 400)
    assert claimed["R1"].outcome_weeks == 12


def test_a_late_correction_becomes_an_adjustment_line_next_month():
    refs = [ref("R1")]
    periods = [{"referral_id": "R1", "start_date": D(2022, 1, 3), "end_date": None}]
    claimed: dict[str, Claimed] = {}
    for m in months_between(D(2022, 1, 1), D(2022, 5, 1)):
        claimed = hold(claimed, run_month(m, refs, periods, claimed))
    assert claimed["R1"].outcome == Decimal(8 * 400)  # to 1 Jun: 21 weeks, 8 payable
    # the placement is found to have ended on 4 April: 13 weeks, nothing payable
    periods = [{"referral_id": "R1", "start_date": D(2022, 1, 3), "end_date": D(2022, 4, 4)}]
    lines = run_month(D(2022, 6, 1), refs, periods, claimed)
    assert [(x.kind, x.payable_weeks, x.amount) for x in lines] == [
        (ADJUSTMENT, -8, Decimal(-3200))
    ]
    assert "earlier claims hold 8 weeks" in lines[0].rule


def test_guaranteed_fee_falls_due_once_and_totals_split_the_lcf_share():
    refs = [ref("G1", funding="guaranteed", start=D(2022, 2, 14))]
    lines = run_month(D(2022, 2, 1), refs, [], {})
    fee = CONTRACT.guaranteed_funding.fee
    assert [(x.kind, x.component, x.amount) for x in lines] == [
        (GUARANTEED_FEE, GUARANTEED_FEE, fee)
    ]
    totals = claim_totals(lines, fund_shares(CONTRACT.funds, outcome_of(lines), {}))
    assert totals.guaranteed_fees == fee and totals.lcf_contribution == 0
    assert totals.council_cost == fee


DAY = st.integers(min_value=0, max_value=500)


@st.composite
def histories(draw):
    """Referrals and periods, plus a sequence of corrections applied between months."""
    n = draw(st.integers(1, 4))
    refs = [
        ref(
            f"R{i}",
            cohort=draw(st.sampled_from(CONTRACT.cohort_codes)),
            funding=draw(st.sampled_from(["sib", "guaranteed"])),
            start=FIRST + dt.timedelta(days=draw(st.integers(0, 200))),
        )
        for i in range(n)
    ]

    def some_periods():
        out = []
        for r in refs:
            if draw(st.booleans()):
                a = r["referral_date"] + dt.timedelta(days=draw(st.integers(0, 60)))
                length = draw(st.one_of(st.none(), st.integers(0, 500)))
                end = None if length is None else a + dt.timedelta(days=length)
                out.append({"referral_id": r["referral_id"], "start_date": a, "end_date": end})
        return out

    months = draw(st.integers(3, 14))
    versions = [some_periods() for _ in range(draw(st.integers(1, 4)))]
    changes = sorted(draw(st.lists(st.integers(0, months - 1), max_size=len(versions) - 1)))
    return refs, versions, changes, months


@settings(max_examples=60, deadline=None)
@given(histories())
def test_claims_with_late_corrections_always_add_up_to_the_engine(history):
    refs, versions, changes, months = history
    claimed: dict[str, Claimed] = {}
    version = 0
    month = FIRST
    all_lines = []
    for i in range(months):
        while version < len(changes) and changes[version] == i:
            version += 1  # the records are corrected before this month's claim
        periods = versions[min(version, len(versions) - 1)]
        lines = run_month(month, refs, periods, claimed)
        claimed = hold(claimed, lines)
        all_lines += lines
        month = next_month(month)
    r, p = frames(refs, periods)
    engine = outcome_payments_as_of(CONTRACT, r, p, month)
    assert sum((x.amount for x in all_lines), Decimal(0)) == sum(
        (x.total for x in engine.values()), Decimal(0)
    )
    totals = claim_totals(all_lines, fund_shares(CONTRACT.funds, outcome_of(all_lines), {}))
    assert totals.outcome_payments == sum((x.outcome_payment for x in engine.values()), Decimal(0))
    for rid, figure in engine.items():
        assert claimed.get(rid, Claimed()).outcome == figure.outcome_payment
        assert claimed.get(rid, Claimed()).fee == figure.guaranteed_fee


def test_funds_meet_their_shares_in_claim_order_until_their_caps():
    funds = (
        OutcomeFund("Capped", Decimal("0.25"), Decimal("1000")),
        OutcomeFund("Open", Decimal("0.1")),
    )
    paid: dict[str, Decimal] = {}
    parts = []
    for outcome in (Decimal("3000"), Decimal("500"), Decimal("2000"), Decimal("-400")):
        shares = fund_shares(funds, outcome, paid)
        parts.append([f.amount for f in shares])
        for f in shares:
            paid[f.name] = paid.get(f.name, Decimal(0)) + f.amount
    # 750 of the first claim, 125 of the second, then only the 125 left; a clawback
    # gives back its share (and headroom)
    assert parts == [
        [Decimal("750"), Decimal("300")],
        [Decimal("125"), Decimal("50")],
        [Decimal("125"), Decimal("200")],
        [Decimal("-100"), Decimal("-40")],
    ]


def test_each_line_says_in_plain_words_what_it_counted_to():
    """A claim is read by a council's finance team: "by the end of October 2022", not
    "counted to 01 Nov 2022 exclusive"."""
    refs = [ref("R1"), ref("G1", funding="guaranteed", start=D(2022, 10, 3))]
    periods = [{"referral_id": "R1", "start_date": D(2022, 1, 3), "end_date": None}]
    claimed: dict[str, Claimed] = {}
    for m in months_between(D(2022, 1, 1), D(2022, 9, 1)):
        claimed = hold(claimed, run_month(m, refs, periods, claimed))
    assert [x.rule for x in run_month(D(2022, 10, 1), refs, periods, claimed)] == [
        "guaranteed-funding fee, due once the referral started (by the end of October 2022)",
        "payable weeks rose from 25 to 30 in October 2022 (sustained weeks 38 to 43 by the "
        "end of the month) at £400.00 a week",
    ]
    # the placement is found to have ended on 1 August: September's claims are corrected
    periods = [{"referral_id": "R1", "start_date": D(2022, 1, 3), "end_date": D(2022, 8, 1)}]
    assert [x.rule for x in run_month(D(2022, 10, 1), refs[:1], periods, claimed)] == [
        "outcome payments earned by the end of September 2022 by the records as they stand: "
        "17 payable weeks, £6,800.00; earlier claims hold 25 weeks, £10,000.00; the "
        "difference is claimed here",
    ]


def test_only_a_line_paid_by_the_week_shows_its_weeks():
    rate = Decimal("400")
    assert weeks_shown("outcome", "outcome", rate, 2) == 2
    assert weeks_shown("adjustment", "outcome", rate, -1) == -1
    assert weeks_shown("guaranteed_fee", "guaranteed_fee", Decimal(0), 0) == NOT_WEEKLY
    assert weeks_shown("adjustment", "guaranteed_fee", Decimal(0), 0) == NOT_WEEKLY
    assert weeks_shown("over_maximum", "outcome", Decimal(0), 0) == NOT_WEEKLY
    assert weeks_shown("outcome", "outcome", Decimal(0), 0) == NOT_WEEKLY  # a milestone
