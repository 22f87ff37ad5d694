"""A commissioner's approval over real HTTP (a live server, CSRF and cookies): the page says
what is approved, and a claim prepared again after the page was opened is not approved on
the strength of figures the commissioner never saw."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django.urls import reverse

from stars.finance.models import ClaimStatus, OutcomeClaim
from stars.finance.services import claim_dispute_line, claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.live_http import Http

APPROVE = reverse("claim_approve", args=["derby", "2022-04"])
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _submitted(derby, users):
    claim = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    return claim_submit(claim=claim, by=users["provider_manager"])


def _form(page: bytes) -> dict[str, str]:
    return {
        name.decode(): value.decode()
        for name, value in re.findall(rb'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    }


def test_the_approval_page_shows_the_claim_approved(live_server, users, money_referrals, derby):
    _submitted(derby, users)
    web = Http(live_server)
    web.sign_in("commissioner")
    status, _, page = web.request("GET", APPROVE)
    assert status == 200
    text = page.decode()
    assert 'data-testid="claim-total"><strong>£12,500.00</strong>' in text
    assert "The claim as it stands: 2 lines, prepared" in text


def test_a_claim_prepared_again_after_the_page_opened_is_not_approved(
    live_server, users, money_referrals, derby
):
    claim = _submitted(derby, users)
    web = Http(live_server)
    web.sign_in("commissioner")
    status, _, page = web.request("GET", APPROVE)
    seen = _form(page)
    assert seen["prepared"] == claim.prepared_at.isoformat()
    # meanwhile a colleague disputes a line, and the provider prepares the claim again and
    # submits it: what the page showed is no longer the claim
    claim_dispute_line(line=claim.lines.first(), by=users["commissioner"], reason="Ended")
    again = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    claim_submit(claim=again, by=users["provider_manager"])
    status, _, page = web.request("POST", APPROVE, urlencode(seen), FORM)
    assert status == 200, status
    assert "prepared again after you opened it" in page.decode()
    assert OutcomeClaim.objects.get(pk=claim.pk).status == ClaimStatus.SUBMITTED
    # opened again, the page shows the claim as it now stands, and approves it
    status, _, page = web.request("GET", APPROVE)
    status, _, _ = web.request("POST", APPROVE, urlencode(_form(page)), FORM)
    assert status == 302
    assert OutcomeClaim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED
