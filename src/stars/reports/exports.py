"""Documents people already use: XLSX workbooks, PDFs from HTML, CSV.

The same data gives the same bytes: a workbook records no time of writing (its properties'
created and modified dates and every entry of its zip carry zip's earliest date, 1 January
1980), so a download can be compared with the one before (``tests/golden``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]  # headers, rows
MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
UNDATED = dt.datetime(1980, 1, 1)  # the earliest date a zip entry can carry


def xlsx(
    sheets: Mapping[str, Table], *, money_columns: Mapping[str, set[str]] | None = None
) -> bytes:
    """A workbook with one sheet per table; Decimal money cells keep their exact value."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, (headers, rows) in sheets.items():
        ws = wb.create_sheet(title=title[:31])
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        money = (money_columns or {}).get(title, set())
        for row in rows:
            ws.append([_cell(v) for v in row])
        for i, h in enumerate(headers, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, min(40, len(str(h)) + 2))
            if h in money:
                for cell in ws[letter][1:]:
                    cell.number_format = MONEY_FORMAT
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


def _cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v) if v == v.quantize(Decimal("0.01")) else str(v)
    return v


def pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document (with inline SVG charts) to PDF with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()
