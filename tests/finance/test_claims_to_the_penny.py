"""Claims pay whole pence even when a contract's rate is in fractions of a penny: each
line, each fund's part and the council's cost, and the board card finds the approved
claims equal to the engine (docs/decisions/0017-money-to-the-penny.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from stars.domain.calendar import months_between, next_month, parse_quarter
from stars.domain.money import PENNY, pence
from stars.finance import engine_bridge
from stars.finance.models import ClaimLine
from stars.finance.selectors import claim_totals_of
from stars.finance.services import claim_approve, claim_prepare, claim_submit
from stars.partnership.selectors import contract_current
from stars.partnership.services import contract_load
from stars.reports.card import card_context
from tests.conftest import CONTRACT
from tests.finance.conftest import TODAY

D = dt.date


def load_sub_penny_contract() -> None:
    """The sample contract with cohort B paid £415.815 a week and a 5% Life Chances Fund."""
    text = (
        CONTRACT.read_text(encoding="utf-8")
        .replace("weekly_outcome_payment = 400.00", "weekly_outcome_payment = 415.815")
        .replace("lcf_share = 0.25", "lcf_share = 0.05")
    )
    contract_load(text=text, source="test.toml")


@pytest.mark.django_db
def test_claims_at_a_sub_penny_rate_pay_whole_pence_and_add_up(money_referrals, derby, users):
    load_sub_penny_contract()
    manager, commissioner = users["provider_manager"], users["commissioner"]
    claims = []
    for month in months_between(D(2022, 1, 1), D(2022, 10, 1)):
        claim = claim_prepare(council=derby, month=month, by=manager, today=TODAY)
        claim_submit(claim=claim, by=manager)
        claims.append(claim_approve(claim=claim, by=commissioner))
    amounts = list(ClaimLine.objects.values_list("amount", flat=True))
    assert amounts and all(a == a.quantize(PENNY) for a in amounts)
    assert any(a % 1 for a in amounts)  # some lines are not whole pounds: rounding was needed
    for claim in claims:
        t = claim_totals_of(claim)
        assert all(f.amount == f.amount.quantize(PENNY) for f in t.funds)
        assert pence(t.lcf_contribution) + pence(t.council_cost) == pence(t.total)
    # nothing lost or gained: each referral's lines add up to its figure, to the penny
    figures = engine_bridge.payments_as_of(
        contract_current(), council="derby", as_of=next_month(D(2022, 10, 1))
    )
    for rid, figure in figures.items():
        mine = ClaimLine.objects.filter(referral__referral_id=rid).values_list("amount", flat=True)
        assert sum(mine, Decimal(0)) == figure.claimable
    card = card_context(scope=None, quarter=parse_quarter("Q3 2022-23"), suppressed=False)
    (check,) = [c for c in card["checks"] if c.what.startswith("Derby")]
    assert check.ok, check.found
