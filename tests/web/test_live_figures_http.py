"""Roles that see figures only (the investor, the evaluator) see live figures as of the last
quarter ended, over real HTTP: children referred since do not change what the home page shows,
so looking every day gives no day's children away (decision 0008)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from stars.domain.calendar import last_complete, long_date
from stars.referrals.models import Referral
from tests.conftest import make_referral
from tests.live_http import Http, tables


def _glance(page: bytes) -> bytes:
    start = page.index(b'data-testid="today-glance"')
    return page[start : page.index(b"</section>", start)]


@pytest.mark.parametrize("who", ["investor", "evaluator"])
def test_the_home_page_s_figures_are_as_of_the_last_quarter_ended(
    live_server, users, referrals, who
):
    client = Http(live_server)
    client.sign_in(who)
    status, _, before = client.request("GET", "/")
    assert status == 200
    as_of = last_complete(timezone.localdate()).end
    assert f"Figures as of {long_date(as_of)}".encode() in _glance(before)
    # five children referred today: enough to show, were the figures as of today
    for i in range(5):
        make_referral(f"R-TODAY{i}", "derby")
    Referral.objects.filter(referral_id__startswith="R-TODAY").update(
        referral_date=timezone.localdate()
    )
    status, _, after = client.request("GET", "/")
    assert status == 200
    assert _glance(after) == _glance(before)
    assert not re.search(rb"\b7 referrals|\b7 against", _glance(after))


@pytest.mark.parametrize("who", ["investor", "evaluator"])
def test_the_outcomes_report_is_as_of_the_last_quarter_ended(live_server, users, referrals, who):
    client = Http(live_server)
    client.sign_in(who)
    status, _, before = client.request("GET", "/cases/outcomes/")
    assert status == 200
    as_of = last_complete(timezone.localdate()).end
    assert f"records as of {long_date(as_of)}".encode() in before
    # five cases closed early today: enough to show, were the figures as of today
    for i in range(5):
        make_referral(f"R-SHUT{i}", "derby", status="closed_early", end=timezone.localdate())
    status, _, after = client.request("GET", "/cases/outcomes/")
    assert status == 200
    assert tables(after) == tables(before)


def test_roles_that_see_childrens_records_see_the_outcomes_to_date(live_server, users, referrals):
    client = Http(live_server)
    client.sign_in("provider_manager")
    for i in range(5):
        make_referral(f"R-SHUT{i}", "derby", status="closed_early", end=timezone.localdate())
    status, _, page = client.request("GET", "/cases/outcomes/")
    assert status == 200 and b"records as of" not in page
    stability = page[page.index(b'data-testid="stability"') :]
    assert re.search(rb"Closed early</t[hd]>\s*<td[^>]*>5<", stability)
