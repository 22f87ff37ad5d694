"""Finance pages: council scope, the claim journey and exports. (Every page as every role:
tests/core/test_access_policy.py.)"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stars.core.models import AccessLog
from stars.core.permissions import PAGES
from stars.core.templatetags.stars_format import money
from stars.finance.models import ClaimStatus, OutcomeClaim
from stars.finance.services import claim_prepare, claim_submit
from stars.governance.corrections import child_restrict
from tests.finance.conftest import TODAY

FINANCE_PAGES = [
    "finance_claims",
    "claim_detail",
    "claim_prepare",
    "claim_submit",
    "claim_approve",
    "claim_dispute",
    "finance_money",
    "finance_contract",
    "finance_investor",
    "finance_extract",
]
CLAIM_ARGS = {"council": "derby", "month": "2022-03"}
D = dt.date


def url(name, **kwargs):
    needs_claim = name.startswith("claim_")
    return reverse(name, kwargs={**CLAIM_ARGS, **kwargs} if needs_claim else None)


def test_every_finance_page_is_registered():
    assert set(FINANCE_PAGES) <= set(PAGES)


@pytest.mark.parametrize(
    "page_name", ["claim_detail", "claim_prepare", "claim_submit", "claim_approve", "claim_dispute"]
)
def test_another_councils_claim_is_not_found(client, users, referrals, page_name):
    client.force_login(users["commissioner"])  # Derby's
    assert client.get(url(page_name, council="nottingham")).status_code in (403, 404)
    if "commissioner" in PAGES[page_name].roles:
        assert client.get(url(page_name, council="nottingham")).status_code == 404


def test_unknown_council_or_month_is_not_found(client, users, referrals):
    client.force_login(users["provider_manager"])
    assert client.get(url("claim_detail", council="nowhere")).status_code == 404
    assert client.get(url("claim_detail", month="2022-13")).status_code == 404
    assert client.get(url("claim_detail", month="March")).status_code == 404


def test_claims_list_shows_only_own_councils_claims(client, users, money_referrals, derby):
    from stars.partnership.models import Council

    pm = users["provider_manager"]
    claim_prepare(council=derby, month=D(2022, 4, 1), by=pm, today=TODAY)
    claim_prepare(
        council=Council.objects.get(code="nottingham"), month=D(2022, 5, 1), by=pm, today=TODAY
    )
    client.force_login(users["commissioner"])
    html = client.get(reverse("finance_claims")).content.decode()
    assert "April 2022" in html and "May 2022" not in html
    client.force_login(pm)
    html = client.get(reverse("finance_claims")).content.decode()
    assert "April 2022" in html and "May 2022" in html
    response = client.get(reverse("finance_claims"), {"council": "derby", "month": "2022-06"})
    assert response.status_code == 302 and response["Location"].endswith("/derby/2022-06/")


def test_prepare_submit_dispute_and_approve_through_the_pages(client, users, money_referrals):
    client.force_login(users["provider_manager"])
    response = client.post(url("claim_prepare", month="2022-04"))
    assert response.status_code == 302
    claim = OutcomeClaim.objects.get(council__code="derby", month=D(2022, 4, 1))
    page = client.get(url("claim_detail", month="2022-04")).content.decode()
    assert "R-DER" in page and "£800.00" in page and "Submit to the council" in page
    # May cannot be prepared while April is open: the page says why
    page = client.post(url("claim_prepare", month="2022-05")).content.decode()
    assert "There is a problem" in page and "must be approved" in page
    client.post(url("claim_submit", month="2022-04"))
    client.force_login(users["commissioner"])
    line = claim.lines.get(referral__referral_id="R-DER")
    response = client.post(
        url("claim_dispute", month="2022-04"), {"line": str(line.pk), "reason": "Ended early"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED
    assert "Ended early" in client.get(url("claim_detail", month="2022-04")).content.decode()
    client.force_login(users["provider_manager"])
    client.post(url("claim_prepare", month="2022-04"))
    client.post(url("claim_submit", month="2022-04"))
    client.force_login(users["commissioner"])
    client.post(url("claim_approve", month="2022-04"))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.approved_by == users["commissioner"]


@pytest.fixture
def approved_claim(money_referrals, derby, users):
    from stars.finance.services import claim_approve, claim_submit

    claim = claim_prepare(
        council=derby, month=D(2022, 4, 1), by=users["provider_manager"], today=TODAY
    )
    claim_submit(claim=claim, by=users["provider_manager"])
    return claim_approve(claim=claim, by=users["commissioner"])


def test_claim_xlsx_opens_and_has_the_numbers(client, users, approved_claim):
    from openpyxl import load_workbook

    client.force_login(users["commissioner"])
    response = client.get(url("claim_detail", month="2022-04"), {"format": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in wb["Claim"].iter_rows(min_row=2, values_only=True)}
    # the first claim catches up: the guaranteed fee (February) and April's two weeks
    assert summary["Total claimed"] == 11700 + 800
    assert summary["Guaranteed-funding fees"] == 11700
    assert summary["Life Chances Fund share"] == 200
    lines = list(wb["Lines"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[8] for row in lines) == [800, 11700]


def test_claim_pdf_and_csv(client, users, approved_claim):
    client.force_login(users["provider_manager"])
    pdf = client.get(url("claim_detail", month="2022-04"), {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    csv = client.get(url("claim_detail", month="2022-04"), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    header, *rows = csv.strip().splitlines()
    assert header.startswith("council,month,status,line,referral_id")
    assert sum(Decimal(r.split(",")[11]) for r in rows) == Decimal("12500.00")
    exports = AccessLog.objects.filter(action="export", object_type="claim")
    assert sorted(exports.values_list("detail", flat=True)) == ["csv", "pdf"]


def test_money_page_by_council_cohort_and_month_with_cap(client, users, money_referrals):
    client.force_login(users["provider_manager"])
    page = client.get(reverse("finance_money"), {"as_of": "2022-05-01"}).content.decode()
    assert "Derby City Council" in page and "Nottingham City Council" in page
    assert 'data-testid="money-month"' in page and "<svg" in page
    assert "of the maximum outcome payment" in page
    client.force_login(users["commissioner"])
    page = client.get(reverse("finance_money"), {"as_of": "2022-05-01"}).content.decode()
    assert "Nottingham City Council" not in page.split('data-testid="money-council"')[1]


def test_a_councils_money_page_gives_no_programme_total(client, users, money_referrals):
    """Derby's commissioner read 'outcome payments earned so far' as every council's total
    above Derby's own figures, which disagreed with it and told Derby what the others earn."""
    from stars.finance import figures
    from stars.partnership.selectors import contract_current

    cap = figures.cap_position(contract_current(), D(2022, 5, 1))
    assert cap is not None
    client.force_login(users["commissioner"])
    page = client.get(reverse("finance_money"), {"as_of": "2022-05-01"}).content.decode()
    totals = page.split('data-testid="money-totals"')[1].split("</dl>")[0]
    assert money(cap["paid"]) not in page and "of the maximum outcome payment" not in page
    assert "Outcome payments earned" in totals and money(cap["paid"]) not in totals
    client.force_login(users["provider_manager"])
    page = client.get(reverse("finance_money"), {"as_of": "2022-05-01"}).content.decode()
    assert f"{money(cap['paid'])}, " in page and "of the maximum outcome payment" in page


