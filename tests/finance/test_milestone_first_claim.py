"""A council's first claim holds milestones reached before its month as the milestones they
are: a line for each, with the day it was reached and its amount, not an adjustment of 0
weeks; on the claim's page and in its CSV and XLSX, the claim's totals unchanged to the
penny."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from stars.finance.selectors import claim_totals_of
from stars.finance.services import claim_prepare
from tests.conftest import load_milestone_contract
from tests.finance.conftest import TODAY, add_period

D = dt.date
CLAIM = reverse("claim_detail", args=["derby", "2022-04"])
START = "milestone placement_start reached on 10 January 2022"
SETTLED = "milestone settled reached on 6 February 2022"


def _first_claim(referrals, derby, users):
    load_milestone_contract()
    # one unbroken run from 10 January 2022: placement_start (£1,000) that day, settled
    # (4 continuous weeks, £2,500) on 6 February; the first claim is April's
    add_period(referrals["derby"], D(2022, 1, 10))
    return claim_prepare(
        council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )


def test_milestones_reached_before_the_first_claim_are_lines_of_their_own(
    client, users, referrals, derby
):
    claim = _first_claim(referrals, derby, users)
    lines = {line.rule.split(":")[0]: line for line in claim.lines.all()}
    assert set(lines) == {START, SETTLED}
    assert lines[START].amount == Decimal("1000.00")
    assert lines[SETTLED].amount == Decimal("2500.00")
    assert all("weeks" not in line.rule for line in lines.values())
    totals = claim_totals_of(claim)
    assert totals.outcome_payments == totals.total == Decimal("3500.00")
    assert totals.adjustments == Decimal("3500.00")  # earned before April, as before
    assert totals.lcf_contribution == Decimal("875.00")

    client.force_login(users["commissioner"])
    page = client.get(CLAIM).content.decode()
    assert "earlier claims hold 0 weeks" not in page
    assert START in page and SETTLED in page
    assert "£1,000.00" in page and "£2,500.00" in page and "£3,500.00" in page

    rows = list(
        csv.DictReader(io.StringIO(client.get(CLAIM + "?format=csv").content.decode("utf-8-sig")))
    )
    assert sorted((r["rule"].split(":")[0], r["amount"]) for r in rows) == [
        (START, "1000.00"),
        (SETTLED, "2500.00"),
    ]
    sheet = load_workbook(io.BytesIO(client.get(CLAIM + "?format=xlsx").content))["Lines"]
    head, *body = sheet.iter_rows(values_only=True)
    rule, amount = head.index("rule"), head.index("amount")
    assert sorted((r[rule].split(":")[0], r[amount]) for r in body) == [
        (START, 1000),
        (SETTLED, 2500),
    ]


def test_a_later_correction_of_milestones_says_milestones_not_weeks():
    from stars.domain.outcomes.claims import Claimed, claim_lines
    from stars.domain.outcomes.engine import ReferralPayment

    # earlier claims hold £3,500 (both milestones); the records now give placement_start only
    now = ReferralPayment("R1", 2, 0, Decimal(0), Decimal(1000), Decimal(0), ("placement_start",))
    (line,) = claim_lines(
        month=D(2022, 6, 1),
        start={"R1": now},
        end={"R1": now},
        claimed={"R1": Claimed(outcome=Decimal(3500))},
        milestones={"R1": ()},
    )
    assert line.amount == Decimal(-2500) and "weeks" not in line.rule
    assert "milestones placement_start, £1,000.00; earlier claims hold £3,500.00" in line.rule
