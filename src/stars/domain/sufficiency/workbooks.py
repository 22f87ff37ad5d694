"""A return's tables kept as sheets of an XLSX workbook, as councils keep them, read as the
import reads the same table saved as CSV.

A sheet is turned into the text of that CSV file (UTF-8, commas; ``sheet_text``), a sheet
row to a line, so that sheet row N is line N of the text: the import's checks then run on
it unchanged, and a problem is named by the workbook, the sheet, the row and the column
(``ValidationError.sheet``). A cell is written as the workbook holds it: a date cell as
dd/mm/YYYY (one with a time of day other than midnight with its time, which the date checks
refuse), a whole number kept as a float (2.0, as a spreadsheet keeps a code typed as a
number) without its ".0", text as it is (a date typed as text is checked as a CSV file's
is). A line break in a cell is read as a space (a sheet row stays one line).

A workbook is data from outside: it is refused before it is opened when it is larger than
an upload may be or unpacks to more than ``Limits`` allow (its parts' sizes are read from
the ZIP directory, and no part is unpacked beyond its stated size), it is read in read-only
mode (a row at a time, never the whole sheet in memory; the sheet's own claim of its size
is not trusted), and no formula is worked out: a formula in a column of the return is a
problem naming its cell (what Excel last showed for it is not read either), and one in
another column (not read) is left out of the text. Macros (.xlsm) never run.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from stars.domain.sufficiency.ssda903 import (
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    Kind,
    ValidationError,
    heading,
)

#: What a workbook the import reads may be saved as: Excel's workbook, and one with macros
#: (which are never run). Older or other formats (.xls, .ods) are not read.
READ_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")

#: The sheets read, by DfE's names of the return's tables (in any case, padded or with
#: spaces for underscores, as ``heading`` reads a column's): every other sheet is left
#: unread, with a note.
TABLE_SHEETS: dict[str, Kind] = {"HEADER": "header", "EPISODES": "episodes"}

#: Columns a sheet may have: a return's table has 13 or fewer; a heading row far wider is
#: not a return (and each of its rows would be read that wide).
MAX_COLUMNS = 1_000

#: The part of the ZIP every XLSX workbook has.
WORKBOOK_PART = "xl/workbook.xml"


class NotReadable(ValueError):
    """A workbook (or one of its sheets) that cannot be read; the message names it."""


@dataclass(frozen=True)
class Limits:
    """The largest workbook read, and the most its parts may unpack to, in bytes."""

    file_bytes: int
    unpacked_bytes: int


@dataclass(frozen=True)
class SheetText:
    """A sheet as the text of the CSV file it stands for (``data``, UTF-8 bytes), the
    problems of its cells (formulas) and notes on how it was read."""

    data: bytes
    errors: tuple[ValidationError, ...]
    notes: tuple[str, ...]


def kind_of_sheet(sheet: str) -> Kind | None:
    """The table a sheet holds by its name (``TABLE_SHEETS``), or None."""
    return TABLE_SHEETS.get(heading(sheet))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _check_container(path: Path, name: str, limits: Limits) -> None:
    """Refuse a workbook too large, unpacking to too much, or not an XLSX workbook at all,
    before any of it is unpacked."""
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise NotReadable(
            f"{name}: the workbook is {_mb(size)}; expected at most "
            f"{_mb(limits.file_bytes)}, as for an upload"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotReadable(
            f"{name}: not an XLSX workbook ({exc}); a workbook kept with a password, or "
            "saved as Excel 97-2003 (.xls), is not read: save it as an Excel workbook "
            "(.xlsx) without a password, or its sheets as CSV UTF-8"
        ) from exc
    unpacked = sum(p.file_size for p in parts)
    if unpacked > limits.unpacked_bytes:
        raise NotReadable(
            f"{name}: the workbook unpacks to {_mb(unpacked)}; expected at most "
            f"{_mb(limits.unpacked_bytes)}"
        )
    if WORKBOOK_PART not in {p.filename for p in parts}:
        raise NotReadable(
            f"{name}: not an XLSX workbook (a ZIP without {WORKBOOK_PART}); save it as an "
            "Excel workbook (.xlsx), or its sheets as CSV UTF-8"
        )


def _open(path: Path, name: str, limits: Limits) -> Any:
    """The workbook in read-only mode, formulas as written (never worked out), no links."""
    # openpyxl (and the numpy it loads): only reading a workbook needs it, and a page never
    # does (the stored rows are read)
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    _check_container(path, name, limits)
    try:
        return load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001  whatever openpyxl raises on a damaged part
        raise NotReadable(
            f"{name}: could not be read as an XLSX workbook ({type(exc).__name__}: {exc})"
        ) from exc


def sheet_names(path: Path, name: str, limits: Limits) -> list[str]:
    """The names of a workbook's sheets, in its order (``NotReadable`` if it cannot be
    read: ``name`` is what the message calls it)."""
    book = _open(path, name, limits)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def sheet_for(names: Sequence[str], kind: Kind) -> str | None:
    """The sheet of a workbook standing for one table (``header.xlsx``): the one named as
    the table, else its only sheet; None when neither tells."""
    named = [s for s in names if kind_of_sheet(s) == kind]
    if named:
        return named[0]
    return names[0] if len(names) == 1 else None


def cell_text(value: Any) -> str:
    """A cell's value as the CSV file saved from its sheet would hold it (see the module's
    docstring)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        day = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return day
        return f"{day} {value:%H:%M:%S}"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = str(value)
    if "\n" in text or "\r" in text:
        text = " ".join(text.splitlines())
    return text


