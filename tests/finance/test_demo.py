"""The demo claims: every stage of the cycle, and approved claims equal to the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rich.console import Console

from stars.demo.claims import load_demo
from stars.finance.engine_bridge import payments_as_of
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.partnership.selectors import contract_current
from tests.conftest import make_referral
from tests.finance.conftest import add_period


def test_demo_claims_run_to_the_census_month_with_each_stage_shown(money_referrals, users):
    from stars.partnership.services import user_create
    from stars.referrals.models import Referral

    late = make_referral("R-LATE", "derby", cohort="C")  # still earning in October 2024
    Referral.objects.filter(pk=late.pk).update(referral_date=dt.date(2023, 6, 5))
    add_period(late, dt.date(2023, 6, 5))
    user_create(username="c-nott", role="commissioner", council="nottingham", password="x" * 12)
    load_demo(seed=1, console=Console(quiet=True))
    derby = OutcomeClaim.objects.filter(council__code="derby").order_by("month")
    assert derby.first().month == dt.date(2022, 1, 1)  # the first referral's month
    assert derby.last().month == dt.date(2024, 10, 1)  # the month before the census date
    assert derby.last().status == "disputed"
    assert derby.last().lines.filter(disputed=True).count() == 1
    assert {c.status for c in derby[: derby.count() - 1]} == {"approved"}
    nottingham = OutcomeClaim.objects.filter(council__code="nottingham").order_by("month")
    assert nottingham.last().status == "submitted"

    # what the claims ask for, to the end of October 2024, equals the engine to the penny
    engine = payments_as_of(contract_current(), council="derby", as_of=dt.date(2024, 11, 1))
    claimed = sum(
        (line.amount for line in ClaimLine.objects.filter(claim__council__code="derby")),
        Decimal(0),
    )
    assert claimed == sum((p.total for p in engine.values()), Decimal(0))


def test_no_demo_claims_without_referrals(db):
    load_demo(seed=1, console=Console(quiet=True))
    assert not OutcomeClaim.objects.exists()
