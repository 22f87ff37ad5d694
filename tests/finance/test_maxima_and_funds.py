"""The maximum outcome payment (the contract's and a council's own) refuses a claim that
would pass it, with the headroom; the outcome funds meet their shares claim by claim until
their caps; the money page shows the headroom."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stars.domain.outcomes.claims import GUARANTEED_FEE
from stars.finance.models import ClaimFund, ClaimLine, OutcomeClaim
from stars.finance.selectors import (
    approved_total,
    claim_totals_of,
    claims_totalled,
    claims_visible,
    headroom,
)
from stars.finance.services import ClaimError, claim_approve, claim_prepare, claim_submit
from tests.finance.conftest import TODAY
from tests.finance.conftest import load_contract as load

D = dt.date


def run(council, month, users):
    claim = claim_prepare(council=council, month=month, by=users["provider_manager"], today=TODAY)
    claim_submit(claim=claim, by=users["provider_manager"])
    return claim_approve(claim=claim, by=users["commissioner"])


def outcome_in(claim) -> Decimal:
    lines = ClaimLine.objects.filter(claim=claim).exclude(component="guaranteed_fee")
    return sum(lines.values_list("amount", flat=True), Decimal(0))


@pytest.mark.django_db
def test_a_claim_that_would_pass_the_maximum_is_refused_with_the_headroom(
    money_referrals, derby, users
):
    # Derby's first claim (to May 2022) holds £800 of outcome payments and an £11,700 fee;
    # fees do not count towards the maximum
    load("1000.0")
    first = run(derby, D(2022, 4, 1), users)
    assert outcome_in(first) == Decimal(800)
    with pytest.raises(ClaimError) as refused:
        claim_prepare(council=derby, month=D(2022, 5, 1), by=users["provider_manager"], today=TODAY)
    message = str(refused.value)
    assert "would pass the contract's maximum outcome payment of £1,000.00" in message
    assert "earlier claims hold £800.00, so the headroom is £200.00" in message
    assert not OutcomeClaim.objects.filter(month=D(2022, 5, 1)).exists()  # nothing written


@pytest.mark.django_db
def test_a_councils_own_maximum_counts_only_its_claims(money_referrals, derby, users):
    load("9120000.00", derby_maximum="500.0")
    with pytest.raises(ClaimError, match="Derby City Council's maximum of £500.00"):
        claim_prepare(council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY)


@pytest.mark.django_db
def test_funds_meet_their_shares_claim_by_claim_until_their_caps(money_referrals, derby, users):
    load("9120000.00", funds=True)
    parts = []
    for month in (D(2022, 4, 1), D(2022, 5, 1), D(2022, 6, 1), D(2022, 7, 1)):
        claim = run(derby, month, users)
        totals = claim_totals_of(claim)
        parts.append({f.name: f.amount for f in totals.funds})
        assert totals.lcf_contribution == sum(f.amount for f in totals.funds)
        assert totals.council_cost == totals.total - totals.lcf_contribution
    paid = {
        name: sum(ClaimFund.objects.filter(name=name).values_list("amount", flat=True))
        for name in ("Life Chances Fund", "Top-up")
    }
    outcome = sum((outcome_in(c) for c in OutcomeClaim.objects.all()), Decimal(0))
    assert paid["Top-up"] == outcome * Decimal("0.1")
    assert paid["Life Chances Fund"] == min(outcome * Decimal("0.25"), Decimal(1000))
    assert paid["Life Chances Fund"] == Decimal(1000)  # the cap was reached on the way
    assert parts[-1]["Life Chances Fund"] == 0


@pytest.mark.django_db
def test_the_money_page_shows_the_headroom(money_referrals, derby, users):
    load("1000.0", derby_maximum="900.0")
    run(derby, D(2022, 4, 1), users)
    client = Client()
    client.force_login(users["provider_manager"])
    page = client.get("/finance/money/?as_of=2022-12-01").content.decode()
    assert 'data-testid="headroom"' in page
    assert "The programme (all councils)" in page
    assert "£200.00" in page  # 1,000 − 800
    assert "£100.00" in page  # Derby: 900 − 800
    assert "no maximum of its own" in page  # Nottingham


@pytest.mark.django_db
def test_the_headroom_and_approved_total_are_summed_by_the_database(money_referrals, derby, users):
    """A large programme's claims hold hundreds of thousands of lines: the money page reads
    their sums, never the lines."""
    load("1000.0", derby_maximum="900.0")
    claim = run(derby, D(2022, 4, 1), users)
    with CaptureQueriesContext(connection) as ctx:
        room = headroom(users["provider_manager"])
        approved = approved_total(users["commissioner"])
    (derby_row,) = [r for r in room["councils"] if r["name"] == "Derby City Council"]
    assert derby_row["claimed"] == outcome_in(claim) == Decimal("800")
    lines = ClaimLine.objects.filter(claim=claim).values_list("amount", flat=True)
    assert approved == sum(lines, Decimal(0))
    reads = [q["sql"] for q in ctx.captured_queries if "finance_claimline" in q["sql"]]
    assert reads and all("SUM(" in sql for sql in reads)


@pytest.mark.django_db
def test_sums_by_the_database_are_exact_to_the_last_decimal_place(money_referrals, derby, users):
    """Amounts of six decimal places summed by the database equal their exact sum: SQLite
    keeps decimals as floating-point numbers, whose sum of a large programme's amounts loses
    the last places (a total of billions has no room for six places in a float)."""
    load("1000.0", derby_maximum="900.0")
    claim = run(derby, D(2022, 4, 1), users)
    lines = list(ClaimLine.objects.filter(claim=claim).order_by("pk"))
    assert lines
    for k, line in enumerate(lines * 40):  # many awkward amounts of nearly a billion
        if k < len(lines):
            line.amount = Decimal("987654321.123457") + k * Decimal("0.000013")
            line.save(update_fields=["amount"])
        else:
            line.pk, line.amount = None, Decimal("876543219.654321") - k * Decimal("0.000017")
            line.save()
    amounts = list(ClaimLine.objects.filter(claim=claim).values_list("amount", flat=True))
    exact = sum(amounts, Decimal(0))
    assert len(amounts) >= 40 and exact > Decimal("1e10")
    assert approved_total(users["commissioner"]) == exact
    assert claim_totals_of(claim).total == exact
    listed_claims = claims_totalled(claims_visible(users["commissioner"]))
    (listed,) = [c for c in listed_claims if c.pk == claim.pk]
    assert listed.total == exact
    outcome = sum(
        (a.amount for a in ClaimLine.objects.filter(claim=claim).exclude(component=GUARANTEED_FEE)),
        Decimal(0),
    )
    (derby_row,) = [
        r
        for r in headroom(users["provider_manager"])["councils"]
        if r["name"] == "Derby City Council"
    ]
    assert derby_row["claimed"] == outcome


@pytest.mark.django_db
def test_the_money_page_shares_a_capped_fund_between_councils_exactly(money_referrals, users):
    """The Life Chances Fund, capped at £1,000, meets that in total: each council's part is
    the cap shared in proportion to its outcome payments (never more than its 25%), the
    parts add up to the cap, and a council's commissioner sees the same part."""
    load("9120000.00", funds=True)
    whole = Client()
    whole.force_login(users["provider_manager"])
    page = whole.get("/finance/money/?as_of=2023-06-01").context
    total, rows = page["total"].money, {r.label: r.money for r in page["by_council"]}
    outcome = {name: m.outcome_payments for name, m in rows.items()}
    assert outcome["Derby City Council"] > 0 and outcome["Nottingham City Council"] > 0
    assert page["funds"]["Life Chances Fund"] == Decimal(1000)  # capped
    assert page["funds"]["Top-up"] == Decimal("0.1") * total.outcome_payments
    assert sum((m.fund_contributions for m in rows.values()), Decimal(0)) == (
        total.fund_contributions
    )
    for name, m in rows.items():
        assert m.fund_contributions <= Decimal("0.35") * m.outcome_payments, name
    assert sum((r.money.fund_contributions for r in page["by_cohort"]), Decimal(0)) == (
        total.fund_contributions
    )
    # Derby's commissioner: Derby's part of each fund, as in the programme's split
    derby = Client()
    derby.force_login(users["commissioner"])
    mine = derby.get("/finance/money/?as_of=2023-06-01").context
    (row,) = mine["by_council"]
    assert row.money.fund_contributions == rows["Derby City Council"].fund_contributions
    assert mine["total"].money.fund_contributions == row.money.fund_contributions
    # and month by month: the last month's figure is the council's part as of that date,
    # each month's never more than its uncapped 35% (the cap is the programme's)
    assert mine["by_month"][-1].money.fund_contributions == row.money.fund_contributions
    for r in mine["by_month"]:
        assert r.money.fund_contributions <= Decimal("0.35") * r.money.outcome_payments
    whole_months = {r.label: r.money.fund_contributions for r in page["by_month"]}
    assert max(whole_months.values()) == Decimal(1000) + Decimal("0.1") * total.outcome_payments


