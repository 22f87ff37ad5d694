"""The demo's claims are dated as in the programme's life: submitted and approved a few
weeks after their month, so an investor, who sees figures as of a quarter that has ended,
sees what the councils had paid by then."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from stars.core.templatetags.stars_format import money
from stars.domain.calendar import next_month
from stars.domain.disclosure import coarse_date
from stars.finance.models import ClaimLine, ClaimStatus, OutcomeClaim
from stars.partnership.models import User
from tests.conftest import load_demo, load_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, rows_kept):
    """The demo, 40 referrals of DN2 STARS, seed 2020 (loaded once in a run)."""
    load_once(rows_kept, "demo of 40", load_demo(40))


def _paid_by(day: dt.date) -> Decimal:
    lines = ClaimLine.objects.filter(
        claim__status=ClaimStatus.APPROVED, claim__approved_at__date__lte=day
    )
    return sum(lines.values_list("amount", flat=True), Decimal(0))


def _row(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"', 1)[1].split("</div>", 1)[0]


def test_each_claim_is_submitted_and_approved_weeks_after_its_month_never_later(demo):
    now = timezone.now()
    claims = OutcomeClaim.objects.exclude(submitted_at=None)
    assert claims.filter(status=ClaimStatus.APPROVED).exists()
    for claim in claims:
        ended = timezone.make_aware(dt.datetime.combine(next_month(claim.month), dt.time()))
        assert ended <= claim.prepared_at <= claim.submitted_at <= now
        assert claim.submitted_at - ended < dt.timedelta(weeks=6), claim
        if claim.approved_at is not None:
            assert claim.submitted_at <= claim.approved_at <= now
            assert claim.approved_at - ended < dt.timedelta(weeks=6), claim
        # the claim's change history is dated by its steps, not by when the demo was loaded
        steps = {claim.prepared_at, claim.submitted_at, claim.approved_at}
        disputed = claim.lines.exclude(disputed_at=None)
        steps |= set(disputed.values_list("disputed_at", flat=True))
        assert set(claim.history.values_list("history_date", flat=True)) <= steps, claim
        line_dates = set(
            ClaimLine.history.filter(claim_id=claim.pk).values_list("history_date", flat=True)
        )
        assert line_dates <= steps, claim


def test_the_investor_sees_what_claims_approved_by_the_quarter_end_paid(demo):
    investor, admin = Client(), Client()
    investor.force_login(User.objects.get(username="investor"))
    admin.force_login(User.objects.get(username="admin"))
    today = timezone.localdate()
    latest = coarse_date(today, "as_of", today)  # the page's date when none is asked for
    # the latest quarter end, and one in the programme's life with later claims still to come
    for quarter_end, asked in ((latest, {}), (dt.date(2024, 6, 30), {"as_of": "2024-06-30"})):
        paid = _paid_by(quarter_end)
        assert paid > 0, quarter_end
        page = investor.get("/finance/investor/", asked)
        assert page.status_code == 200
        row = _row(page.content.decode(), "investor-approved")
        assert money(paid) in row, (quarter_end, row)
        money_page = admin.get("/finance/money/", {"as_of": quarter_end.isoformat()})
        row = _row(money_page.content.decode(), "money-approved")
        assert f"Paid in claims approved by {quarter_end:%-d %B %Y}" in row
        assert money(paid) in row, (quarter_end, row)
    # by mid-2024 only the claims approved by then had paid: less than all approved claims
    assert _paid_by(dt.date(2024, 6, 30)) < _paid_by(latest)
