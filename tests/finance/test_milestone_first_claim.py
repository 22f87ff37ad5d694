"""A claim holds milestones as the milestones they are: a line of their own kind for each,
with the day it was reached and its amount, whether reached in the claim's month or before
a council's first claim (not an adjustment of 0 weeks, nor counted as an adjustment); on the
claim's page and in its CSV, XLSX and PDF, the claims' totals unchanged to the penny."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from stars.finance import engine_bridge
from stars.finance.selectors import claim_totals_of
from stars.finance.services import claim_approve, claim_prepare, claim_submit
from stars.partnership.selectors import contract_current
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
    assert {line.kind for line in lines.values()} == {"milestone"}
    totals = claim_totals_of(claim)
    assert totals.outcome_payments == totals.total == Decimal("3500.00")
    assert totals.adjustments == 0  # no earlier claim held them: nothing is adjusted
    assert totals.lcf_contribution == Decimal("875.00")

    client.force_login(users["commissioner"])
    page = client.get(CLAIM).content.decode()
    assert "earlier claims hold 0 weeks" not in page
    assert "Milestone payment" in page
    assert START in page and SETTLED in page
    assert "£1,000.00" in page and "£2,500.00" in page and "£3,500.00" in page

    rows = list(
        csv.DictReader(io.StringIO(client.get(CLAIM + "?format=csv").content.decode("utf-8-sig")))
    )
    assert sorted((r["rule"].split(":")[0], r["amount"]) for r in rows) == [
        (START, "1000.00"),
        (SETTLED, "2500.00"),
    ]
    assert {r["kind"] for r in rows} == {"milestone"}
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


def test_milestones_reached_in_the_claims_month_are_lines_with_their_day_and_amount(
    client, users, referrals, derby
):
    load_milestone_contract()
    add_period(referrals["derby"], D(2022, 1, 10))  # placement_start 10 January, settled 6 February
    claims = []
    for month in (D(2022, 1, 1), D(2022, 2, 1), D(2022, 3, 1)):
        claim = claim_prepare(council=derby, month=month, by=users["provider_manager"], today=TODAY)
        claim_submit(claim=claim, by=users["provider_manager"])
        claims.append(claim_approve(claim=claim, by=users["commissioner"]))
    january, february, march = ([(x.kind, x.rule, x.amount) for x in c.lines.all()] for c in claims)
    assert january == [
        (
            "milestone",
            "milestone placement_start reached on 10 January 2022: £1,000.00, earned in "
            "January 2022",
            Decimal("1000.00"),
        )
    ]
    assert february == [
        (
            "milestone",
            "milestone settled reached on 6 February 2022: £2,500.00, earned in February 2022",
            Decimal("2500.00"),
        )
    ]
    assert march == []  # nothing more to earn
    # totals unchanged to the penny: the lines of all claims add up to the engine's figure,
    # and none of them is an adjustment
    engine = engine_bridge.payments_as_of(contract_current(), council="derby", as_of=D(2022, 4, 1))
    lines = [x.amount for c in claims for x in c.lines.all()]
    assert sum(lines, Decimal(0)) == engine["R-DER"].outcome_payment == Decimal("3500.00")
    assert [claim_totals_of(c).adjustments for c in claims] == [0, 0, 0]
    assert [claim_totals_of(c).total for c in claims] == [1000, 2500, 0]

    client.force_login(users["commissioner"])
    url = reverse("claim_detail", args=["derby", "2022-02"])
    page = client.get(url).content.decode()
    assert "Milestone payment" in page and "reached on 6 February 2022" in page
    (row,) = csv.DictReader(
        io.StringIO(client.get(url + "?format=csv").content.decode("utf-8-sig"))
    )
    assert (row["kind"], row["amount"], row["payable_weeks"]) == (
        "milestone",
        "2500.00",
        "Not weekly",
    )
    pdf = client.get(url + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
