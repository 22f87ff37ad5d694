"""Every CSV and XLSX the service writes: text stays text, numbers stay numbers.

The rule for what a spreadsheet would run is ``stars.domain.spreadsheet_text``: in CSV such
text gets a leading single quote (OWASP's advice; spreadsheets show it as text), and in XLSX
every text cell is typed as a string (openpyxl would otherwise store ``=...`` as a live
formula and ``#N/A`` as an error) with Excel's quote prefix on the ones that look like
formulas, so editing the cell does not bring the formula to life either.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from stars.domain.spreadsheet_text import inert, runs_as_formula

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]  # headers, rows
MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: blank for none, text made inert, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return inert(value)
    return value


def csv_rows(rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    return ([csv_cell(v) for v in row] for row in rows)


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows(csv_rows([headers]))
    w.writerows(csv_rows(rows))
    return buf.getvalue()


def _number(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v) if v == v.quantize(Decimal("0.01")) else str(v)
    return v


def xlsx_cell(ws: Worksheet, value: Any) -> Cell:
    """A cell for ``ws.append``: text typed as text, Decimal money exact when it can be."""
    cell = Cell(ws, value=_number(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if runs_as_formula(cell.value):
            cell.quotePrefix = True
    return cell


def xlsx(
    sheets: Mapping[str, Table], *, money_columns: Mapping[str, set[str]] | None = None
) -> bytes:
    """A workbook with one sheet per table; Decimal money cells keep their exact value."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        ws = wb.create_sheet(title=title[:31])
        ws.append([xlsx_cell(ws, h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        money = (money_columns or {}).get(title, set())
        for row in rows:
            ws.append([xlsx_cell(ws, v) for v in row])
        for i, h in enumerate(headers, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, min(40, len(str(h)) + 2))
            if h in money:
                for cell in ws[letter][1:]:
                    cell.number_format = MONEY_FORMAT
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
