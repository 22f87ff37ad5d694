"""Records of every kind the retention schedule covers, some due and some not."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_referral

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def held(users, referrals):
    """Derby's and Nottingham's referrals (live), plus: an enquiry withdrawn in 2021 (due),
    one withdrawn in 2025 (not due), a closed case of a child born in 2000 (due), approved
    claims for 2020-10 (due) and 2021-06 (not due), an access-log row of 2023 (due)."""
    from stars.core.models import AccessLog
    from stars.finance.models import OutcomeClaim
    from stars.partnership.models import Council
    from stars.referrals.models import Child, Enquiry

    derby = Council.objects.get(code="derby")
    made = {}
    for eid, decided in (("E-OLD", dt.date(2021, 3, 1)), ("E-NEW", dt.date(2025, 3, 1))):
        child = Child.objects.create(
            child_ref=f"C-{eid}",
            council=derby,
            given_name="Ada",
            family_name="Example",
            date_of_birth=dt.date(2012, 1, 1),
        )
        made[eid] = Enquiry.objects.create(
            enquiry_id=eid,
            child=child,
            council=derby,
            cohort="B",
            enquiry_date=decided - dt.timedelta(days=20),
            decision="withdrawn",
            decision_date=decided,
            why_now="Free text about the family",
        )
    closed = make_referral("R-OLD", "derby", status="graduated", end=dt.date(2024, 1, 10))
    Child.objects.filter(pk=closed.child_id).update(date_of_birth=dt.date(2000, 6, 1))
    made["R-OLD"] = closed
    for month in (dt.date(2020, 10, 1), dt.date(2021, 6, 1)):
        OutcomeClaim.objects.create(council=derby, month=month, status="approved")
    AccessLog.objects.create(username="someone", action="view", object_type="referral")
    AccessLog.objects.update(at=dt.datetime(2023, 5, 1, 12, tzinfo=dt.UTC))
    return made
