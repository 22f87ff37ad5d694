"""Documents people already use: PDFs from HTML (CSV and XLSX: ``stars.core.spreadsheets``)."""

from __future__ import annotations


def pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Render an HTML document (with inline SVG charts) to PDF with WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf()