def test_money_page_warns_near_the_maximum_outcome_payment(
    client, users, money_referrals, monkeypatch
):
    from dataclasses import replace

    from django.core.cache import cache

    from stars.finance import figures, views
    from stars.partnership.selectors import contract_current

    contract = contract_current()
    cap = figures.cap_position(contract, D(2024, 1, 1))
    assert cap is not None and not cap["near"]
    small = replace(contract, maximum_outcome_payment=cap["paid"] / Decimal("0.9"))
    assert figures.cap_position(small, D(2024, 1, 1))["near"]
    monkeypatch.setattr(views, "contract_current", lambda: small)
    client.force_login(users["provider_manager"])
    page = client.get(reverse("finance_money"), {"as_of": "2024-01-01"}).content.decode()
    assert 'data-testid="cap-warning"' in page and "90.0%" in page
    # past the maximum: nothing is left, and what was earned beyond it is not payable
    past = replace(contract, maximum_outcome_payment=cap["paid"] - Decimal("1234.56"))
    over = figures.cap_position(past, D(2024, 1, 1))
    assert (over["left"], over["over"]) == (0, Decimal("1234.56"))
    monkeypatch.setattr(views, "contract_current", lambda: past)
    cache.clear()  # the figures are cached per version of the records, not of this stand-in
    page = client.get(reverse("finance_money"), {"as_of": "2024-01-01"}).content.decode()
    assert "£1,234.56 earned above the maximum outcome payment, not payable" in page
    assert "is left" not in page
    # the totals and every table state what is payable, and what was earned above it apart
    totals = page.split('data-testid="money-totals"')[1].split("</dl>")[0]
    payable = money(past.maximum_outcome_payment)
    assert f'Outcome payments payable</dt><dd class="govuk-summary-list__value">{payable}' in totals
    above = totals.split('data-testid="above-maximum"')[1]
    assert "earned above the maximum outcome payment, not payable" in above and "£1,234.56" in above
    for table in ("money-council", "money-cohort", "money-month"):
        assert (
            "Earned above the maximum outcome payment, not payable"
            in page.split(f'data-testid="{table}"')[1].split("</table>")[0]
        )
    o = figures.money_overview(past, None, D(2024, 1, 1))
    assert o["total"].outcome_payments == past.maximum_outcome_payment
    assert o["total"].above_maximum == Decimal("1234.56")
    for rows in (o["by_council"], o["by_cohort"]):
        assert sum(r.outcome_payments for r in rows) == past.maximum_outcome_payment
        assert sum(r.above_maximum for r in rows) == Decimal("1234.56")
    last = o["by_month"][-1]
    assert (last.outcome_payments, last.above_maximum) == (
        past.maximum_outcome_payment,
        Decimal("1234.56"),
    )
    # savings are compared with what is payable
    t = o["total"]
    assert (
        t.net_cash_saving == t.cashable_savings - past.maximum_outcome_payment - t.guaranteed_fees
    )


