"""Money: what was paid, what the outcome fund contributes and what the councils pay."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.money import Money, fund_contribution

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
