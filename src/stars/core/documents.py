"""Documents people already use: PDFs from HTML, and the download that hands a document to
the browser (CSV and XLSX are written by ``stars.core.spreadsheets``)."""

from __future__ import annotations

from django.http import HttpResponse

from stars.core.programmes import programme_active

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


def download(kind: str, name: str, body: str | bytes) -> HttpResponse:
    """A document to save, ``name.kind`` (``kind``: xlsx, pdf, csv, json or zip)."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def report_name(*parts: object) -> str:
    """A report's file name (without its extension): the code of the programme the request
    works in, then ``parts`` (what it is, its date or quarter, its filters) joined by "-",
    e.g. ``dn2-stars-evaluation-2024-11-30``: two programmes' reports of one day never
    share a name, and nothing names a programme the report is not of."""
    choice = programme_active()
    words = [choice.code] if choice is not None and choice.code else []
    return "-".join([*words, *(str(p).replace(" ", "-") for p in parts if p)])


def pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document (with inline SVG charts) to PDF with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
