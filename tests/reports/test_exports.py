"""Documents: the same data gives the same bytes, whenever they are written."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import time_machine

from stars.core.spreadsheets import xlsx

SHEETS = {"Money": (["council", "paid"], [["derby", Decimal("12.50")], ["nottingham", 3]])}


def test_a_workbook_is_the_same_bytes_whenever_it_is_written():
    with time_machine.travel(dt.datetime(2024, 3, 31, 23, 59, 58, tzinfo=dt.UTC), tick=False):
        first = xlsx(SHEETS, money_columns={"Money": {"paid"}})
    with time_machine.travel(dt.datetime(2031, 7, 4, 17, 5, 9, tzinfo=dt.UTC), tick=False):
        again = xlsx(SHEETS, money_columns={"Money": {"paid"}})
    assert first == again
    sheet = openpyxl.load_workbook(io.BytesIO(first))["Money"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["council", "paid"],
        ["derby", 12.5],
        ["nottingham", 3],
    ]


def test_the_evaluation_workbooks_rates_are_percentages_as_on_the_page(programme):
    from stars.reports.services import evaluation_xlsx

    book = openpyxl.load_workbook(
        io.BytesIO(evaluation_xlsx(scope=None, as_of=dt.date(2024, 11, 30)))
    )
    rates = book["closed_early_rates"]
    cell = rates["B2"]  # All
    assert cell.data_type == "n" and cell.number_format == "0.0%"
    assert 0 < cell.value < 1
