"""Documents people already use: PDFs from HTML, and the download that hands a document to
the browser (CSV and XLSX are written by ``stars.core.spreadsheets``)."""

from __future__ import annotations

from django.http import HttpResponse

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "json": "application/json",
    "zip": "application/zip",
}


def download(kind: str, name: str, body: str | bytes) -> HttpResponse:
    """A document to save, ``name.kind`` (``kind``: xlsx, pdf, csv, json or zip)."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document (with inline SVG charts) to PDF with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
