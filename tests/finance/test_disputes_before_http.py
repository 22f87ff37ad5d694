"""A claim disputed, prepared again and resubmitted: the commissioner approving it sees over
real HTTP what was disputed before (line, reason, who, when) and what the line holds now."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from stars.cases.models import OutcomePeriod
from stars.finance.services import claim_dispute_line, claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.live_http import Http


def _resubmitted(derby, users, money_referrals):
    month = dt.date(2022, 4, 1)
    claim = claim_prepare(council=derby, month=month, by=users["provider_manager"], today=TODAY)
    claim_submit(claim=claim, by=users["provider_manager"])
    line = claim.lines.get(referral=money_referrals["derby"])
    disputed = claim_dispute_line(
        line=line, by=users["commissioner"], reason="Placement ended 22 April"
    )
    # the provider corrects the records: the placement ended in the month
    OutcomePeriod.objects.filter(referral=money_referrals["derby"]).update(
        end_date=dt.date(2022, 4, 22)
    )
    again = claim_prepare(council=derby, month=month, by=users["provider_manager"], today=TODAY)
    claim_submit(claim=again, by=users["provider_manager"])
    return disputed


def _disputes(text: str) -> str:
    start = text.index('data-testid="disputes-before"')
    return text[start : text.index("</table>", start)]


def test_the_claim_and_approval_pages_show_what_was_disputed_before(
    live_server, users, money_referrals, derby
):
    disputed = _resubmitted(derby, users, money_referrals)
    when = timezone.localtime(disputed.disputed_at)
    web = Http(live_server)
    web.sign_in("commissioner")
    for url in (
        reverse("claim_detail", args=["derby", "2022-04"]),
        reverse("claim_approve", args=["derby", "2022-04"]),
    ):
        status, _, page = web.request("GET", url)
        assert status == 200, url
        table = _disputes(page.decode())
        assert "R-DER" in table
        assert "Placement ended 22 April" in table
        assert f"by {users['commissioner']}, {when:%-d %b %Y %H:%M}" in table
        cells = re.findall(r'stars-num">([^<]*)</td>', table)
        assert cells == ["2", "£800.00", "1", "£400.00"]  # weeks and amount then, and now


def test_a_claim_never_disputed_shows_no_earlier_disputes(
    live_server, users, money_referrals, derby
):
    claim = claim_prepare(
        council=derby, month=dt.date(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    claim_submit(claim=claim, by=users["provider_manager"])
    web = Http(live_server)
    web.sign_in("commissioner")
    _, _, page = web.request("GET", reverse("claim_detail", args=["derby", "2022-04"]))
    assert "disputes-before" not in page.decode()
