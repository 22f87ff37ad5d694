"""Synthetic returns kept as XLSX workbooks, as councils keep them: each table a sheet, its
dates as date cells, its small numbers (SEX, MOTHER) as numbers held as floats (2.0)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

DATE = "%d/%m/%Y"


def as_cells(row: list[str]) -> list[object]:
    """A CSV row's cells as a council's workbook holds them: a date a date cell, a number
    of one or two digits a float (2.0), other text as text."""
    cells: list[object] = []
    for v in row:
        try:
            cells.append(dt.datetime.strptime(v, DATE))
            continue
        except ValueError:
            pass
        cells.append(float(v) if v.isdigit() and len(v) <= 2 else v)
    return cells


def workbook(
    sheets: dict[str, str],
    *,
    cells: Callable[[list[str]], list[object]] = as_cells,
) -> bytes:
    """An XLSX workbook of ``sheets`` (name: CSV text), the heading row kept as text."""
    book = Workbook()
    book.remove(book.active)
    for name, text in sheets.items():
        sheet = book.create_sheet(name)
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            sheet.append(row if i == 0 else cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def year_as_workbook(folder: Path, year: int, into: Path, *, other: bool = True) -> Path:
    """``year``'s header and episodes under ``folder`` moved into one workbook at ``into``
    (sheets Header and Episodes, and DfE's UASC table as a sheet left unread)."""
    texts = {
        kind.title(): (folder / str(year) / f"{kind}.csv").read_text()
        for kind in ("header", "episodes")
    }
    if other:
        texts["UASC"] = "CHILD,SEX,DOB,DUC\r\n"
    into.parent.mkdir(parents=True, exist_ok=True)
    into.write_bytes(workbook(texts))
    for kind in ("header", "episodes"):
        (folder / str(year) / f"{kind}.csv").unlink()
    return into