def test_a_long_claim_is_shown_fifty_lines_a_page(client, users, money_referrals):
    from stars.finance.models import ClaimLine

    client.force_login(users["provider_manager"])
    client.post(url("claim_prepare", month="2022-04"))
    claim = OutcomeClaim.objects.get(council__code="derby", month=D(2022, 4, 1))
    first = claim.lines.first()
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=claim,
                referral=first.referral,
                kind=first.kind,
                component=first.component,
                amount=first.amount,
                rule=first.rule,
            )
            for _ in range(60)
        ]
    )
    total = claim.lines.count()
    page = client.get(url("claim_detail", month="2022-04")).content.decode()
    assert f"{total} lines, 1 to 50 shown" in page and 'rel="next"' in page
    assert page.count('data-testid="claim-lines"') == 1
    last = client.get(url("claim_detail", month="2022-04"), {"page": 2}).content.decode()
    assert f"{total} lines, 51 to {total} shown" in last


def test_the_claims_list_sums_the_lines_once_per_change_and_shows_each_change(
    client, users, money_referrals, derby
):
    """The claims list's totals are every claim's lines summed once per version of the
    claims and their lines (a programme's claims hold hundreds of thousands): a second
    visit reads no line, and a changed line is in the total at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stars.core.templatetags.stars_format import money

    pm = users["provider_manager"]
    claim = claim_prepare(council=derby, month=D(2022, 4, 1), by=pm, today=TODAY)
    client.force_login(pm)

    def listed():
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("finance_claims")).content.decode()
        lines_read = [q for q in queries if '"finance_claimline"' in q["sql"]]
        return html, lines_read

    total = sum(claim.lines.values_list("amount", flat=True), Decimal(0))
    html, lines_read = listed()
    assert money(total) in html and lines_read
    html, lines_read = listed()
    assert money(total) in html and not lines_read
    line = claim.lines.order_by("id").first()
    line.amount += Decimal("1000")
    line.save()
    html, lines_read = listed()
    assert money(total + Decimal("1000")) in html and lines_read


def test_a_restricted_child_s_claim_lines_name_no_one_but_to_administrators(
    client, users, money_referrals, derby
):
    """The claim still counts a restricted child's weeks (its totals do not move), but its
    lines, page, downloads and dispute form name the referral and child to administrators
    only, as every other page does."""
    pm = users["provider_manager"]
    claim = claim_prepare(council=derby, month=D(2022, 4, 1), by=pm, today=TODAY)
    claim_submit(claim=claim, by=pm)
    r = money_referrals["derby"]
    secrets = (r.referral_id, r.child.child_ref)
    client.force_login(users["commissioner"])
    before = client.get(url("claim_detail", month="2022-04"), {"format": "csv"}).content
    child_restrict(child_ref=r.child.child_ref, restricted=True, reason="Asked", by=users["admin"])
    for role in ("commissioner", "provider_manager"):
        client.force_login(users[role])
        for params in ({}, {"format": "csv"}):
            body = client.get(url("claim_detail", month="2022-04"), params).content.decode()
            assert not any(s in body for s in secrets), (role, params)
        xlsx = client.get(url("claim_detail", month="2022-04"), {"format": "xlsx"}).content
        cells = [
            str(c)
            for ws in load_workbook(io.BytesIO(xlsx))
            for row in ws.iter_rows(values_only=True)
            for c in row
        ]
        assert not any(s in c for s in secrets for c in cells), role
    client.force_login(users["commissioner"])
    form = client.get(url("claim_dispute", month="2022-04")).content.decode()
    assert not any(s in form for s in secrets)
    after = client.get(url("claim_detail", month="2022-04"), {"format": "csv"}).content
    # the same lines and amounts: only the two names of the restricted child's lines differ
    assert len(after.splitlines()) == len(before.splitlines())
    amounts = [line.split(b",")[-5:] for line in after.splitlines()]
    assert amounts == [line.split(b",")[-5:] for line in before.splitlines()]
    client.force_login(users["admin"])
    body = client.get(url("claim_detail", month="2022-04")).content.decode()
    assert all(s in body for s in secrets)


def test_the_investor_sees_what_was_earned_beside_what_approved_claims_paid(
    client, users, approved_claim
):
    """The engine's figure is what was earned (outcome payments within the maxima and
    guaranteed-funding fees); what the councils have paid is their approved claims'."""
    from stars.finance.models import ClaimLine

    approved = sum(
        ClaimLine.objects.filter(claim=approved_claim).values_list("amount", flat=True),
        Decimal(0),
    )
    assert approved > 0
    # an investor asks for quarters already ended: the claim approved mid-quarter, in the past
    approved_at = dt.datetime(2024, 11, 15, 12, tzinfo=dt.UTC)
    type(approved_claim).objects.filter(pk=approved_claim.pk).update(approved_at=approved_at)
    client.force_login(users["investor"])
    page = client.get(reverse("finance_investor"), {"as_of": "2024-12-31"}).content.decode()
    assert "Paid to date" not in page
    assert "Earned to date (outcomes and fees)" in page
    row = page.split('data-testid="investor-approved"', 1)[1].split("</div>", 1)[0]
    assert "Paid in approved claims to date" in row and money(approved) in row
    # at the end of the quarter before the claim was approved, no claim had paid anything
    page = client.get(reverse("finance_investor"), {"as_of": "2024-09-30"}).content.decode()
    row = page.split('data-testid="investor-approved"', 1)[1].split("</div>", 1)[0]
    assert money(Decimal(0)) in row


