"""An outcome period corrected on the case page after its weeks were claimed: the claims
already made stay as they were, the council's next claim carries the difference as an
adjustment (the one rule of stars.domain.outcomes.claims), and `stars explain` follows it
to the penny."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from click.testing import CliRunner
from django.urls import reverse

from stars import cli
from stars.finance.services import claim_prepare
from tests.finance.conftest import TODAY
from tests.finance.test_claims import claimed_total, engine_total, lines, run

D = dt.date


def _claimed(referral_id, *claims) -> Decimal:
    return sum((x[4] for c in claims for x in lines(c) if x[0] == referral_id), Decimal(0))


def _explain(as_of: str) -> str:
    got = CliRunner().invoke(cli.app, ["explain", "R-DER", "--as-of", as_of])
    assert got.exit_code == 0, got.output
    return got.stdout


def test_a_correction_on_the_case_page_reaches_the_next_claim_as_an_adjustment(
    client, money_referrals, derby, users
):
    april = run(derby, D(2022, 4, 1), users)
    may = run(derby, D(2022, 5, 1), users)
    before = {c.pk: lines(c) for c in (april, may)}
    # to 1 June: 142 days = 20 weeks; 13 proving; 7 payable at £400 (cohort B)
    assert "Payable weeks: 7 x £400.00 = £2,800.00" in _explain("2022-06-01")
    assert _claimed("R-DER", april, may) == Decimal("2800")
    period = money_referrals["derby"].periods.get()
    client.force_login(users["provider_manager"])
    response = client.post(
        reverse("case_period_correct", args=["R-DER"]) + f"?period={period.pk}",
        {
            "start_date": "2022-01-10",
            "end_date": "2022-04-25",  # 15 weeks sustained: 2 payable
            "note": "Placement broke down",
            "reason": "the breakdown was recorded late",
        },
    )
    assert response.status_code == 302
    assert "Payable weeks: 2 x £400.00 = £800.00" in _explain("2022-06-01")
    assert {c.pk: lines(c) for c in (april, may)} == before  # approved claims never rewritten
    june = claim_prepare(
        council=derby, month=D(2022, 6, 1), by=users["provider_manager"], today=TODAY
    )
    assert [x for x in lines(june) if x[0] == "R-DER"] == [
        ("R-DER", "adjustment", "outcome", -5, Decimal("-2000"))
    ]
    assert _claimed("R-DER", april, may, june) == Decimal("800")  # to the penny
    assert claimed_total(derby) == engine_total("derby", D(2022, 7, 1))
