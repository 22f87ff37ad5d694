"""Text a spreadsheet would run as a formula: the one rule every CSV and XLSX writer applies.

Spreadsheet programs read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, so a child's name, a note or a reason typed as
``=HYPERLINK("http://evil", "click")`` would run when a council opens a download ("CSV
injection", OWASP). Following OWASP's advice, such text is written to CSV with a single
quote in front (``'=HYPERLINK(...)``), which spreadsheets show as text; XLSX cells are typed
as text instead (``stars.core.spreadsheets``). A number written as text (``-853592.00``) is
not a formula and stays as it is, so amounts stay numbers.

Every CSV the service hands to people is written here, by ``csv_text``, and encoded by
``csv_bytes``: UTF-8 with a byte-order mark, the "CSV UTF-8" Excel itself saves, so that
Excel on Windows shows "£" and "Zoë" rather than "Â£" and "ZoÃ«"
(docs/decisions/0011-csv-files-excel-reads.md). Readers that follow the standard
(``utf-8-sig``, pandas, polars, the tracker import) skip the mark.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def runs_as_formula(text: str) -> bool:
    """Would a spreadsheet read this text as a formula (and not as a number)?"""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def inert(text: str) -> str:
    """The text as a CSV cell a spreadsheet shows as text: a quote before a formula."""
    return "'" + text if runs_as_formula(text) else text


#: Characters that lay text out on a page but are no part of the data: a word joiner (the
#: money formatter keeps a sign on its amount's line with one), zero-width spaces and
#: joiners, soft hyphens, byte-order marks; and spaces that only forbid a line break.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
NO_BREAK_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " ")


def visible(text: str) -> str:
    """Text as a spreadsheet cell holds it: without the invisible characters that lay out a
    page, and with ordinary spaces for no-break ones ("−\u2060£5.00" is "−£5.00")."""
    return text.translate(INVISIBLE).translate(NO_BREAK_SPACES)


#: The encoding of every CSV file the service writes: UTF-8 with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: blank for none, text made inert, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return inert(value)
    return value


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The CSV text of a table: a header row, then the rows, every cell through ``csv_cell``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(h) for h in headers])
    w.writerows([csv_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file as people are given it: ``csv_text`` in ``CSV_ENCODING``."""
    return csv_text(headers, rows).encode(CSV_ENCODING)


def with_commas(text: str, separator: str, columns: Mapping[int, str] | None = None) -> str:
    """A CSV text whose columns are separated by ``separator`` written again separated by
    commas, cell for cell; with ``columns`` (position: heading), only those columns, in
    that order, headed so (a blank line stays blank). Nothing is made inert: this is a copy
    of a council's own file for a program that reads only commas and its own columns (DfE's
    validator), not a download for people."""
    out = io.StringIO()
    rows: Iterable[list[str]] = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    if columns is not None:
        at = list(columns)
        rows = (
            list(columns.values())
            if n == 0
            else [r[i] if i < len(r) else "" for i in at]
            if r
            else []
            for n, r in enumerate(rows)
        )
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
