"""Reports of exact figures round each amount on its own and say so, once, beside their
money; a claim's figures are whole pence and add up, so it needs no such note
(docs/decisions/0017-money-to-the-penny.md)."""

from __future__ import annotations

import datetime as dt
import html
import io

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse

from stars.domain.money import ROUNDING_NOTE
from stars.finance.services import claim_prepare
from stars.partnership.models import Council

PAGES = [
    ("commissioner", "/finance/money/", {}),
    ("investor", "/finance/investor/", {}),
    ("evaluator", "/reports/evaluation/", {}),
    ("commissioner", "/reports/board/", {"quarter": "Q2 2024-25"}),
]


@pytest.mark.parametrize(("role", "path", "query"), PAGES)
def test_a_report_of_exact_figures_says_they_may_not_add_up(client, programme, role, path, query):
    client.force_login(programme[role])
    response = client.get(path, query)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert page.count(ROUNDING_NOTE) == 1


def test_the_note_is_one_paragraph_from_one_place():
    out = Template("{% load stars_format %}{% rounding_note %}").render(Context())
    assert out == f'<p class="govuk-body-s" data-testid="rounding-note">{ROUNDING_NOTE}</p>'


def test_a_claims_page_has_no_such_note_its_parts_add_up(client, programme):
    derby = Council.objects.get(code="derby")
    claim = claim_prepare(
        council=derby, month=dt.date(2024, 6, 1), by=None, today=dt.date(2024, 12, 1)
    )
    client.force_login(programme["commissioner"])
    page = client.get(reverse("claim_detail", args=["derby", claim.month_key]))
    assert page.status_code == 200
    assert ROUNDING_NOTE not in html.unescape(page.content.decode())


WORKBOOKS = [
    ("evaluator", "/reports/evaluation/", {"format": "xlsx"}),
    ("commissioner", "/reports/board/", {"quarter": "Q2 2024-25", "format": "xlsx"}),
]


@pytest.mark.parametrize(("role", "path", "query"), WORKBOOKS)
def test_a_workbook_of_exact_figures_says_so_of_every_sheet_with_money(
    client, programme, role, path, query
):
    """The board and evaluation workbooks round their money to the penny as their pages do
    (a cell's format) but carried no note saying the figures may not add up: their "Notes"
    sheet now says it of each sheet with money, in the pages' words."""
    client.force_login(programme[role])
    response = client.get(path, query)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[-1] == "Notes"
    notes = book["Notes"]
    assert [c.value for c in notes[1]] == ["Sheet", "Note"]
    noted = {sheet for sheet, note in notes.iter_rows(min_row=2, values_only=True)
             if note == ROUNDING_NOTE}  # fmt: skip
    with_money = {
        ws.title
        for ws in book.worksheets
        if any("£" in c.number_format for row in ws.iter_rows(min_row=2) for c in row)
    }
    assert with_money and with_money == noted
