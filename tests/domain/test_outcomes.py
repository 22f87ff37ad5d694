"""The outcomes engine: worked examples and the edge cases of the as-of rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from stars.domain.calendar import months_between, next_month
from stars.domain.contract.parsing import parse_contract
from stars.domain.outcomes.claims import Claimed, claim_lines
from stars.domain.outcomes.engine import outcome_payments_as_of, referral_figures
from stars.domain.outcomes.explanation import explain_referral
from stars.domain.outcomes.frames import PERIOD_SCHEMA, REFERRAL_SCHEMA
from tests.domain.rows import referral_row

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")
D = dt.date


def referral(rid: str = "R1", **kw: Any) -> dict[str, Any]:
    row = referral_row(
        rid,
        enquiry_id="E1",
        child_ref="CH1",
        local_authority="derby",
        cohort="A",
        referral_date=D(2022, 1, 3),
        status="live",
    )
    return row | kw


def period(rid: str, start: dt.date, end: dt.date | None) -> dict[str, Any]:
    return {"referral_id": rid, "start_date": start, "end_date": end}


def figures(refs: list[dict[str, Any]], pers: list[dict[str, Any]], as_of: dt.date) -> dict:
    frame = referral_figures(
        DN2,
        pl.DataFrame(refs, schema=REFERRAL_SCHEMA),
        pl.DataFrame(pers, schema=PERIOD_SCHEMA),
        as_of,
    )
    return {r["referral_id"]: r for r in frame.iter_rows(named=True)}


def one(ref: dict[str, Any], pers: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """The engine's row for one referral, checked against the line-by-line explanation."""
    row = figures([ref], pers, as_of)[ref["referral_id"]]
    why = explain_referral(DN2, ref, pers, as_of)
    assert (why.sustained_weeks, why.payable_weeks, why.proving_weeks) == (
        row["sustained_weeks"],
        row["payable_weeks"],
        row["proving_weeks"],
    )
    assert why.window_end == row["window_end"]
    assert why.status_as_of == row["status_as_of"]
    return row


def test_the_as_of_day_itself_is_not_counted():
    ref = referral(referral_date=D(2024, 1, 1))
    pers = [period("R1", D(2024, 1, 1), None)]
    assert one(ref, pers, D(2024, 1, 7))["sustained_weeks"] == 0  # 6 days
    assert one(ref, pers, D(2024, 1, 8))["sustained_weeks"] == 1  # 7 days: 1 .. 7 January
    assert one(ref, pers, D(2024, 3, 1))["sustained_weeks"] == 8  # 60 days


def test_a_period_crossing_the_as_of_date_counts_up_to_it():
    ref = referral(referral_date=D(2024, 1, 1), status="graduated", end_date=D(2025, 12, 29))
    pers = [period("R1", D(2024, 1, 1), D(2024, 6, 3))]  # 22 weeks, ending after as-of
    row = one(ref, pers, D(2024, 3, 1))
    assert row["sustained_weeks"] == 8
    assert row["status_as_of"] == "live"  # it ended after the as-of date: not known yet
    assert one(ref, pers, D(2024, 6, 10))["sustained_weeks"] == 22


def test_weeks_stop_at_the_end_of_the_programme_window():
    start = D(2021, 1, 4)
    ref = referral(referral_date=start, status="graduated", end_date=D(2023, 6, 1))
    pers = [period("R1", D(2020, 12, 1), None)]  # starts before referral, never ends
    row = one(ref, pers, D(2025, 1, 1))
    assert row["sustained_weeks"] == 104  # only [referral date, +104 weeks)
    assert row["window_end"] == start + dt.timedelta(weeks=104)
    assert row["payable_weeks"] == 104 - 17


def test_weeks_stop_when_support_ends():
    ref = referral(
        status="closed_early",
        end_date=D(2022, 3, 1),
        closure_reason="placement_breakdown",
    )
    row = one(ref, [period("R1", D(2022, 1, 3), None)], D(2024, 1, 1))
    assert row["sustained_weeks"] == 8  # 57 days
    assert row["status_as_of"] == "closed_early"
    assert row["closure_reason_as_of"] == "placement_breakdown"


def test_referral_whose_end_is_the_as_of_date_has_ended():
    ref = referral(status="graduated", end_date=D(2024, 1, 1))
    assert one(ref, [], D(2024, 1, 1))["status_as_of"] == "graduated"
    assert one(ref, [], D(2023, 12, 31))["status_as_of"] == "live"


def test_proving_period_ending_mid_period():
    # cohort A proves for 17 weeks: 10 weeks, a breakdown, then 12 weeks in a new placement
    pers = [
        period("R1", D(2022, 1, 3), D(2022, 3, 14)),  # 70 days = 10 weeks
        period("R1", D(2022, 3, 21), D(2022, 6, 13)),  # 84 days = 12 weeks
    ]
    row = one(referral(), pers, D(2023, 1, 1))
    assert (row["sustained_weeks"], row["payable_weeks"]) == (22, 5)
    pay = outcome_payments_as_of(
        DN2,
        pl.DataFrame([referral()], schema=REFERRAL_SCHEMA),
        pl.DataFrame(pers, schema=PERIOD_SCHEMA),
        D(2023, 1, 1),
    )["R1"]
    assert pay.outcome_payment == Decimal("4500.00")  # 5 × £900
    assert pay.guaranteed_fee == 0


def test_part_weeks_of_each_period_are_dropped():
    pers = [
        period("R1", D(2022, 1, 3), D(2022, 1, 16)),  # 13 days = 1 week
        period("R1", D(2022, 1, 17), D(2022, 1, 30)),  # 13 days = 1 week
    ]
    assert one(referral(), pers, D(2023, 1, 1))["sustained_weeks"] == 2


