"""The payment seam: for every registered payment design, the engine, the explanation, the
monthly claims and the reconciliation's claimed weeks agree, per referral, to the penny.

Hypothesis draws contracts (the design's own terms included), referrals and their outcome
periods and an as-of date D (the first day of a month, so that monthly claims run to it).
For each referral:

- the engine's figure as of D (column-wise, ``outcome_payments_as_of``) equals the
  explanation's (one referral, ``explain_referral``, through the design);
- the monthly claims from the first referral's month to D add up to it, and each month's
  claim holds exactly the design's dated payments that fell in that month;
- the reconciliation's claimed weeks (``claim_weeks``) carry exactly its outcome payments,
  each in the claim month that paid it;
- the evaluation report's outcome payments and guaranteed-funding payments are the sums.

A design registered in ``stars.domain.outcomes.designs.registry`` without a strategy for its
contract terms here (``COHORT_TERMS``) fails ``test_every_design_is_covered``; a design
module not registered fails ``test_every_design_module_is_registered``
(docs/adding-a-payment-design.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.calendar import month_start, months_between, next_month
from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import (
    PAYMENT_DESIGNS,
    Cohort,
    Contract,
    GuaranteedFunding,
    Milestone,
    OutcomeFund,
    Variation,
)
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes import designs
from stars.domain.outcomes.claims import ADJUSTMENT, Claimed, claim_lines
from stars.domain.outcomes.designs.base import (
    OUTCOME,
    Payment,
    ReferralFacts,
    ReferralOutcome,
    guaranteed_fee,
)
from stars.domain.outcomes.designs.registry import DEFAULT, DESIGNS
from stars.domain.outcomes.engine import outcome_payments_as_of
from stars.domain.outcomes.explanation import explain_referral
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from stars.domain.outcomes.reconciliation import claim_weeks
from stars.domain.outcomes.windows import week_blocks
from tests.conftest import CONTRACT
from tests.domain.rows import referral_row

DN2 = parse_contract(CONTRACT.read_text(encoding="utf-8"))
START = dt.date(2022, 1, 1)
ZERO = Decimal(0)
pounds = st.decimals(min_value=0, max_value=3000, places=2)


caps = st.one_of(st.none(), st.decimals(min_value=0, max_value=20000, places=2))


def weekly_after_proving(draw: st.DrawFn, cohort: Cohort) -> Cohort:
    return replace(
        cohort,
        proving_weeks=draw(st.integers(0, 30)),
        weekly_outcome_payment=draw(pounds),
        weekly_saving=draw(pounds),
        max_payment_per_referral=draw(caps),
    )


def continuous_milestones(draw: st.DrawFn, cohort: Cohort) -> Cohort:
    names = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4, unique=True))
    milestones = [Milestone(n, draw(st.integers(0, 60)), draw(pounds)) for n in names]
    return replace(
        cohort,
        proving_weeks=0,
        weekly_outcome_payment=ZERO,
        weekly_saving=draw(pounds),
        milestones=tuple(sorted(milestones, key=lambda m: m.days)),
        max_payment_per_referral=draw(caps),
    )


# each design's contract terms, drawn for one cohort (one entry per registered design)
COHORT_TERMS: dict[str, Callable[[st.DrawFn, Cohort], Cohort]] = {
    "weekly_after_proving": weekly_after_proving,
    "continuous_milestones": continuous_milestones,
}


@st.composite
def contracts(draw: st.DrawFn, design: str) -> Contract:
    cohorts = tuple(
        COHORT_TERMS[design](draw, replace(c, payment_design=design)) for c in DN2.cohorts[:2]
    )
    funds = draw(
        st.lists(
            st.builds(
                OutcomeFund,
                st.sampled_from(["F1", "F2", "F3"]),
                st.decimals(min_value=0, max_value=Decimal("0.5"), places=4),
                caps,
            ),
            max_size=2,
            unique_by=lambda f: f.name,
        )
    )
    return replace(
        DN2,
        programme_weeks=draw(st.integers(1, 110)),
        lcf_share=draw(st.decimals(min_value=0, max_value=1, places=4)),
        outcome_funds=tuple(funds),
        cohorts=cohorts,
        guaranteed_funding=GuaranteedFunding(draw(st.integers(0, 30)), draw(pounds)),
        variations=draw(variations(cohorts)),
    )


@st.composite
def variations(draw: st.DrawFn, cohorts: tuple[Cohort, ...]) -> tuple[Variation, ...]:
    """Contract variations (dated terms): none, or a few from days inside the programme's
    life, each for one cohort or every cohort, changing any term a variation may change."""
    out = []
    days = draw(st.lists(st.integers(0, 1300), max_size=3, unique=True))
    for day in sorted(days):
        cohort = draw(st.sampled_from([None, *cohorts]))
        whom = [cohort] if cohort else list(cohorts)
        milestones = {m.name for c in whom for m in c.milestones}
        weekly = all(c.payment_design == "weekly_after_proving" for c in whom)
        v = Variation(
            start=START + dt.timedelta(days=day),
            reason=f"variation {day}",
            cohort=cohort.code if cohort else None,
            weekly_outcome_payment=draw(st.one_of(st.none(), pounds)) if weekly else None,
            weekly_saving=draw(st.one_of(st.none(), pounds)),
            guaranteed_weekly_fee=None if cohort else draw(st.one_of(st.none(), pounds)),
            milestones=tuple(
                (name, draw(pounds)) for name in sorted(milestones) if draw(st.booleans())
            ),
        )
        out.append(v)
    return tuple(out)


@st.composite
def programmes(draw: st.DrawFn, contract: Contract) -> tuple[list[dict[str, Any]], ...]:
    referrals, periods = [], []
    for i in range(draw(st.integers(1, 4))):
        rid = f"R{i}"
        start = START + dt.timedelta(days=draw(st.integers(0, 700)))
        end = start + dt.timedelta(days=draw(st.integers(0, 900))) if draw(st.booleans()) else None
        referrals.append(
            referral_row(
                rid,
                child_ref=f"CH{i}",
                local_authority=draw(st.sampled_from(contract.council_codes)),
                cohort=draw(st.sampled_from([*contract.cohort_codes, "Z"])),  # Z: unknown
                funding=draw(st.sampled_from(["sib", "guaranteed"])),
                referral_date=start,
                end_date=end,
            )
        )
        cursor = start + dt.timedelta(days=draw(st.integers(-5, 30)))  # may start before
        for _ in range(draw(st.integers(0, 3))):
            p_start = cursor + dt.timedelta(days=draw(st.integers(0, 60)))
            length = draw(st.one_of(st.none(), st.integers(0, 400)))
            p_end = None if length is None else p_start + dt.timedelta(days=length)
            periods.append({"referral_id": rid, "start_date": p_start, "end_date": p_end})
            if p_end is None:
                break
            cursor = p_end
    return referrals, periods


@st.composite
def cases(draw: st.DrawFn, design: str) -> tuple[Contract, list[Any], list[Any], dt.date]:
    contract = draw(contracts(design))
    referrals, periods = draw(programmes(contract))
    as_of = month_start(START + dt.timedelta(days=draw(st.integers(0, 1200))))
    return contract, referrals, periods, next_month(as_of)


def test_every_design_is_covered():
    assert set(COHORT_TERMS) == set(DESIGNS), "draw each registered design's contract terms"


def test_the_designs_a_contract_may_name_are_the_registered_designs():
    """The contract is read without the designs (stars.domain.contract sits below
    stars.domain.outcomes), so its list of names and the registry must be the same list."""
    assert sorted(PAYMENT_DESIGNS) == sorted(DESIGNS)
    assert DEFAULT in DESIGNS


def test_every_design_module_is_registered():
    folder = Path(designs.__file__).parent
    modules = {p.stem for p in folder.glob("*.py")} - {"__init__", "base", "registry"}
    assert modules == {type(d).__module__.rsplit(".", 1)[1] for d in DESIGNS.values()}


@pytest.mark.parametrize("design", sorted(DESIGNS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_engine_explanation_claims_and_reconciliation_agree(design, data):
    agree(*data.draw(cases(design)))


@dataclass(frozen=True)
class PennyPerHalfWeek:
    """A made-up design for the test of a contract mixing designs: no payable weeks, and a
    unit column of its own (two per sustained week) priced at a penny each."""

    name: str = "penny_per_half_week"
    inputs: tuple[str, ...] = ()

    def units(self, contract: Contract) -> tuple[str, ...]:
        return ("half_weeks",)

    def figures(self, contract: Contract, cohort: str, units: Any) -> dict[str, Any]:
        return {}

    def columns(self, contract: Contract) -> dict[str, pl.Expr]:
        return {
            "proving_weeks": pl.col("sustained_weeks"),
            "payable_weeks": pl.lit(0, pl.Int64),
            "half_weeks": pl.col("sustained_weeks") * 2,
        }

    def outcome_payments(self, contract: Contract, cohort: str, units: Any) -> Decimal:
        return Decimal("0.01") * units["half_weeks"]

    def referral(
        self, contract: Contract, referral: ReferralFacts, periods: Any, as_of: dt.date
    ) -> ReferralOutcome:
        weeks = week_blocks(periods)
        fees, fee_rule = guaranteed_fee(contract, referral, as_of)
        pay = tuple(Payment(OUTCOME, Decimal("0.02"), w.end, w) for w in weeks)
        n = len(weeks)
        return ReferralOutcome(
            self.name, n, n, "", 0, "", ZERO, "", fee_rule, tuple(weeks), fees + pay
        )


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_contract_mixing_designs_pays_each_cohort_by_its_own(data):
    made_up = PennyPerHalfWeek()
    with patch.dict(DESIGNS, {made_up.name: made_up}):  # type: ignore[arg-type]
        contract, referrals, periods, as_of = data.draw(cases(DEFAULT))
        a, b = contract.cohorts
        contract = replace(contract, cohorts=(a, replace(b, payment_design=made_up.name)))
        agree(contract, referrals, periods, as_of)


def agree(contract: Contract, referrals: list[Any], periods: list[Any], as_of: dt.date) -> None:
    refs = pl.DataFrame(referrals, schema=REFERRAL_SCHEMA)
    pers = pl.DataFrame(periods, schema=PERIOD_SCHEMA)
    engine = outcome_payments_as_of(contract, refs, pers, as_of)

    # monthly claims from the month before the first referral to D, none corrected after
    first = min(r["referral_date"] for r in referrals) - dt.timedelta(days=1)
    months = months_between(first, as_of)[:-1]
    claimed: dict[str, Claimed] = {}
    by_month: dict[tuple[str, dt.date], Decimal] = {}
    figures = {m: outcome_payments_as_of(contract, refs, pers, m) for m in [*months, as_of]}
    for month in months:
        lines = claim_lines(
            month=month, start=figures[month], end=figures[next_month(month)], claimed=claimed
        )
        for line in lines:
            assert line.kind != ADJUSTMENT  # nothing was corrected
            c = claimed.get(line.referral_id, Claimed())
            claimed[line.referral_id] = c.add(line.component, line.payable_weeks, line.amount)
            key = (line.referral_id, month)
            by_month[key] = by_month.get(key, ZERO) + line.amount

    outcome_total = fee_total = ZERO
    for r in referrals:
        rid = r["referral_id"]
        mine = [p for p in periods if p["referral_id"] == rid]
        why = explain_referral(contract, r, mine, as_of)
        if r["referral_date"] > as_of:
            assert rid not in engine and why.total_payment == 0
            continue
        e = engine[rid]
        # the engine and the explanation
        assert (e.sustained_weeks, e.payable_weeks) == (why.sustained_weeks, why.payable_weeks)
        assert (e.outcome_payment, e.guaranteed_fee) == (why.outcome_payment, why.guaranteed_fee)
        # the claims, in total and month by month against the design's dated payments
        c = claimed.get(rid, Claimed())
        assert (c.outcome, c.fee) == (e.outcome_payment, e.guaranteed_fee)
        for month in months:
            due = sum(
                (
                    p.amount
                    for p in why.outcome.payments
                    if month < p.counted_from <= next_month(month)
                ),
                ZERO,
            )
            assert by_month.get((rid, month), ZERO) == due
        # the reconciliation's claimed weeks
        weeks = claim_weeks(why.outcome)
        assert [(w.start, w.end) for w in weeks if w.week] == [
            (w.start, w.end) for w in why.outcome.weeks
        ]
        assert len(why.outcome.weeks) == e.sustained_weeks
        assert sum((w.amount for w in weeks if w.paid), ZERO) == e.outcome_payment
        for month in months:
            in_month = sum((w.amount for w in weeks if w.month == f"{month:%Y-%m}"), ZERO)
            fees = sum(
                (
                    p.amount
                    for p in why.outcome.payments
                    if p.kind != OUTCOME and month < p.counted_from <= next_month(month)
                ),
                ZERO,
            )
            assert in_month == by_month.get((rid, month), ZERO) - fees
        outcome_total += e.outcome_payment
        fee_total += e.guaranteed_fee

    # the evaluation report's totals are the sums
    report = evaluation_report(contract, pl.DataFrame(schema=ENQUIRY_SCHEMA), refs, pers, as_of)
    finance = report["finance"]
    assert finance["outcome_payments"] == outcome_total
    assert finance["guaranteed_funding_payments"] == fee_total
    # every fund pays its share of outcome payments, up to its cap; the councils the rest
    funds = finance["outcome_funds"]
    assert list(funds) == [f.name for f in contract.funds]
    for f in contract.funds:
        share = f.share * outcome_total
        assert funds[f.name] == (share if f.cap is None else min(share, f.cap))
    assert finance["lcf_contribution"] == sum(funds.values(), ZERO)
    assert finance["council_cost"] == outcome_total - finance["lcf_contribution"] + fee_total
    # savings: the explanation's (each week at the saving in force on its last day) add up
    # to the report's, cashable and avoided
    savings = sum(
        (
            explain_referral(
                contract, r, [p for p in periods if p["referral_id"] == r["referral_id"]], as_of
            ).savings
            for r in referrals
            if r["referral_date"] <= as_of
        ),
        ZERO,
    )
    assert finance["cashable_savings"] + finance["cost_avoidance"] == savings


def test_a_payment_design_a_contract_does_not_know_is_named():
    text = CONTRACT.read_text(encoding="utf-8").replace(
        'code = "A"', 'code = "A"\npayment_design = "by_the_hour"', 1
    )
    with pytest.raises(ValueError, match=r"cohort\[0\]\.payment_design: expected one of"):
        parse_contract(text, "c.toml")


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_every_design_can_be_named_in_a_contract(design):
    text = CONTRACT.read_text(encoding="utf-8").replace(
        'code = "A"', f'code = "A"\npayment_design = "{design}"', 1
    )
    if design == "continuous_milestones":  # its cohorts need milestones, and no weekly terms
        text = text.replace("proving_weeks = 17\nweekly_outcome_payment = 900.00\n", "", 1)
        text = text.replace(
            "  [[cohort.eligibility]]",
            "  [[cohort.milestone]]\n  name = 'start'\n  continuous_weeks = 0\n  payment = 1.0\n"
            "\n  [[cohort.eligibility]]",
            1,
        )
    contract = parse_contract(text, "c.toml")
    assert contract.cohort("A").payment_design == design
    assert parse_contract(CONTRACT.read_text()).cohort("A").payment_design == "weekly_after_proving"
