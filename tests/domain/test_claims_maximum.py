"""A claim that reaches a maximum outcome payment: its outcome payments are cut to the
headroom (never below 0) by "over the maximum" lines, fees are claimed in full, and what a
correction or a raised maximum makes payable again is given back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.calendar import next_month
from stars.domain.contract.terms import OutcomeFund
from stars.domain.outcomes.claims import (
    GUARANTEED_FEE,
    OVER_MAXIMUM,
    Claimed,
    LineSpec,
    Maximum,
    claim_lines,
    claim_totals,
    fund_shares,
    outcome_of,
    within_maxima,
)
from stars.domain.outcomes.engine import ReferralPayment

D = dt.date
ZERO = Decimal(0)
WHAT = "the contract's maximum outcome payment"


def figure(rid: str, outcome: Decimal, fee: Decimal = ZERO) -> ReferralPayment:
    return ReferralPayment(rid, 0, 0, Decimal(400), outcome, fee)


class Ledger:
    """One council's claims month by month under one maximum, as the services keep them."""

    def __init__(self, maximum: Decimal | None) -> None:
        self.maximum = maximum
        self.claimed: dict[str, Claimed] = {}
        self.paid = ZERO  # outcome payments paid by every claim (fees apart)
        self.fees = ZERO
        self.month = D(2022, 1, 1)
        self.before: dict[str, ReferralPayment] = {}

    def claim(self, earned: Mapping[str, tuple[Decimal, Decimal]]) -> list[LineSpec]:
        """The claim for the next month, given each referral's running (outcome, fee)."""
        end = {rid: figure(rid, o, f) for rid, (o, f) in earned.items()}
        lines = claim_lines(month=self.month, start=self.before, end=end, claimed=self.claimed)
        maxima = [] if self.maximum is None else [Maximum(self.maximum, self.paid, WHAT)]
        lines = within_maxima(lines, self.claimed, maxima)
        for x in lines:
            c = self.claimed.get(x.referral_id, Claimed())
            self.claimed[x.referral_id] = c.add(x.component, x.payable_weeks, x.amount, x.kind)
        self.paid += outcome_of(lines)
        self.fees += sum((x.amount for x in lines if x.component == GUARANTEED_FEE), ZERO)
        # the next month starts where this one ended (no correction in between)
        self.before, self.month = end, next_month(self.month)
        return lines


def over(lines: list[LineSpec]) -> list[tuple[str, Decimal]]:
    return [(x.referral_id, x.amount) for x in lines if x.kind == OVER_MAXIMUM]


def test_the_headroom_is_claimed_and_later_claims_carry_fees_only():
    # the acceptance tester's case: £5,082 of headroom and a month earning more than that
    ledger = Ledger(Decimal("100000"))
    first = ledger.claim({"R1": (Decimal("94918"), ZERO)})
    assert outcome_of(first) == Decimal("94918") and over(first) == []
    second = ledger.claim(
        {"R1": (Decimal("98918"), ZERO), "R2": (Decimal("3600.50"), Decimal("11700"))}
    )
    # £7,600.50 earned, £5,082 payable: £2,518.50 held back, from the last referral first
    assert outcome_of(second) == Decimal("5082")
    assert over(second) == [("R2", Decimal("-2518.50"))]
    (line,) = [x for x in second if x.kind == OVER_MAXIMUM]
    assert line.rule == (
        "over the maximum outcome payment: £2,518.50 of this referral's outcome payments in "
        "this claim not payable (the contract's maximum outcome payment of £100,000.00: other "
        "claims pay £94,918.00, so the headroom was £5,082.00)"
    )
    totals = claim_totals(second, ())
    assert totals.held_back == Decimal("2518.50")
    assert totals.guaranteed_fees == Decimal("11700")  # the fee in full
    assert totals.total == Decimal("16782")
    # the maximum is reached: the next month's outcome payments are all held back, the
    # earlier months are not carried again, and the fee is paid
    third = ledger.claim(
        {"R1": (Decimal("101318"), ZERO), "R2": (Decimal("5200.50"), Decimal("11900"))}
    )
    assert outcome_of(third) == ZERO
    assert sorted(over(third)) == [("R1", Decimal("-2400")), ("R2", Decimal("-1600"))]
    assert claim_totals(third, ()).total == Decimal("200")  # the fee rose by £200
    assert not [x for x in third if x.kind == "adjustment"]
    assert ledger.paid == Decimal("100000")


def test_a_correction_down_gives_back_what_was_held_back():
    ledger = Ledger(Decimal("1000"))
    ledger.claim({"R1": (Decimal("800"), ZERO), "R2": (Decimal("400"), ZERO)})
    assert ledger.paid == Decimal("1000")
    assert ledger.claimed["R2"].held_back == Decimal("200")
    # R1's records are corrected down by £300 and nothing more is earned: £200 held back
    # becomes payable again, and the claim repays the other £100
    ledger.before = {"R1": figure("R1", Decimal("500")), "R2": figure("R2", Decimal("400"))}
    lines = ledger.claim({"R1": (Decimal("500"), ZERO), "R2": (Decimal("400"), ZERO)})
    assert over(lines) == [("R2", Decimal("200"))]
    assert outcome_of(lines) == Decimal("-100")
    assert ledger.paid == Decimal("900")  # all that is earned, under the maximum


def test_no_maximum_or_room_to_spare_changes_nothing():
    for maximum in (None, Decimal("5000")):
        ledger = Ledger(maximum)
        lines = ledger.claim({"R1": (Decimal("800"), Decimal("11700"))})
        assert over(lines) == []
        assert claim_totals(lines, ()).total == Decimal("12500")


