"""Money: what was paid, what the outcome fund contributes and what the councils pay."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.money import Money, capped_split, fund_contribution, price_text

D = Decimal

pounds = st.decimals(min_value=0, max_value=10**7, places=2)
share = st.decimals(min_value=0, max_value=1, places=4)


def test_the_fund_pays_its_share_of_outcome_payments_and_nothing_of_fees():
    m = Money(
        outcome_payments=Decimal("1000.00"),
        guaranteed_funding_payments=Decimal("300.00"),
        fund_contributions=fund_contribution(Decimal("1000.00"), Decimal("0.25")),
        cashable_savings=Decimal("2000.00"),
    )
    assert m.paid == Decimal("1300.00")
    assert m.fund_contributions == Decimal("250.00")
    assert m.council_cost == Decimal("1050.00")
    assert m.net_cash_saving == Decimal("700.00")


@given(st.lists(st.tuples(pounds, pounds), max_size=6), share)
def test_money_of_groups_adds_up_to_the_money_of_their_total(groups, s):
    parts = [
        Money(
            outcome_payments=o,
            guaranteed_funding_payments=g,
            fund_contributions=fund_contribution(o, s),
        )
        for o, g in groups
    ]
    total = sum(parts, Money())
    outcome = sum((o for o, _ in groups), Decimal(0))
    fees = sum((g for _, g in groups), Decimal(0))
    assert total.paid == outcome + fees
    assert total.fund_contributions == fund_contribution(outcome, s)
    assert total.council_cost == outcome + fees - outcome * s


# -- a capped fund's contribution split between councils ---------------------------------------


def test_a_capped_fund_is_split_in_proportion_to_the_uncapped_shares():
    # a fund paying 25% of £1,000, £2,000 and £1,000.04 (uncapped £250, £500, £250.01),
    # capped at £600: by proportion £149.9985..., £299.997..., £150.0030..., rounded down
    # £149.99, £299.99, £150.00; the 2p left go to the largest fractions cut off (the first
    # two)
    assert capped_split(D("600"), [D("250"), D("500"), D("250.01")]) == [
        D("150.00"),
        D("300.00"),
        D("150.00"),
    ]
    # the cap not reached: the uncapped shares, unchanged (to the last decimal place)
    assert capped_split(D("1000.01"), [D("250.005"), D("750.005")]) == [
        D("250.005"),
        D("750.005"),
    ]
    assert capped_split(D("0"), [D("10"), D("0")]) == [D("0.00"), D("0.00")]
    assert capped_split(D("5"), []) == []


amounts = st.decimals(min_value=0, max_value=10_000_000, places=4)


@given(
    uncapped=st.lists(amounts, min_size=1, max_size=8),
    cap_share=st.decimals(min_value=0, max_value=1, places=6),
)
def test_the_capped_parts_add_up_to_the_capped_total_and_none_exceeds_its_share(
    uncapped, cap_share
):
    whole = sum(uncapped, D(0))
    capped = min(whole, (whole * cap_share).quantize(D("0.01")))
    parts = capped_split(capped, uncapped)
    assert sum(parts, D(0)) == capped
    assert all(D(0) <= p <= u for p, u in zip(parts, uncapped, strict=True))
    assert parts == capped_split(capped, list(uncapped))  # deterministic
    if capped == whole:
        assert parts == uncapped


def test_a_price_is_stated_in_pounds_and_pence_and_never_rounded():
    assert price_text(Decimal("180.0")) == "£180.00"
    assert price_text(Decimal("1200")) == "£1,200.00"
    assert price_text(Decimal("369.875")) == "£369.875"
    assert price_text(Decimal("0")) == "£0.00"
