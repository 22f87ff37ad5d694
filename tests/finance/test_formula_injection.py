"""Claim and extract downloads: typed text never runs as a formula; amounts stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from stars.finance.services import claim_approve, claim_dispute_line, claim_prepare, claim_submit
from tests.finance.conftest import TODAY

ATTACK = '=HYPERLINK("http://x.invalid","y")'  # fits a closure reason (40 characters)
D = dt.date


@pytest.fixture
def june_claim(money_referrals, derby, users):
    """Derby's June 2022 claim: a negative adjustment line, and a line disputed with a
    reason typed as a formula."""
    pm, commissioner = users["provider_manager"], users["commissioner"]
    for month in (D(2022, 4, 1), D(2022, 5, 1)):
        claim = claim_prepare(council=derby, month=month, by=pm, today=TODAY)
        claim_submit(claim=claim, by=pm)
        claim_approve(claim=claim, by=commissioner)
    money_referrals["derby"].periods.update(end_date=D(2022, 4, 11))  # late news: adjustment
    june = claim_prepare(council=derby, month=D(2022, 6, 1), by=pm, today=TODAY)
    claim_submit(claim=june, by=pm)
    line = june.lines.first()
    claim_dispute_line(line=line, by=commissioner, reason=ATTACK)
    assert june.lines.filter(amount__lt=0).exists()
    return june


def _get(client, user, name, args=(), **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content


def test_claim_csv_quotes_the_formula_and_keeps_negative_amounts(client, users, june_claim):
    body = _get(client, users["commissioner"], "claim_detail", ("derby", "2022-06"), format="csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["dispute_reason"] for r in rows if r["disputed"] == "yes"] == ["'" + ATTACK]
    amounts = [Decimal(r["amount"]) for r in rows]  # every amount still reads as a number
    assert any(a < 0 for a in amounts)


def test_claim_xlsx_types_the_formula_as_text(client, users, june_claim):
    body = _get(client, users["commissioner"], "claim_detail", ("derby", "2022-06"), format="xlsx")
    ws = load_workbook(io.BytesIO(body))["Lines"]
    headers = [c.value for c in ws[1]]
    reason = headers.index("dispute_reason")
    amount = headers.index("amount")
    cells = [row[reason] for row in ws.iter_rows(min_row=2) if row[reason].value]
    assert [(c.value, c.data_type) for c in cells] == [(ATTACK, "s")]
    amounts = [row[amount] for row in ws.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in amounts) and any(c.value < 0 for c in amounts)
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_evaluator_extract_writes_typed_text_as_text(client, users, money_referrals, fmt):
    from stars.referrals.models import Referral

    Referral.objects.filter(referral_id="R-DG").update(
        status="closed_early", end_date=D(2022, 6, 1), closure_reason=ATTACK
    )
    body = _get(client, users["evaluator"], "finance_extract", format=fmt, as_of="2022-12-31")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert "'" + ATTACK in [r["closure_reason"] for r in rows]
    else:
        cells = [c for row in load_workbook(io.BytesIO(body)).active.iter_rows() for c in row]
        assert [(c.value, c.data_type) for c in cells if c.value == ATTACK] == [(ATTACK, "s")]
        assert not [c for c in cells if c.data_type == "f"]
