"""Finance fixtures: Derby and Nottingham referrals with sustained outcome periods."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import CONTRACT, make_referral

D = dt.date
TODAY = D(2022, 12, 1)  # the day claims are prepared on in these tests


def add_period(referral, start, end=None):
    from stars.cases.models import OutcomePeriod

    return OutcomePeriod.objects.create(referral=referral, start_date=start, end_date=end)


@pytest.fixture
def money_referrals(referrals):
    """R-DER (Derby, B, sustained from 10 Jan 2022), R-DG (Derby, guaranteed, D) and
    R-NOT (Nottingham, B, sustained from 10 Jan 2022)."""
    from stars.referrals.models import Referral

    add_period(referrals["derby"], D(2022, 1, 10))
    add_period(referrals["nottingham"], D(2022, 1, 10))
    gf = make_referral("R-DG", "derby", cohort="D")
    Referral.objects.filter(pk=gf.pk).update(funding="guaranteed", referral_date=D(2022, 2, 14))
    gf.refresh_from_db()
    add_period(gf, D(2022, 2, 14))
    return {**referrals, "guaranteed": gf}


@pytest.fixture
def derby(db):
    from stars.partnership.models import Council

    return Council.objects.get(code="derby")


def load_contract(
    maximum: str, derby_maximum: str | None = None, funds: bool = False, top_up: str = "0.1"
) -> None:
    """The sample contract with the maximum outcome payment given (and Derby's own, if
    given); with ``funds``, two outcome funds: the Life Chances Fund (25%, capped at
    £1,000 over all claims) and a Top-up fund (``top_up``, no cap)."""
    from stars.partnership.services import contract_load

    text = CONTRACT.read_text(encoding="utf-8").replace(
        "maximum_outcome_payment = 9120000.00", f"maximum_outcome_payment = {maximum}"
    )
    if derby_maximum is not None:
        text = text.replace(
            "minimum_referrals = 44",
            f"minimum_referrals = 44\nmaximum_outcome_payment = {derby_maximum}",
        )
    if funds:
        text = text.replace("lcf_share = 0.25\n", "") + (
            "\n[[outcome_fund]]\nname = 'Life Chances Fund'\nshare = 0.25\ncap = 1000.0\n"
            f"\n[[outcome_fund]]\nname = 'Top-up'\nshare = {top_up}\n"
        )
    contract_load(text=text, source="test.toml")