def test_guaranteed_case_closing_before_its_minimum_weeks():
    ref = referral(
        cohort="B",
        funding="guaranteed",
        status="closed_early",
        end_date=D(2022, 3, 28),  # 12 weeks
        closure_reason="consent_withdrawn",
    )
    row = one(ref, [period("R1", D(2022, 1, 3), None)], D(2024, 1, 1))
    assert (row["sustained_weeks"], row["proving_weeks"], row["payable_weeks"]) == (12, 26, 0)
    why = explain_referral(DN2, ref, [period("R1", D(2022, 1, 3), None)], D(2024, 1, 1))
    assert why.guaranteed_fee == Decimal("11700.00")  # 26 × £450, whatever happens
    assert why.outcome_payment == 0
    assert why.savings == Decimal("25200.00")  # 12 × £2,100 avoided


def test_guaranteed_case_is_paid_after_its_minimum_weeks():
    ref = referral(cohort="B", funding="guaranteed")
    row = one(ref, [period("R1", D(2022, 1, 3), None)], D(2022, 10, 10))  # 280 days
    assert (row["sustained_weeks"], row["payable_weeks"]) == (40, 14)
    why = explain_referral(DN2, ref, [period("R1", D(2022, 1, 3), None)], D(2022, 10, 10))
    assert why.outcome_payment == Decimal("5600.00")  # 14 × £400
    assert why.total_payment == Decimal("17300.00")


def test_guaranteed_fee_is_earned_from_the_referral_date_not_before():
    ref = referral(funding="guaranteed", referral_date=D(2022, 1, 3))
    refs = pl.DataFrame([ref], schema=REFERRAL_SCHEMA)
    pers = pl.DataFrame([], schema=PERIOD_SCHEMA)
    assert outcome_payments_as_of(DN2, refs, pers, D(2022, 1, 2)) == {}
    assert outcome_payments_as_of(DN2, refs, pers, D(2022, 1, 3))["R1"].guaranteed_fee == Decimal(
        "11700.00"
    )


def test_records_after_the_as_of_date_do_not_exist():
    refs = [referral("R1"), referral("R2", referral_date=D(2023, 1, 1))]
    pers = [period("R1", D(2022, 1, 3), None), period("R2", D(2023, 1, 1), None)]
    got = figures(refs, pers, D(2022, 12, 31))
    assert list(got) == ["R1"]


def test_a_referral_without_periods_has_no_weeks():
    assert one(referral(), [], D(2024, 1, 1))["sustained_weeks"] == 0


def test_explanation_traces_every_figure_to_a_rule():
    pers = [period("R1", D(2022, 1, 3), D(2022, 3, 14)), period("R1", D(2022, 3, 21), None)]
    why = explain_referral(DN2, referral(), pers, D(2022, 6, 1))
    assert why.window_end == D(2022, 6, 1)
    assert "as-of date" in why.window_rule
    assert [p.weeks for p in why.periods] == [10, 10]
    assert why.periods[1].rule == (
        "72 days inside the window, from 21 March 2022 to 31 May 2022, both days counted: "
        "10 whole weeks (the last 2 days are not a whole week)"
    )
    assert why.window_counted == "from 3 January 2022 to 31 May 2022, both days counted"
    assert why.window_rule == (
        "the window stops at the as-of date on 1 June 2022; that day is not counted"
    )
    assert why.payable_rule == "max(0, 20 sustained − 17) = 3"
    assert why.payment_rule == "3 payable weeks × £900.00 (cohort A weekly rate)"
    assert why.outcome_payment == Decimal("2700.00")
    labels = [line.label for line in why.lines]
    assert labels[0] == "Window" and "Outcome payment" in labels


def test_rules_state_prices_in_pounds_and_pence_however_the_contract_writes_them():
    text = TOML.read_text(encoding="utf-8")
    text = text.replace("weekly_fee = 450.00", "weekly_fee = 180.0")
    text = text.replace("weekly_outcome_payment = 900.00", "weekly_outcome_payment = 1200")
    text = text.replace("weekly_saving = 2100.00", "weekly_saving = 2100.125", 1)
    terms = parse_contract(text, "c.toml")
    pers = [period("R1", D(2022, 1, 3), None)]
    why = explain_referral(terms, referral(funding="guaranteed"), pers, D(2022, 9, 1))
    assert why.fee_rule == "26 weeks × £180.00 once started, whatever happens"
    assert why.payment_rule == "8 payable weeks × £1,200.00 (cohort A weekly rate)"
    assert why.savings_rule == "34 sustained weeks × £2,100.125 (cashable, cohort A)"


def test_monthly_claims_add_up_to_the_total():
    pers = [period("R1", D(2022, 1, 3), None)]
    refs = pl.DataFrame([referral(funding="guaranteed")], schema=REFERRAL_SCHEMA)
    frame = pl.DataFrame(pers, schema=PERIOD_SCHEMA)
    claimed: dict[str, Claimed] = {}
    for month in months_between(D(2022, 1, 1), D(2023, 11, 1)):
        start = outcome_payments_as_of(DN2, refs, frame, month)
        end = outcome_payments_as_of(DN2, refs, frame, next_month(month))
        for line in claim_lines(month=month, start=start, end=end, claimed=claimed):
            c = claimed.get(line.referral_id, Claimed())
            claimed[line.referral_id] = c.add(line.component, line.payable_weeks, line.amount)
    total = outcome_payments_as_of(DN2, refs, frame, D(2023, 12, 1))["R1"].total
    assert claimed["R1"].outcome + claimed["R1"].fee == total
    # 697 days to 1 Dec 2023 = 99 weeks; cohort A pays £700 a week after the 26 guaranteed
    assert total == Decimal("11700.00") + 900 * (99 - 26)