def test_the_money_page_gives_what_approved_claims_paid_by_its_own_date(
    client, users, approved_claim
):
    """Viewed as of a day before a claim was approved, the money page said the claim was
    approved ('so far' meant today whatever the page's date): what approved claims paid is
    as of the page's date, and the label says which date."""
    from stars.finance.models import ClaimLine

    paid = sum(
        ClaimLine.objects.filter(claim=approved_claim).values_list("amount", flat=True),
        Decimal(0),
    )
    assert paid > 0
    approved_on = approved_claim.approved_at.date()
    client.force_login(users["commissioner"])
    for day, expected in ((approved_on, paid), (approved_on - dt.timedelta(days=1), Decimal(0))):
        page = client.get(reverse("finance_money"), {"as_of": day.isoformat()}).content.decode()
        row = page.split('data-testid="money-approved"', 1)[1].split("</div>", 1)[0]
        assert f"Paid in claims approved by {day:%-d %B %Y}" in row, day
        assert money(expected) in row, day


def test_the_money_pages_months_are_named_as_people_say_them(client, users, money_referrals):
    client.force_login(users["provider_manager"])
    page = client.get(reverse("finance_money"), {"as_of": "2022-05-01"}).content.decode()
    table = page[page.index('data-testid="money-month"') :]
    table = table[: table.index("</table>")]
    months = re.findall(r'<th scope="row" class="govuk-table__header">([^<]*)</th>', table)
    assert months[:2] == ["October 2020", "November 2020"] and months[-1] == "May 2022"
    assert not re.search(r"\d{4}-\d\d-\d\d", table)
    assert "<svg" in page  # the chart beside it still reads its dates
