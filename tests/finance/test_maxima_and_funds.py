"""The maximum outcome payment (the contract's and a council's own): a claim that would pass
it pays the headroom and holds back the rest, fees in full; the outcome funds meet their
shares claim by claim until their caps; the money page shows the headroom."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stars import cli
from stars.domain.calendar import parse_quarter
from stars.domain.outcomes.claims import GUARANTEED_FEE
from stars.finance import engine_bridge
from stars.finance.models import ClaimFund, ClaimLine, OutcomeClaim
from stars.finance.selectors import (
    approved_total,
    claim_totals_of,
    claims_totalled,
    claims_visible,
    headroom,
)
from stars.finance.services import claim_approve, claim_prepare, claim_submit
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral
from stars.reports.card import card_context
from stars.reports.indigo import indigo_project
from tests.conftest import make_referral
from tests.finance.conftest import TODAY
from tests.finance.conftest import load_contract as load

D = dt.date
EVER = D(2100, 1, 1)  # a day after every claim these tests approve


def run(council, month, users):
    claim = claim_prepare(council=council, month=month, by=users["provider_manager"], today=TODAY)
    claim_submit(claim=claim, by=users["provider_manager"])
    return claim_approve(claim=claim, by=users["commissioner"])


def outcome_in(claim) -> Decimal:
    lines = ClaimLine.objects.filter(claim=claim).exclude(component="guaranteed_fee")
    return sum(lines.values_list("amount", flat=True), Decimal(0))


def show(claim):
    return [
        (x.referral.referral_id, x.kind, x.component, x.amount)
        for x in claim.lines.select_related("referral").order_by("referral__referral_id", "id")
    ]


@pytest.mark.django_db
def test_a_claim_that_reaches_the_maximum_pays_the_headroom_and_later_claims_fees_only(
    money_referrals, derby, users
):
    # Derby's first claim (to May 2022) holds £800 of outcome payments and an £11,700 fee;
    # fees do not count towards the maximum
    load("1000.0", funds=True)
    first = run(derby, D(2022, 4, 1), users)
    assert outcome_in(first) == Decimal(800)
    # May earns £2,000 (5 weeks at £400): £200 is paid, £1,800 is not payable
    may = run(derby, D(2022, 5, 1), users)
    assert show(may) == [
        ("R-DER", "outcome", "outcome", Decimal(2000)),
        ("R-DER", "over_maximum", "outcome", Decimal(-1800)),
    ]
    (line,) = may.lines.filter(kind="over_maximum")
    assert line.rule == (
        "over the maximum outcome payment: £1,800.00 of this referral's outcome payments in "
        "this claim not payable (the contract's maximum outcome payment of £1,000.00: other "
        "claims pay £800.00, so the headroom was £200.00)"
    )
    totals = claim_totals_of(may)
    assert (totals.outcome_payments, totals.held_back, totals.total) == (200, 1800, 200)
    # the funds' shares are of what is paid: the Top-up's 10% of £200
    assert {f.name: f.amount for f in totals.funds} == {
        "Life Chances Fund": Decimal(50),
        "Top-up": Decimal(20),
    }
    # a guaranteed referral starts in June: its fee is claimed in full, and June's outcome
    # payments (£1,600) are all held back; May's are not carried again
    late = make_referral("R-DG2", "derby", cohort="D")
    Referral.objects.filter(pk=late.pk).update(funding="guaranteed", referral_date=D(2022, 6, 6))
    june = run(derby, D(2022, 6, 1), users)
    assert show(june) == [
        ("R-DER", "outcome", "outcome", Decimal(1600)),
        ("R-DER", "over_maximum", "outcome", Decimal(-1600)),
        ("R-DG2", "guaranteed_fee", "guaranteed_fee", Decimal(11700)),
    ]
    assert claim_totals_of(june).total == Decimal(11700)
    assert sum(outcome_in(c) for c in (first, may, june)) == Decimal(1000)
    # the money page's headroom is 0, never below; the claims and what they held back add
    # up to the engine
    room = headroom(users["provider_manager"])["programme"]
    assert (room["claimed"], room["left"]) == (Decimal(1000), Decimal(0))
    held = -sum(ClaimLine.objects.filter(kind="over_maximum").values_list("amount", flat=True))
    assert held == Decimal(3400)
    engine = engine_bridge.payments_as_of(contract_current(), council="derby", as_of=D(2022, 7, 1))
    claimed = sum(ClaimLine.objects.values_list("amount", flat=True), Decimal(0))
    assert claimed + held == sum((p.total for p in engine.values()), Decimal(0))
    # the board card's check of claims against the engine and INDIGO's actual payments agree
    card = card_context(scope=None, quarter=parse_quarter("Q1 2022-23"), suppressed=False)
    (check,) = [c for c in card["checks"] if "approved claims against the outcomes" in c.what]
    assert check.ok, check.found
    assert check.found == (
        "£24,400.00 claimed to June 2022, equal to the engine less £3,400.00 over the maximum "
        "outcome payment, not payable"
    )
    # INDIGO's open data: these claims each pay for fewer than five children, so each is
    # left out (a price times a small count: docs/decisions/0018)
    assert indigo_project(as_of=D(2022, 7, 1))["outcome_payments"] == []


@pytest.mark.django_db
def test_a_councils_own_maximum_counts_only_its_claims(money_referrals, derby, users):
    load("9120000.00", derby_maximum="500.0")
    april = run(derby, D(2022, 4, 1), users)
    assert show(april) == [
        ("R-DER", "outcome", "outcome", Decimal(800)),
        ("R-DER", "over_maximum", "outcome", Decimal(-300)),
        ("R-DG", "adjustment", "guaranteed_fee", Decimal(11700)),
    ]
    assert "(Derby City Council's maximum of £500.00: other claims pay £0.00" in (
        april.lines.get(kind="over_maximum").rule
    )
    client = Client()
    client.force_login(users["commissioner"])
    page = client.get(f"/finance/claims/derby/{april.month_key}/").content.decode()
    assert 'data-testid="held-back"' in page
    assert "Over the maximum outcome payment: not payable" in page and "£300.00" in page
    (row,) = [r for r in page.split("<tr") if "over the maximum outcome payment: £300.00" in r]
    assert "£0.00</td>" not in row  # no weekly rate on a line held back
    # `stars explain` says what the referral earned and what the claims held back of it
    got = CliRunner().invoke(cli.app, ["explain", "R-DER", "--as-of", "2022-05-01"])
    assert got.exit_code == 0, got.output
    assert "Payable weeks: 2 x £400.00 = £800.00" in got.stdout
    assert got.stdout.rstrip().endswith(
        "Held back by claims over the maximum outcome payment (not payable): £300.00"
    )


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
    # it said a claim passing a maximum "is refused": a claim pays up to the headroom
    rule = re.search(r'data-testid="headroom-rule">([^<]*)<', page).group(1)
    assert "refused" not in rule and "up to the headroom" in rule and "not payable" in rule


@pytest.mark.django_db
def test_the_headroom_and_approved_total_are_summed_by_the_database(money_referrals, derby, users):
    """A large programme's claims hold hundreds of thousands of lines: the money page reads
    their sums, never the lines."""
    load("1000.0", derby_maximum="900.0")
    claim = run(derby, D(2022, 4, 1), users)
    with CaptureQueriesContext(connection) as ctx:
        room = headroom(users["provider_manager"])
        approved = approved_total(users["commissioner"], as_of=EVER)
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
    assert approved_total(users["commissioner"], as_of=EVER) == exact
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
    before = (headroom(manager), approved_total(commissioner, as_of=EVER), claim_totals_of(claim))
    with CaptureQueriesContext(connection) as ctx:
        again = (
            headroom(manager),
            approved_total(commissioner, as_of=EVER),
            claim_totals_of(claim),
        )
    assert again == before
    assert not [q for q in ctx.captured_queries if "finance_claimline" in q["sql"]]
    line = ClaimLine.objects.filter(claim=claim).exclude(component=GUARANTEED_FEE).first()
    line.amount += Decimal("0.000001")
    line.save(update_fields=["amount"])
    (derby_row,) = [r for r in headroom(manager)["councils"] if r["name"] == "Derby City Council"]
    assert derby_row["claimed"] == outcome_in(claim) == Decimal("800.000001")
    assert approved_total(commissioner, as_of=EVER) == before[1] + Decimal("0.000001")
    assert claim_totals_of(claim).total == before[2].total + Decimal("0.000001")


@pytest.mark.django_db
def test_a_councils_money_page_shows_its_share_of_the_maximum_beside_what_its_claims_paid(
    money_referrals, derby, users
):
    # Derby's claims reach the programme's maximum of £1,000 first (claims pay in the order
    # they come); the reports share the £1,000 between Derby and Nottingham in proportion
    # to what each earned, so Derby's share is less than its approved claims paid
    load("1000.0")
    for month in (D(2022, 4, 1), D(2022, 5, 1)):
        run(derby, month, users)
    today = dt.date.today().isoformat()  # claims count once approved, which is today
    client = Client()
    client.force_login(users["commissioner"])
    page = client.get(f"/finance/money/?as_of={today}").content.decode()
    table = re.search(r'data-testid="maximum-two-ways".*?</table>', page, re.S).group(0)
    cells = re.findall(r'<td class="govuk-table__cell stars-num">([^<]*)<', table)
    share = Decimal(cells[0].replace("£", "").replace(",", ""))
    assert cells[1] == "£1,000.00"  # outcome payments of Derby's approved claims, fees apart
    assert Decimal(0) < share < Decimal(1000)
    (why,) = re.findall(r'data-testid="maximum-why">(.*?)</p>', page, re.S)
    assert "in proportion to what each council earned" in why
    assert "in the order they are prepared" in why
    assert 'href="/finance/claims/"' in why