@pytest.mark.django_db
def test_the_claims_sums_are_read_once_per_version_of_the_claims(money_referrals, derby, users):
    """The money page's headroom and approved total, and a claim's totals, sum the claims'
    lines once per version of the claims: a second visit reads no line, and a change to a
    line is in the next visit's figures."""
    load("1000.0", derby_maximum="900.0")
    claim = run(derby, D(2022, 4, 1), users)
    manager, commissioner = users["provider_manager"], users["commissioner"]
    before = (headroom(manager), approved_total(commissioner), claim_totals_of(claim))
    with CaptureQueriesContext(connection) as ctx:
        again = (headroom(manager), approved_total(commissioner), claim_totals_of(claim))
    assert again == before
    assert not [q for q in ctx.captured_queries if "finance_claimline" in q["sql"]]
    line = ClaimLine.objects.filter(claim=claim).exclude(component=GUARANTEED_FEE).first()
    line.amount += Decimal("0.000001")
    line.save(update_fields=["amount"])
    (derby_row,) = [r for r in headroom(manager)["councils"] if r["name"] == "Derby City Council"]
    assert derby_row["claimed"] == outcome_in(claim) == Decimal("800.000001")
    assert approved_total(commissioner) == before[1] + Decimal("0.000001")
    assert claim_totals_of(claim).total == before[2].total + Decimal("0.000001")