def _rows(sheet: Any, width: int) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows from row 1, each ``width`` cells (row N the Nth), as stored."""
    return sheet.iter_rows(min_row=1, max_col=width)  # type: ignore[no-any-return]


def _formula(cell: Any) -> str | None:
    if getattr(cell, "data_type", None) != "f":
        return None
    text = str(cell.value)
    return text if len(text) <= 40 else text[:37] + "..."


def sheet_text(path: Path, name: str, sheet: str, kind: Kind, limits: Limits) -> SheetText:
    """The sheet ``sheet`` of the workbook at ``path`` (called ``name``) as the text of the
    CSV file of the table ``kind``, with the problems of its cells (``NotReadable`` when the
    workbook or the sheet cannot be read)."""
    book = _open(path, name, limits)
    try:
        if sheet not in book.sheetnames:
            raise NotReadable(f"{name}: no sheet {sheet!r}")
        return _sheet_text(book[sheet], name, sheet, kind)
    except NotReadable:
        raise
    except Exception as exc:  # noqa: BLE001  a damaged sheet: named, never a traceback
        raise NotReadable(
            f"{name}, sheet {sheet}: could not be read ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        book.close()


def _sheet_text(ws: Any, name: str, sheet: str, kind: Kind) -> SheetText:
    ws.reset_dimensions()  # the size the sheet claims is not trusted: rows as they come
    known = set(HEADER_COLUMNS if kind == "header" else EPISODE_COLUMNS)
    first = next(iter(ws.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS + 1)), ())
    headings = [cell_text(getattr(c, "value", None)) for c in first]
    while headings and not headings[-1].strip():
        headings.pop()
    if len(headings) > MAX_COLUMNS:
        raise NotReadable(
            f"{name}, sheet {sheet}: more than {MAX_COLUMNS:,} columns; expected the "
            "columns of DfE's table (and a few others)"
        )
    width = len(headings)
    read = [heading(h) in known for h in headings]
    errors: list[ValidationError] = []
    left_out: list[str] = []  # formulas in columns not read
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    blank = 0  # blank rows held back: written only when a row follows them
    for number, row in enumerate(_rows(ws, width), start=1) if width else ():
        texts = [""] * width
        for i, cell in enumerate(row[:width]):
            formula = _formula(cell)
            if formula is None:
                texts[i] = cell_text(getattr(cell, "value", None))
            elif read[i] or number == 1:
                errors.append(
                    ValidationError(
                        name,
                        number,
                        heading(headings[i]) or cell.coordinate,
                        f"cell {cell.coordinate} holds a formula ({formula}); expected a "
                        "value (formulas are not worked out: copy the column and paste it "
                        "as values)",
                        sheet,
                    )
                )
            else:
                left_out.append(cell.coordinate)
        if not any(t.strip() for t in texts):
            blank += 1
            continue
        for _ in range(blank):
            writer.writerow([""] * width)
        blank = 0
        writer.writerow(texts)
    notes = _left_out_note(name, sheet, left_out)
    return SheetText(out.getvalue().encode("utf-8"), tuple(errors), notes)


def _left_out_note(name: str, sheet: str, cells: Iterable[str]) -> tuple[str, ...]:
    cells = list(cells)
    if not cells:
        return ()
    n = len(cells)
    return (
        f"{name}, sheet {sheet}: {n} formula cell{'s' if n != 1 else ''} in columns not read "
        f"(e.g. {cells[0]}) left out: formulas are not worked out",
    )
