"""Money that is paid is whole pence: a claim's lines and each fund's part of it, worked out
so that nothing is lost or gained over a programme's claims, and a claim's shown parts add
up to its shown total (docs/decisions/0017-money-to-the-penny.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.calendar import next_month
from stars.domain.contract.terms import OutcomeFund
from stars.domain.money import PENNY, payable_part, pence
from stars.domain.outcomes.claims import (
    GUARANTEED_FEE,
    Claimed,
    LineSpec,
    claim_lines,
    claim_totals,
    fund_shares,
    outcome_of,
)
from stars.domain.outcomes.engine import ReferralPayment

ZERO = Decimal(0)
FIVE_PERCENT = OutcomeFund("Life Chances Fund", Decimal("0.05"))


def figure(rid: str, outcome: Decimal, fee: Decimal = ZERO) -> ReferralPayment:
    return ReferralPayment(rid, 0, 0, Decimal("415.815"), outcome, fee)


def whole_pence(amount: Decimal) -> bool:
    return amount == amount.quantize(PENNY)


def shown(amount: Decimal) -> Decimal:
    """An amount as every page and document shows it: to the penny, half up."""
    return pence(amount)


def test_five_percent_of_41_581_50_leaves_parts_that_add_up_to_the_total():
    """£41,581.50 of outcome payments (100 weeks at £415.815): the fund's 5% is £2,079.075,
    paid as £2,079.08, so the council pays £39,502.42 and the two add up to the total."""
    end = {"R1": figure("R1", Decimal("41581.50"))}
    lines = claim_lines(month=dt.date(2024, 10, 1), start={}, end=end, claimed={})
    (share,) = fund_shares([FIVE_PERCENT], outcome_of(lines), {})
    totals = claim_totals(lines, [share])
    assert totals.total == Decimal("41581.50")
    assert share.amount == Decimal("2079.08")
    assert totals.council_cost == Decimal("39502.42")
    assert shown(share.amount) + shown(totals.council_cost) == shown(totals.total)


def test_a_running_total_is_paid_in_whole_pence_and_never_loses_a_penny():
    # a sub-penny rate: 1 week at £369.875, then 2 more, then 1 more
    parts = [
        payable_part(Decimal(0), Decimal("369.875")),
        payable_part(Decimal("369.875"), Decimal("1109.625")),
        payable_part(Decimal("1109.625"), Decimal("1479.5")),
    ]
    assert parts == [Decimal("369.88"), Decimal("739.75"), Decimal("369.87")]
    assert sum(parts, ZERO) == Decimal("1479.50")


AMOUNT = st.decimals(min_value=-2000, max_value=60000, places=4)


@st.composite
def programmes(draw):
    """Months of two referrals' running figures, exact to a hundredth of a penny: each
    month's figure as of its start (a late correction makes it differ from the figure the
    month before ended at) and as of its end."""
    months = draw(st.integers(1, 12))
    return [
        [
            (
                (draw(AMOUNT), draw(st.sampled_from([ZERO, Decimal("1234.5675")]))),
                (draw(AMOUNT), draw(st.sampled_from([ZERO, Decimal("1234.5675")]))),
            )
            for _ in ("R1", "R2")
        ]
        for _ in range(months)
    ]


@settings(max_examples=150, deadline=None)
@given(programmes(), st.decimals(min_value=0, max_value=1, places=6))
def test_claims_pay_whole_pence_that_add_up_to_the_running_totals(history, share):
    fund = OutcomeFund("F", share)
    claimed: dict[str, Claimed] = {}
    month = dt.date(2022, 1, 1)
    paid_fund: dict[str, Decimal] = {}
    outcome_before = ZERO
    every: list[LineSpec] = []
    for figures in history:
        start = {rid: figure(rid, *s) for rid, (s, _) in zip(("R1", "R2"), figures, strict=True)}
        end = {rid: figure(rid, *e) for rid, (_, e) in zip(("R1", "R2"), figures, strict=True)}
        lines = claim_lines(month=month, start=start, end=end, claimed=claimed)
        assert all(whole_pence(x.amount) for x in lines)
        shares = fund_shares([fund], outcome_of(lines), paid_fund, outcome_before)
        assert all(whole_pence(f.amount) for f in shares)
        totals = claim_totals(lines, shares)
        # what a commissioner adds up: the lines, then the fund's part and the council's
        assert sum((shown(x.amount) for x in lines), ZERO) == shown(totals.total)
        assert shown(totals.lcf_contribution) + shown(totals.council_cost) == shown(totals.total)
        for x in lines:
            claimed[x.referral_id] = claimed.get(x.referral_id, Claimed()).add(
                x.component, x.payable_weeks, x.amount, x.kind
            )
        paid_fund["F"] = paid_fund.get("F", ZERO) + shares[0].amount
        outcome_before += outcome_of(lines)
        every += lines
        month = next_month(month)
    last = {rid: e for rid, (_, e) in zip(("R1", "R2"), history[-1], strict=True)}
    for rid, (outcome, fee) in last.items():
        # no penny lost or gained: each referral's lines add up to its figure, to the penny
        assert claimed.get(rid, Claimed()).outcome == pence(outcome)
        assert claimed.get(rid, Claimed()).fee == pence(fee)
    fees = sum((x.amount for x in every if x.component == GUARANTEED_FEE), ZERO)
    assert fees == sum((pence(f) for _, f in last.values()), ZERO)
    # and the fund's parts add up to its share of everything claimed, to the penny
    assert paid_fund.get("F", ZERO) == pence(share * outcome_before)


@given(st.lists(st.decimals(min_value=0, max_value=100000, places=3), max_size=8))
def test_a_capped_fund_meets_exactly_its_capped_share_to_the_penny(outcomes):
    fund = OutcomeFund("F", Decimal("0.3"), Decimal("20000"))
    paid = before = ZERO
    for outcome in outcomes:
        (share,) = fund_shares([fund], outcome, {"F": paid}, before)
        assert whole_pence(share.amount)
        paid += share.amount
        before += outcome
    assert paid == pence(fund.contribution(sum(outcomes, ZERO)))