def test_a_council_maximum_and_the_contracts_the_tighter_binds():
    lines = [LineSpec("R1", "outcome", "outcome", 2, Decimal(400), Decimal(800), "r")]
    maxima = [Maximum(Decimal("9120000"), Decimal("9000000"), WHAT)]
    maxima.append(Maximum(Decimal("500"), Decimal("100"), "Derby City Council's maximum"))
    (cut,) = over(within_maxima(lines, {}, maxima))
    assert cut == ("R1", Decimal("-400"))
    # earlier claims already past a maximum: the headroom is 0, never below
    past = [Maximum(Decimal("500"), Decimal("700"), WHAT)]
    assert outcome_of(within_maxima(lines, {}, past)) == ZERO


def test_the_funds_shares_are_worked_on_what_is_paid():
    ledger = Ledger(Decimal("1000"))
    lines = ledger.claim({"R1": (Decimal("1500"), Decimal("11700"))})
    fund = OutcomeFund("Life Chances Fund", Decimal("0.25"))
    (share,) = fund_shares([fund], outcome_of(lines), {})
    assert share.amount == Decimal("250")  # 25% of the £1,000 paid, not of £1,500
    assert claim_totals(lines, [share]).council_cost == Decimal("1000") - 250 + 11700


amount = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    maximum=st.one_of(st.none(), amount),
    months=st.lists(
        st.lists(st.tuples(amount, amount, st.booleans()), min_size=3, max_size=3),
        min_size=1,
        max_size=8,
    ),
)
def test_claims_never_pass_the_maximum_and_pay_the_least_of_it_and_what_was_earned(maximum, months):
    """Each month each of three referrals earns outcome payments and fees (or, with the
    flag, has its outcome payments corrected down by that much)."""
    ledger = Ledger(maximum)
    outcome = {f"R{i}": ZERO for i in range(3)}
    fee = dict.fromkeys(outcome, ZERO)
    for month in months:
        for (rid, o), (earned, fees, down) in zip(list(outcome.items()), month, strict=True):
            outcome[rid] = max(o - earned, ZERO) if down else o + earned
            fee[rid] += fees
        lines = ledger.claim({rid: (outcome[rid], fee[rid]) for rid in outcome})
        accrued = sum(outcome.values(), ZERO)
        if maximum is not None:
            assert ledger.paid <= maximum
        assert ledger.paid == (accrued if maximum is None else min(maximum, accrued))
        assert ledger.fees == sum(fee.values(), ZERO)  # fees in full, whatever the maximum
        held = sum((c.held_back for c in ledger.claimed.values()), ZERO)
        assert held == accrued - ledger.paid and all(
            c.held_back >= 0 for c in ledger.claimed.values()
        )
        for x in lines:  # a referral's outcome payments in a claim are never cut below 0
            if x.kind == OVER_MAXIMUM and x.amount < 0:
                mine = [y for y in lines if y.referral_id == x.referral_id]
                assert outcome_of(mine) >= 0


@settings(max_examples=100, deadline=None)
@given(
    maximum=st.one_of(st.none(), amount),
    own=st.tuples(st.one_of(st.none(), amount), st.one_of(st.none(), amount)),
    months=st.lists(
        st.tuples(
            st.tuples(amount, amount, st.booleans()), st.tuples(amount, amount, st.booleans())
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_two_councils_under_the_contracts_maximum_and_their_own(maximum, own, months):
    """Two councils claim month by month under the contract's maximum and each its own: no
    claim takes either past its maximum, a council's claims never pay more than it earned,
    fees are paid in full, and a claim holds back only what a maximum leaves no room for."""
    ledgers = [Ledger(m) for m in own]  # each its own maximum; the contract's shared
    earned = [ZERO, ZERO]
    fees = [ZERO, ZERO]
    for month in months:
        for k, (more, fee, down) in enumerate(month):
            ledger = ledgers[k]
            earned[k] = max(earned[k] - more, ZERO) if down else earned[k] + more
            fees[k] += fee
            end = {"R": figure("R", earned[k], fees[k])}
            lines = claim_lines(
                month=ledger.month, start=ledger.before, end=end, claimed=ledger.claimed
            )
            others = ledgers[1 - k].paid
            maxima = [] if maximum is None else [Maximum(maximum, others + ledger.paid, WHAT)]
            if ledger.maximum is not None:
                maxima.append(Maximum(ledger.maximum, ledger.paid, "its own maximum"))
            lines = within_maxima(lines, ledger.claimed, maxima)
            for x in lines:
                c = ledger.claimed.get(x.referral_id, Claimed())
                ledger.claimed[x.referral_id] = c.add(
                    x.component, x.payable_weeks, x.amount, x.kind
                )
            ledger.paid += outcome_of(lines)
            ledger.fees += sum((x.amount for x in lines if x.component == GUARANTEED_FEE), ZERO)
            ledger.before, ledger.month = end, next_month(ledger.month)
            held = ledger.claimed["R"].held_back if "R" in ledger.claimed else ZERO
            total = ledgers[0].paid + ledgers[1].paid
            if maximum is not None:
                assert total <= maximum
            if ledger.maximum is not None:
                assert ledger.paid <= ledger.maximum
            assert held >= 0 and ledger.paid == earned[k] - held
            assert ledger.fees == fees[k]
            if held:  # held back only at a maximum
                assert (maximum is not None and total == maximum) or ledger.paid == ledger.maximum
