"""The dispute form over real HTTP: each line as the claim's page shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from stars.finance.models import ClaimLine, Component, LineKind
from stars.finance.services import claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.live_http import Http


def _submitted(derby, users):
    claim = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    return claim_submit(claim=claim, by=users["provider_manager"])


def test_the_dispute_form_shows_a_negative_line_as_the_pages_do(
    live_server, users, money_referrals, derby
):
    """An adjustment down (or a line over the maximum) is "−£400.00", as on the claim's page,
    not "£-400.00"."""
    claim = _submitted(derby, users)
    ClaimLine.objects.create(
        claim=claim,
        referral=money_referrals["derby"],
        kind=LineKind.ADJUSTMENT,
        component=Component.OUTCOME,
        payable_weeks=-1,
        rate=Decimal("400"),
        amount=Decimal("-400.00"),
        rule="a correction to March 2022",
    )
    web = Http(live_server)
    web.sign_in("commissioner")
    status, _, page = web.request("GET", reverse("claim_dispute", args=["derby", "2022-04"]))
    assert status == 200
    text = page.decode()
    assert "R-DER: Adjustment, \u2212\u2060£400.00</option>" in text
    assert "£-" not in text
