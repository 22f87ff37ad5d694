"""Every XLSX the service writes: text stays text, numbers stay numbers (CSV files are
written by ``stars.domain.spreadsheet_text``, with the same rule for text).

The rule for what a spreadsheet would run is ``stars.domain.spreadsheet_text``: in CSV such
text gets a leading single quote (OWASP's advice; spreadsheets show it as text), and in XLSX
every text cell is typed as a string (openpyxl would otherwise store ``=...`` as a live
formula and ``#N/A`` as an error) with Excel's quote prefix on the ones that look like
formulas, so editing the cell does not bring the formula to life either.

The same data gives the same bytes: a workbook records no time of writing (its properties'
created and modified dates and every entry of its zip carry zip's earliest date, 1 January
1980), so a download can be compared with the one before (``tests/golden``).

openpyxl is imported where a workbook is written, as WeasyPrint is where a PDF is: with
numpy, which it loads, it took about 28 MiB of every page's process, most of which never
writes a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stars.domain.spreadsheet_text import runs_as_formula, visible

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]  # headers, rows
MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
# a change of money since before, signed as on the pages: +£13,300.00, -£5.00, no change
CHANGE_FORMAT = '+£#,##0.00;[Red]-£#,##0.00;"no change"'
# a change of a count since before, signed as on the pages: +13, -5, no change
COUNT_CHANGE_FORMAT = '+#,##0;-#,##0;"no change"'
RATE_FORMAT = "0.0%"  # a rate or share as the pages show it: 0.6471 is 64.7%
MEAN_FORMAT = "0.00"  # a mean as the pages show it: two decimal places
#: The number format of each kind of column ``xlsx`` is told of; a column named in several
#: kinds takes the first of them here.
NUMBER_FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT,
    "change": CHANGE_FORMAT,
    "count_change": COUNT_CHANGE_FORMAT,
    "rate": RATE_FORMAT,
    "mean": MEAN_FORMAT,
}
NOTES_SHEET = "Notes"  # the sheet of ``xlsx``'s notes, last
UNDATED = dt.datetime(1980, 1, 1)  # the earliest date a zip entry can carry


def xlsx_cell(ws: Worksheet, value: Any) -> Cell:
    """A cell for ``ws.append``: text typed as text without the characters that only lay out
    a page (``visible``), a Decimal as the number it is, exactly (12.345 is written 12.345)."""
    from openpyxl.cell.cell import Cell

    cell = Cell(ws, value=visible(value) if isinstance(value, str) else value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if runs_as_formula(cell.value):
            cell.quotePrefix = True
    return cell


def sheet_titles(names: Iterable[str]) -> list[str]:
    """Readable sheet names as a workbook allows them: at most 31 characters, none of
    ``[]:*?/\\``, each different (case aside), a later one numbered: "Events (2)"."""
    titles: list[str] = []
    for name in names:
        clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip() or "Sheet"
        title, n = clean[:31], 1
        while title.lower() in {t.lower() for t in titles}:
            n += 1
            title = f"{clean[: 31 - len(f' ({n})')]} ({n})"
        titles.append(title)
    return titles


def xlsx(
    sheets: Mapping[str, Table],
    *,
    money_columns: Mapping[str, set[str]] | None = None,
    rate_columns: Mapping[str, set[str]] | None = None,
    change_columns: Mapping[str, set[str]] | None = None,
    count_change_columns: Mapping[str, set[str]] | None = None,
    mean_columns: Mapping[str, set[str]] | None = None,
    rate_rows: Mapping[str, set[str]] | None = None,
    money_rows: Mapping[str, set[str]] | None = None,
    notes: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A workbook with one sheet per table; Decimal money cells are numbers of their exact
    value shown as pounds; the rates and shares of ``rate_columns`` are numbers shown as
    percentages, as on the pages, as are the numbers of the rows of ``rate_rows`` (named by
    their first cell); the numbers of the rows of ``money_rows`` are money, shown as pounds
    (a sheet whose rows mix money and counts); the money changes of ``change_columns`` are
    numbers (exact as money is) shown with their sign, as are the changes of counts of
    ``count_change_columns``; the means of ``mean_columns`` are shown to two decimal places.
    ``notes``, (sheet, note) pairs, are a last sheet of their own, "Notes" (a note below a
    table would be read as one of its rows), each naming the sheet it is about: what the
    page says beside its figures, such as ``stars.domain.money.ROUNDING_NOTE``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        ws = wb.create_sheet(title=title[:31])
        ws.append([xlsx_cell(ws, h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        given = {
            "money": money_columns,
            "change": change_columns,
            "count_change": count_change_columns,
            "rate": rate_columns,
            "mean": mean_columns,
        }
        kinds = {kind: (columns or {}).get(title, set()) for kind, columns in given.items()}
        rate_at = {i for i, h in enumerate(headers) if h in kinds["rate"]}  # a row may be short
        rates_of = (rate_rows or {}).get(title, set())
        money_of = (money_rows or {}).get(title, set())
        for row in rows:
            rated = bool(row) and row[0] in rates_of
            row_format = (
                RATE_FORMAT if rated else MONEY_FORMAT if row and row[0] in money_of else ""
            )
            ws.append(
                [
                    xlsx_cell(
                        ws, float(v) if (rated or i in rate_at) and isinstance(v, Decimal) else v
                    )
                    for i, v in enumerate(row)
                ]
            )
            for cell in ws[ws.max_row][1:] if row_format else ():
                if cell.data_type == "n":
                    cell.number_format = row_format
        for i, h in enumerate(headers, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, min(40, len(str(h)) + 2))
            number_format = next(
                (f for kind, f in NUMBER_FORMATS.items() if h in kinds[kind]), None
            )
            if number_format is not None:
                for cell in ws[letter][1:]:
                    cell.number_format = number_format
        ws.freeze_panes = "A2"
    if notes:
        ws = wb.create_sheet(title=NOTES_SHEET)
        ws.append([xlsx_cell(ws, h) for h in ("Sheet", "Note")])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for sheet, note in notes:
            ws.append([xlsx_cell(ws, sheet[:31]), xlsx_cell(ws, note)])
        ws.column_dimensions["A"].width = 32
        ws.column_dimensions["B"].width = 100
        ws.freeze_panes = "A2"
    wb.properties.created = wb.properties.modified = UNDATED
    buf = io.BytesIO()
    ExcelWriter(wb, _DatedZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buf.getvalue()


class _DatedZip(zipfile.ZipFile):
    """A zip file whose entries all carry zip's earliest date instead of the time written."""

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        with open(filename, "rb") as f:  # openpyxl writes each sheet to a file first
            self.writestr(str(arcname or filename), f.read())

    def writestr(  # type: ignore[override]
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, UNDATED.timetuple()[:6])
            zinfo_or_arcname.compress_type = self.compression
            zinfo_or_arcname.external_attr = 0o600 << 16  # as ZipFile gives a named entry
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)
