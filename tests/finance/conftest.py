"""Finance fixtures: Derby and Nottingham referrals with sustained outcome periods."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_referral

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
