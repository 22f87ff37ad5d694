"""Documents people already use: XLSX workbooks, PDFs from HTML, CSV, and the download that
hands one to the browser."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]  # headers, rows
MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
}


def download(kind: str, name: str, body: str | bytes) -> HttpResponse:
    """A document to save, ``name.kind`` (``kind``: xlsx, pdf or csv)."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


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
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
