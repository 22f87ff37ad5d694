"""SSDA903 (children looked after) returns: parse, check structure, merge years.

Each collection year (ending 31 March YYYY) brings a header file (one row per child) and
an episodes file (one row per episode of care) in DfE's CSV layout, dates as dd/mm/YYYY.
``parse_header`` and ``parse_episodes`` take the file's name, its text (or its UTF-8
bytes) and the collection year and return the typed rows (a Polars frame) and every problem
found, each naming the file, the physical line (the column heading is line 1), the column
and what was expected. Whether one error rejects the whole import is the caller's decision.

``merge_returns`` combines several years: an episode (CHILD + DECOM) repeated in a later
return is taken from the later return (it may have gained a DEC and REC), and the later
return is authoritative for the period it covers. Checks are vectorised so a national
return (hundreds of thousands of rows) parses in seconds.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import polars as pl

from stars.domain.spreadsheet_text import with_commas
from stars.domain.sufficiency.codes import (
    CODE_CHANGES,
    INHOUSE_PROVIDERS,
    OTHER,
    PLACE_GROUP_BY_PROVIDER,
    PLACE_GROUP_FIXED,
    PLACEMENT_GROUPS,
    PROVIDER_NOT_RECORDED,
    code_lists,
)
from stars.domain.text_files import BYTE_LINE_BREAK, field_limit

HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS: tuple[str, ...] = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
DATE_FORMAT = "%d/%m/%Y"
HEADER_REQUIRED: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC")
#: Columns a file may leave out (read as blank when it does): no page reads them, and their
#: values are optional in every row (each is still checked when given). Every other column
#: is read by a page or a check of a value every row must have.
HEADER_OPTIONAL: tuple[str, ...] = ("UPN", "MOTHER", "MC_DOB")
EPISODE_OPTIONAL: tuple[str, ...] = ("REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
EPISODE_REQUIRED: tuple[str, ...] = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE")
HEADER_CODED: tuple[str, ...] = ("SEX", "ETHNIC")
EPISODE_CODED: tuple[str, ...] = (
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
)

Kind = Literal["header", "episodes"]


@dataclass(frozen=True, order=True)
class ValidationError:
    """One problem in one file: ``line`` is the physical line (headings are line 1); for a
    table kept as a ``sheet`` of a workbook (``stars.domain.sufficiency.workbooks``), the
    sheet's row."""

    file: str
    line: int
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.where}, column {self.column}: {self.message}"
        return f"{self.file}, line {self.line}, column {self.column}: {self.message}"

    @property
    def where(self) -> str:
        """The file and line, or the workbook, sheet and row, as a problem names them."""
        if self.sheet:
            return f"{self.file}, sheet {self.sheet}, row {self.line}"
        return f"{self.file}:{self.line}"


def in_sheet(errors: Iterable[ValidationError], sheet: str) -> tuple[ValidationError, ...]:
    """``errors`` of a table read from ``sheet`` of a workbook: each named by its sheet and
    row (what a message calls a line, a row)."""
    if not sheet:
        return tuple(errors)
    return tuple(
        replace(e, sheet=sheet, message=e.message.replace(" on line ", " on row ")) for e in errors
    )


@dataclass(frozen=True, eq=False)
class ParsedFile:
    """Typed rows of one file (column ``LINE`` = physical line) and the errors found."""

    file_name: str
    collection_year: int
    kind: Kind
    frame: pl.DataFrame
    errors: tuple[ValidationError, ...]
    #: how the file was read where it differs from DfE's layout (its separator, codes in
    #: lower case), each naming the file: what the import says in its notes
    notes: tuple[str, ...] = ()
    #: the sheet of the workbook ``file_name`` the table was read from, if it was
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def source(self) -> str:
        """The file, or the workbook and sheet, as a message names it."""
        return f"{self.file_name}, sheet {self.sheet}" if self.sheet else self.file_name


@dataclass(frozen=True, eq=False)
class MergedReturns:
    """Episodes (with ``GROUP`` and source ``YEAR``) and headers of several returns."""

    episodes: pl.DataFrame
    headers: pl.DataFrame
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Columns:
    """The columns a reader keeps of each file once it is parsed (see ``compact``), and
    whether child ids are replaced by numbers once merged (see ``numbered_children``)."""

    episodes: tuple[str, ...]
    headers: tuple[str, ...]
    numbered_children: bool = False


#: What the forecast reads: the merge's keys and YEAR, the dates, the codes the fit reads
#: (REC, LS), the placement group; each child's date of birth. A national history held
#: with every column as text takes several times the memory.
FORECAST_COLUMNS = Columns(
    episodes=("CHILD", "DECOM", "DEC", "REC", "LS", "GROUP", "YEAR"),
    headers=("CHILD", "DOB", "YEAR"),
    numbered_children=True,  # the forecast only compares, sorts and joins them
)
#: What the dashboard reads: the forecast's columns and RNE (placements in the year).
DASHBOARD_COLUMNS = Columns(
    episodes=("CHILD", "DECOM", "DEC", "RNE", "LS", "REC", "GROUP", "YEAR"),
    headers=("CHILD", "DOB", "YEAR"),
    numbered_children=True,  # the dashboard counts children and never shows an id
)
#: What the reconciliation reads (each linked child's episodes: dates, place, group, reason
#: ceased; LS to leave short breaks out) and the link page (the children's ids, as given)
RECONCILIATION_COLUMNS = Columns(
    episodes=("CHILD", "DECOM", "DEC", "LS", "PLACE", "GROUP", "REC", "YEAR"),
    headers=("CHILD", "YEAR"),
)
PLACEMENT_GROUP_TYPE = pl.Enum(PLACEMENT_GROUPS)


def compact(parsed: ParsedFile, columns: Sequence[str]) -> ParsedFile:
    """Only ``columns`` of a file's rows, typed compactly: codes as categories and the
    placement group as an enum (a small integer a row where a string takes 16 bytes and
    more); values, order and errors as they were. Child ids stay strings: polars'
    categories of half a million ids would cost more than their strings."""
    frame = parsed.frame.select(columns)
    coded = {*EPISODE_CODED, *HEADER_CODED}
    frame = frame.with_columns(
        pl.col(c).cast(PLACEMENT_GROUP_TYPE if c == "GROUP" else pl.Categorical)
        for c in frame.columns
        if c in coded or c == "GROUP"
    )
    return replace(parsed, frame=frame)


def numbered_children(merged: MergedReturns) -> MergedReturns:
    """``merged`` with each child id replaced by its place among the ids in sorted order
    (0, 1, ...): every comparison, sort and join of ids goes as with the ids themselves, in
    4 bytes a row where an id takes 16 and more. For readers that never show an id."""
    ids = pl.concat([merged.headers["CHILD"], merged.episodes["CHILD"]]).unique().sort()
    return replace(
        merged,
        episodes=merged.episodes.with_columns(
            ids.search_sorted(merged.episodes["CHILD"]).alias("CHILD")
        ),
        headers=merged.headers.with_columns(
            ids.search_sorted(merged.headers["CHILD"]).alias("CHILD")
        ),
    )


def year_start(collection_year: int) -> date:
    """1 April at the start of the collection year ending 31 March ``collection_year``."""
    return date(collection_year - 1, 4, 1)


def year_end(collection_year: int) -> date:
    """31 March ending the collection year."""
    return date(collection_year, 3, 31)


#: Years before the collection year's start that its earliest date may be: a child looked
#: after during the year is under 18 at its start, so born (and in care) no earlier than 18
#: years before it; one year more is the margin.
EARLIEST_YEARS_BEFORE = 19


def date_span(collection_year: int, today: date | None = None) -> tuple[date, date]:
    """The first and last day any date of the return for ``collection_year`` can be (DOB,
    MC_DOB, DECOM, DEC): from 1 April ``EARLIEST_YEARS_BEFORE`` years before the year's
    start to its 31 March (nothing after the year is known to its return), and, given the
    day the return is read (``today``), no later than that day: a return made during its
    year (or for a year not begun) knows nothing after it, since a child cannot be born,
    nor a placement start or end, in the future. A date outside it is a mistake (a year
    typed wrongly, e.g. 1018 for 2018, or 2026 for 2025), refused where it stands."""
    start = year_start(collection_year)
    last = year_end(collection_year)
    if today is not None:
        last = min(last, today)
    return date(start.year - EARLIEST_YEARS_BEFORE, 4, 1), last


def year_not_begun(collection_year: int, today: date) -> str | None:
    """Why no return for ``collection_year`` can be read on ``today``, if its year has not
    begun: every date of such a return would be in the future (``date_span``), so it is one
    problem of the year (a year typed wrongly, e.g. a folder named 2027 for 2025-26), not
    one of each of its dates. None when the year has begun."""
    start = year_start(collection_year)
    if start <= today:
        return None
    latest = today.year + (today.month >= 4)  # the collection year ``today`` is in
    return (
        f"the {_year_name(collection_year)} return is of a year not yet begun (it begins "
        f"on {start:%d/%m/%Y}, after {today:%d/%m/%Y}, the day of import); expected a year "
        f"begun by then, named by the year it ends in, at the latest {latest} for "
        f"{_year_name(latest)}"
    )


def _year_name(collection_year: int) -> str:
    """The collection year as people write it: 2024-25 for the year ending in 2025."""
    return f"{collection_year - 1}-{collection_year % 100:02d}"


#: Why a date of each column cannot be after the day a return is read.
FUTURE_REASON: dict[str, str] = {
    "DOB": "a child cannot be born in the future",
    "MC_DOB": "a child cannot be born in the future",
    "DECOM": "an episode cannot start in the future",
    "DEC": "an episode cannot end in the future",
}


# --- reading ----------------------------------------------------------------------------------

#: What a return's columns may be separated by, as spreadsheets save "CSV": commas (DfE's
#: layout), semicolons (a spreadsheet set to a European list separator) or tabs (Excel's
#: "Unicode text"), each by its name in a note.
SEPARATORS: dict[str, str] = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _first_line(text: str | bytes) -> str:
    """The heading row of a file (a byte-order mark dropped): never a copy of the file."""
    if isinstance(text, bytes):
        first = BYTE_LINE_BREAK.split(text, 1)[0].decode("utf-8", "replace")
    else:
        first = text.split("\n", 1)[0].split("\r", 1)[0]
    return first.removeprefix("\ufeff")


def heading(name: str) -> str:
    """A column's heading as DfE names it: in upper case, unpadded, its words joined by
    underscores (" Place provider " is PLACE_PROVIDER)."""
    return "_".join(name.split()).upper()


def as_dfe_layout(text: str, kind: Kind) -> str | None:
    """``text`` as DfE's validator reads a return, which refuses what it does not know: its
    columns separated by commas, only the columns of DfE's layout (in the file's order),
    headed as DfE heads them (``heading``); None when it is so already."""
    separator = separator_of(text)
    known = HEADER_COLUMNS if kind == "header" else EPISODE_COLUMNS
    first = next(csv.reader([_first_line(text)], delimiter=separator), [])
    kept = {i: heading(h) for i, h in enumerate(first) if heading(h) in known}
    if separator == "," and list(kept.values()) == first:
        return None
    return with_commas(text, separator, kept)


def separator_of(text: str | bytes) -> str:
    """The separator of a file's columns, told by its heading row: of ``SEPARATORS``, the
    one splitting it into the most headings (a comma on a tie, or when none splits it)."""
    first = _first_line(text)
    counts = {sep: first.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])  # the first of a tie: a comma
    return best if counts[best] else ","


def _separated_note(file_name: str, separator: str) -> tuple[str, ...]:
    if separator == ",":
        return ()
    return (
        f"{file_name}: columns separated by {SEPARATORS[separator]}, not commas: read so "
        "(DfE's layout is CSV, comma-separated)",
    )


def _read(text: str | bytes, separator: str = ",") -> pl.DataFrame:
    # from bytes: reading through a text stream holds a second copy of the file at its peak;
    # a caller that has the file's UTF-8 bytes passes them and spares the copy
    data = text.encode("utf-8") if isinstance(text, str) else text
    if not data.strip():
        return pl.DataFrame()
    if b"\n" not in data and b"\r" in data:
        # lines ended by CR alone (a spreadsheet's "CSV (Macintosh)"): polars ends lines at
        # LF only, and read the whole file as one line of headings, with no rows
        data = data.replace(b"\r", b"\n")
    frame = pl.read_csv(data, separator=separator, infer_schema=False, truncate_ragged_lines=True)
    lines = _record_lines(data, frame.height, separator)
    del data
    # headings in any case, padded or not; a column the return does not have may be headed
    # twice so (two "Notes"), and is kept under a name of its own (it is not read)
    names: dict[str, str] = {}
    for i, c in enumerate(frame.columns):
        name = heading(c)
        names[c] = name if name not in names.values() else f"{name}#{i + 1}"
    frame = frame.rename(names)
    for c in frame.columns:  # a column at a time: all at once costs a copy of every column
        if frame.select(_to_clean(c).any()).item():  # a column with none is kept as read
            frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None))
    if lines is None:
        frame = frame.with_row_index("LINE", offset=2)
    else:
        frame = frame.insert_column(0, lines)
    # a blank line, or one of commas only (a spreadsheet's rows once formatted, left empty),
    # is no row: left out, the lines after it keeping their numbers
    blank = pl.all_horizontal(pl.exclude("LINE").is_null())
    if frame.width > 1 and frame.to_series(1).null_count() and frame.select(blank.any()).item():
        frame = frame.filter(~blank)
    return frame


def child_rows(text: str, child: str) -> list[tuple[int, dict[str, str | None]]]:
    """The rows of a return's file about one child (its ``CHILD``), each with the line it is
    on, read as the import reads the file: headings in any case, a byte-order mark, padded
    cells, blank lines, lines ended by CR alone, and columns separated as its heading row
    shows (``separator_of``)."""
    frame = _read(text, separator_of(text))
    if "CHILD" not in frame.columns:
        return []
    rows = frame.filter(pl.col("CHILD") == child.strip()).to_dicts()
    return [(int(row.pop("LINE")), row) for row in rows]


def _record_lines(data: bytes, records: int, separator: str = ",") -> pl.Series | None:
    """The physical line each row starts on (``LINE``) when a quoted cell holds a line break,
    so that rows after it are not named a line too early; None when no cell does (row k is
    on line k + 2, the column headings being line 1)."""
    if b'"' not in data:  # no quoted cell (and a quick look): no line break in one
        return None
    breaks = data.count(b"\n")
    if b"\r" in data:
        breaks += data.count(b"\r") - data.count(b"\r\n")
    lines = breaks + (0 if data.endswith((b"\n", b"\r")) else 1)
    if lines == records + 1:
        return None
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    starts: list[int] = []
    end = 0
    with field_limit(len(text)):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        for _ in reader:
            starts.append(end + 1)
            end = reader.line_num
    if len(starts) != records + 1:  # read otherwise than polars read it: as before
        return None
    return pl.Series("LINE", starts[1:], dtype=pl.UInt32)


def _to_clean(column: str) -> pl.Expr:
    """Cells that stripping and blanking change: padded, or empty (a quoted ``""``)."""
    cell = pl.col(column)
    return (cell.str.strip_chars() != cell) | (cell == "")


def _missing_columns(
    file_name: str, frame: pl.DataFrame, columns: Sequence[str], optional: Sequence[str] = ()
) -> list[ValidationError]:
    present = set(frame.columns)
    # the headings read, so that a file split on another character (";" or a tab, as some
    # spreadsheets save "CSV") or a misspelt heading shows itself
    read = [c for c in frame.columns if c != "LINE"][:20]
    found = "; the headings read are " + (", ".join(f"'{c}'" for c in read) if read else "none")
    required = [c for c in columns if c not in optional]
    expected = ", ".join(required) + (
        f" (and, if given, {', '.join(optional)})" if optional else ""
    )
    return [
        ValidationError(file_name, 1, c, f"missing column {c}; expected columns {expected}{found}")
        for c in required
        if c not in present
    ]


def _errors_where(
    file_name: str, frame: pl.DataFrame, condition: pl.Expr, column: str, message: pl.Expr
) -> list[ValidationError]:
    bad = frame.filter(condition).select("LINE", message.alias("_msg"))
    return [
        ValidationError(file_name, int(line), column, str(msg)) for line, msg in bad.iter_rows()
    ]


def _value(column: str) -> pl.Expr:
    return pl.lit("'") + pl.col(column).fill_null("") + pl.lit("'")


def _check_required(
    file_name: str, frame: pl.DataFrame, columns: Sequence[str]
) -> list[ValidationError]:
    errors: list[ValidationError] = []
    for c in columns:
        errors += _errors_where(
            file_name, frame, pl.col(c).is_null(), c, pl.lit(f"{c} is blank; a value is required")
        )
    return errors


def _check_codes(
    file_name: str, frame: pl.DataFrame, columns: Sequence[str], collection_year: int
) -> list[ValidationError]:
    lists = code_lists(collection_year)
    errors: list[ValidationError] = []
    for c in columns:
        valid = sorted(lists[c])
        # every code (the longest list, PLACE, has about 30): a list cut short hid valid ones;
        # and the codes of this column that only a later year accepts
        later = "".join(
            f"; {', '.join(sorted(change.added))} only from "
            f"{change.year - 1}-{change.year % 100:02d}"
            for change in CODE_CHANGES
            if change.column == c and change.year > collection_year and change.added
        )
        errors += _errors_where(
            file_name,
            frame,
            pl.col(c).is_not_null() & ~pl.col(c).is_in(valid),
            c,
            pl.lit("unknown code ")
            + _value(c)
            + pl.lit(
                f" for {_year_name(collection_year)}; expected one of {', '.join(valid)}{later}"
            ),
        )
    return errors


#: A date as DATE_FORMAT writes it, the year in four digits: strptime alone reads "01/06/18"
#: (a spreadsheet's short date) as the year 18.
DATE_TEXT = r"^\d{1,2}/\d{1,2}/\d{4}$"


def _as_dates(columns: Sequence[str], prefix: str = "") -> list[pl.Expr]:
    """``columns`` read as dates (null where blank or malformed), named ``prefix`` + column."""
    return [
        pl.when(pl.col(c).str.contains(DATE_TEXT))
        .then(pl.col(c).str.strptime(pl.Date, DATE_FORMAT, strict=False))
        .alias(prefix + c)
        for c in columns
    ]


def _dates(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``frame`` with ``columns`` read as dates, put last (as ``_parse_dates`` leaves them)."""
    return frame.select(pl.exclude(columns), *_as_dates(columns))


#: A date as a database or a spreadsheet set to ISO writes it: YYYY-MM-DD.
ISO_DATE = r"^(\d{4})-(\d{1,2})-(\d{1,2})$"


#: A date at midnight, as tools that turn a workbook's date cells into text write them:
#: YYYY-MM-DD 00:00:00 or dd/mm/YYYY 00:00 (the time of day is not part of the return).
MIDNIGHT = r"^(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4}))[ T]00:00(?::00)?$"

#: A date as a spreadsheet keeps it when its column is not formatted as a date: the days
#: since 30/12/1899 (45292 is 01/01/2024), five digits for any date from 1927 to 2173.
EXCEL_SERIAL = r"^\d{5}$"
EXCEL_DAY_ZERO = date(1899, 12, 30)


def _as_written(column: str) -> pl.Expr:
    """For a malformed date written YYYY-MM-DD, how DATE_FORMAT writes it (the day and the
    month are not swapped silently: it is still refused); for a date with a time of
    midnight, what to do and the date without it; for a bare five-digit number, that
    it looks like a spreadsheet's date serial number, and the date it would be (still
    refused: the column is to be formatted); else nothing."""
    cell = pl.col(column)
    serial = pl.lit(EXCEL_DAY_ZERO) + pl.duration(days=cell.cast(pl.Int64, strict=False))
    return (
        pl.when(cell.str.contains(ISO_DATE))
        .then(pl.lit(" (") + cell.str.replace(ISO_DATE, "$3/$2/$1") + pl.lit(" for this one)"))
        .when(cell.str.contains(MIDNIGHT))
        .then(
            pl.lit(" (a date with a time of day, as some tools write a workbook's dates; ")
            + pl.lit("format the column as DD/MM/YYYY and save again: ")
            + cell.str.replace(MIDNIGHT, "$3$4/$2$5/$1$6")
            + pl.lit(" for this one)")
        )
        .when(cell.str.contains(EXCEL_SERIAL))
        .then(
            pl.lit(
                " (looks like an Excel date serial number; format the column as DD/MM/YYYY "
                "and save again: "
            )
            + cell
            + pl.lit(" would be ")
            + serial.dt.strftime(DATE_FORMAT)
            + pl.lit(")")
        )
        .otherwise(pl.lit(""))
    )


def _parse_dates(
    file_name: str, frame: pl.DataFrame, columns: Sequence[str]
) -> tuple[pl.DataFrame, list[ValidationError]]:
    errors: list[ValidationError] = []
    parsed = frame.with_columns(_as_dates(columns, "_"))
    for c in columns:
        errors += _errors_where(
            file_name,
            parsed,
            pl.col(c).is_not_null() & pl.col(f"_{c}").is_null(),
            c,
            pl.lit("malformed date ")
            + _value(c)
            + pl.lit("; expected dd/mm/YYYY")
            + _as_written(c),
        )
    parsed = parsed.drop(columns).rename({f"_{c}": c for c in columns})
    return parsed, errors


def _headings_twice(
    file_name: str, text: str | bytes, columns: Sequence[str], separator: str = ","
) -> list[ValidationError]:
    """An error for each of ``columns`` headed more than once (in any case, padded or not):
    which of them holds the values meant cannot be told, and one was read, the other left
    out without a word."""
    row = next(csv.reader([_first_line(text)], delimiter=separator), [])
    at: dict[str, list[int]] = {}
    for i, name in enumerate(row, start=1):
        at.setdefault(heading(name), []).append(i)
    return [
        ValidationError(
            file_name,
            1,
            c,
            f"column {c} is headed more than once (columns "
            f"{', '.join(map(str, at[c][:-1]))} and {at[c][-1]}); expected it once",
        )
        for c in columns
        if len(at.get(c, ())) > 1
    ]


def _parse_frame(
    file_name: str, text: str | bytes, columns: Sequence[str], optional: Sequence[str]
) -> tuple[pl.DataFrame | None, list[ValidationError], tuple[str, ...]]:
    """The file's rows (its columns separated as its heading row shows, ``separator_of``),
    the problems that stop it being read, and a note of a separator other than a comma."""
    separator = separator_of(text)
    notes = _separated_note(file_name, separator)
    twice = _headings_twice(file_name, text, columns, separator)
    if twice:
        return None, twice, notes
    try:
        frame = _read(text, separator)
    except pl.exceptions.PolarsError as exc:  # unreadable CSV
        error = ValidationError(file_name, 1, "", f"not a readable CSV file: {exc}")
        return None, [error], notes
    missing = _missing_columns(file_name, frame, columns, optional)
    if missing:
        return None, missing, notes
    absent = [c for c in optional if c not in frame.columns]  # read as blank
    return (
        frame.select(
            "LINE",
            *(pl.lit(None, pl.String).alias(c) if c in absent else pl.col(c) for c in columns),
        ),
        [],
        notes,
    )


#: A letter in lower case: DfE's codes are written in upper case ("u1" is U1).
LOWER_CASE = "[a-z]"


def _upper_codes(
    file_name: str, frame: pl.DataFrame, columns: Sequence[str]
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """``frame`` with the codes of ``columns`` written in lower case read in upper case, as
    DfE writes them (a column with none is left as read), and a note of how many were."""
    lower = pl.col(columns).str.contains(LOWER_CASE).fill_null(False)
    counts = frame.select(lower.sum()).row(0) if frame.height else (0,) * len(columns)
    changed = [c for c, n in zip(columns, counts, strict=True) if n]
    if not changed:
        return frame, ()
    first = frame.filter(pl.col(changed[0]).str.contains(LOWER_CASE)).get_column(changed[0])[0]
    n = sum(counts)
    note = (
        f"{file_name}: {n} code{'s' if n != 1 else ''} in lower case (in "
        f"{', '.join(changed)}; e.g. '{first}' in {changed[0]}) read in upper case, as DfE "
        "writes them"
    )
    return frame.with_columns(pl.col(changed).str.to_uppercase()), (note,)


def _empty(columns: Sequence[str]) -> pl.DataFrame:
    return pl.DataFrame(schema={"LINE": pl.UInt32, **{c: pl.String for c in columns}})


# --- header -----------------------------------------------------------------------------------


def parse_header(
    file_name: str,
    text: str | bytes,
    collection_year: int,
    *,
    check: bool = True,
    today: date | None = None,
    sheet: str = "",
) -> ParsedFile:
    """Parse and check a header file (one row per child). ``check=False`` is for a file
    checked already (a stored return, imported all or nothing): the same typed rows, without
    looking for problems again. ``today``, when given, is the day the file is read: a date
    after it is refused (see ``date_span``). ``sheet``: the sheet of the workbook
    ``file_name`` the text was read from (``stars.domain.sufficiency.workbooks``), which
    each problem then names with its row."""
    frame, errors, notes = _parse_frame(file_name, text, HEADER_COLUMNS, HEADER_OPTIONAL)
    if frame is None:
        return ParsedFile(
            file_name,
            collection_year,
            "header",
            _empty(HEADER_COLUMNS),
            in_sheet(errors, sheet),
            notes,
            sheet,
        )
    frame, lowered = _upper_codes(file_name, frame, HEADER_CODED)
    notes += lowered
    if check:
        errors += _check_required(file_name, frame, HEADER_REQUIRED)
        errors += _check_codes(file_name, frame, HEADER_CODED, collection_year)
        errors += _errors_where(
            file_name,
            frame,
            pl.col("MOTHER").is_not_null() & ~pl.col("MOTHER").is_in(["0", "1"]),
            "MOTHER",
            pl.lit("unknown code ") + _value("MOTHER") + pl.lit("; expected 0 or 1"),
        )
        frame, date_errors = _parse_dates(file_name, frame, ("DOB", "MC_DOB"))
        errors += date_errors
        errors += _span_errors(file_name, frame, ("DOB", "MC_DOB"), collection_year, today)
        errors += _errors_where(
            file_name,
            frame,
            pl.col("CHILD").is_not_null() & pl.col("CHILD").is_duplicated(),
            "CHILD",
            pl.lit("child ") + _value("CHILD") + pl.lit(" appears more than once in the header"),
        )
    else:
        frame = _dates(frame, ("DOB", "MC_DOB"))
    frame = frame.with_columns(pl.lit(collection_year).alias("YEAR"))
    return ParsedFile(
        file_name, collection_year, "header", frame, in_sheet(sorted(errors), sheet), notes, sheet
    )


# --- episodes ---------------------------------------------------------------------------------


def _fmt(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime(DATE_FORMAT).fill_null("open")


def _span_errors(
    file_name: str,
    frame: pl.DataFrame,
    columns: Sequence[str],
    collection_year: int,
    today: date | None,
) -> list[ValidationError]:
    """An error for every date of ``columns`` outside the return's ``date_span`` on ``today``
    (a date after the year's end named as such, one within the year but after ``today`` as
    in the future)."""
    first, last = date_span(collection_year)
    _, known = date_span(collection_year, today)
    errors: list[ValidationError] = []
    for c in columns:
        errors += _errors_where(
            file_name,
            frame,
            pl.col(c) < first,
            c,
            pl.lit(f"{c} ")
            + _fmt(c)
            + pl.lit(
                f" is before {first:%d/%m/%Y}; expected a date from {first:%d/%m/%Y} to "
                f"{last:%d/%m/%Y} in the {_year_name(collection_year)} "
                "return (a child looked after in the year is under 18 at its start)"
            ),
        )
        errors += _errors_where(
            file_name,
            frame,
            pl.col(c) > last,
            c,
            pl.lit(f"{c} ") + _fmt(c) + pl.lit(f" is after the end of the year ({last:%d/%m/%Y})"),
        )
        if known < last:
            errors += _errors_where(
                file_name,
                frame,
                (pl.col(c) > known) & (pl.col(c) <= last),
                c,
                pl.lit(f"{c} ")
                + _fmt(c)
                + pl.lit(
                    f" is in the future (after {known:%d/%m/%Y}, the day of import); expected "
                    f"a date on or before it ({FUTURE_REASON[c]})"
                ),
            )
    return errors


def _episode_order_errors(
    file_name: str, frame: pl.DataFrame, collection_year: int, today: date | None
) -> list[ValidationError]:
    """The episodes' dates against the return's span, each other and REC (``frame`` has
    ``_DEC_WRITTEN``: whether DEC was written, read as a date or not)."""
    errors = _span_errors(file_name, frame, ("DECOM", "DEC"), collection_year, today)
    errors += _errors_where(
        file_name,
        frame,
        pl.col("DEC") < pl.col("DECOM"),
        "DEC",
        pl.lit("DEC ") + _fmt("DEC") + pl.lit(" is before DECOM ") + _fmt("DECOM"),
    )
    errors += _errors_where(
        file_name,
        frame,
        pl.col("DEC").is_not_null() & pl.col("REC").is_null(),
        "REC",
        pl.lit("REC is blank but the episode has ceased (DEC ") + _fmt("DEC") + pl.lit(")"),
    )
    errors += _errors_where(
        file_name,
        frame,
        ~pl.col("_DEC_WRITTEN") & pl.col("REC").is_not_null(),
        "REC",
        pl.lit("REC ") + _value("REC") + pl.lit(" given for an open episode (DEC is blank)"),
    )
    ordered = (
        frame.select("LINE", "CHILD", "DECOM", "DEC")  # a sorted copy of these columns only
        .filter(pl.col("CHILD").is_not_null() & pl.col("DECOM").is_not_null())
        .sort("CHILD", "DECOM", "LINE")
        .with_columns((pl.col("CHILD").shift(1) == pl.col("CHILD")).fill_null(False).alias("_same"))
        .with_columns(
            pl.when(pl.col("_same")).then(pl.col("LINE").shift(1)).alias("_prev_line"),
            pl.when(pl.col("_same")).then(pl.col("DECOM").shift(1)).alias("_prev_decom"),
            pl.when(pl.col("_same")).then(pl.col("DEC").shift(1)).alias("_prev_dec"),
        )
    )
    has_prev = pl.col("_prev_line").is_not_null()
    overlap = has_prev & (pl.col("_prev_dec").is_null() | (pl.col("DECOM") < pl.col("_prev_dec")))
    prev_text = (
        pl.lit("the episode on line ")
        + pl.col("_prev_line").cast(pl.String)
        + pl.lit(" (DECOM ")
        + pl.col("_prev_decom").dt.strftime(DATE_FORMAT)
        + pl.lit(", DEC ")
        + pl.col("_prev_dec").dt.strftime(DATE_FORMAT).fill_null("open")
        + pl.lit(")")
    )
    errors += _errors_where(
        file_name,
        ordered,
        has_prev & (pl.col("DECOM") == pl.col("_prev_decom")),
        "DECOM",
        pl.lit("second episode of child ")
        + _value("CHILD")
        + pl.lit(" starting on ")
        + _fmt("DECOM")
        + pl.lit("; same DECOM as ")
        + prev_text,
    )
    errors += _errors_where(
        file_name,
        ordered,
        overlap & (pl.col("DECOM") != pl.col("_prev_decom")),
        "DECOM",
        pl.lit("episode of child ")
        + _value("CHILD")
        + pl.lit(" starting ")
        + _fmt("DECOM")
        + pl.lit(" overlaps ")
        + prev_text
        + pl.lit("; expected DECOM on or after the previous DEC"),
    )
    return errors


def parse_episodes(
    file_name: str,
    text: str | bytes,
    collection_year: int,
    *,
    check: bool = True,
    today: date | None = None,
    sheet: str = "",
) -> ParsedFile:
    """Parse and check an episodes file; adds ``GROUP`` (placement group) and ``YEAR``.
    ``check=False``, ``today`` and ``sheet`` as for ``parse_header``."""
    frame, errors, notes = _parse_frame(file_name, text, EPISODE_COLUMNS, EPISODE_OPTIONAL)
    if frame is None:
        empty = with_placement_group(
            _empty(EPISODE_COLUMNS).with_columns(
                pl.col("DECOM", "DEC").cast(pl.Date), pl.lit(collection_year).alias("YEAR")
            )
        )
        return ParsedFile(
            file_name, collection_year, "episodes", empty, in_sheet(errors, sheet), notes, sheet
        )
    frame, lowered = _upper_codes(file_name, frame, EPISODE_CODED)
    notes += lowered
    if check:
        errors += _check_required(file_name, frame, EPISODE_REQUIRED)
        errors += _check_codes(file_name, frame, EPISODE_CODED, collection_year)
        # whether DEC was written: a malformed one is null once read, but not an open episode
        written = frame.get_column("DEC").is_not_null().alias("_DEC_WRITTEN")
        frame, date_errors = _parse_dates(file_name, frame, ("DECOM", "DEC"))
        errors += date_errors
        errors += _episode_order_errors(
            file_name, frame.with_columns(written), collection_year, today
        )
    else:
        frame = _dates(frame, ("DECOM", "DEC"))
    frame = with_placement_group(frame.with_columns(pl.lit(collection_year).alias("YEAR")))
    errors = sorted(errors)
    return ParsedFile(
        file_name, collection_year, "episodes", frame, in_sheet(errors, sheet), notes, sheet
    )


# --- stored rows ------------------------------------------------------------------------------


def stored_rows(parsed: ParsedFile) -> bytes:
    """A checked file's typed rows as kept beside its text (Parquet: every column, each
    compressed, readable a column at a time), so a reader gets them back without parsing
    the text again (``read_stored``)."""
    out = io.BytesIO()
    parsed.frame.write_parquet(out, compression="zstd", statistics=False)
    return out.getvalue()


def read_stored(
    file_name: str,
    collection_year: int,
    kind: Kind,
    data: bytes,
    columns: Sequence[str] | None = None,
) -> ParsedFile:
    """The rows ``stored_rows`` kept of a file, exactly as parsed: every column, or only
    ``columns`` (the others are not read)."""
    frame = pl.read_parquet(io.BytesIO(data), columns=None if columns is None else list(columns))
    return ParsedFile(file_name, collection_year, kind, frame, ())


def check_children_in_header(episodes: ParsedFile, header: ParsedFile) -> list[ValidationError]:
    """An error for every episode whose CHILD has no row in the same year's header.

    The header lists every child looked after during the year, so an episode of a child it
    does not list is a mistake in one file or the other. Nothing is said when the header
    itself could not be read (its own errors name the problem).
    """
    if any(e.line == 1 for e in header.errors):
        return []
    # a set of the header's children looked up (a join's tables of both took twice the memory)
    listed = header.frame.get_column("CHILD").drop_nulls()
    strays = (
        episodes.frame.select("LINE", "CHILD")  # only what is looked at: never every column
        .filter(pl.col("CHILD").is_not_null() & ~pl.col("CHILD").is_in(listed.implode()))
        .sort("LINE")
    )
    return [
        ValidationError(
            episodes.file_name,
            int(line),
            "CHILD",
            f"child {child!r} is not in {header.source}; expected every child with an "
            "episode in the year to have a row in that year's header",
            episodes.sheet,
        )
        for line, child in strays.select("LINE", "CHILD").iter_rows()
    ]


def check_born_before_episodes(episodes: ParsedFile, header: ParsedFile) -> list[ValidationError]:
    """An error for every episode starting before its child's date of birth in the same
    year's header (DECOM < DOB: one date or the other is wrong). Children the header does
    not list, or lists more than once, are named by their own checks; nothing is said when
    the header could not be read."""
    if any(e.line == 1 for e in header.errors):
        return []
    born = (
        header.frame.select("CHILD", "DOB")
        .filter(pl.col("CHILD").is_not_null() & pl.col("DOB").is_not_null())
        .unique("CHILD", keep="first")
    )
    early = (
        episodes.frame.select("LINE", "CHILD", "DECOM")  # only what is compared
        .join(born, on="CHILD", how="inner")
        .filter(pl.col("DECOM") < pl.col("DOB"))
        .sort("LINE")
    )
    return [
        ValidationError(
            episodes.file_name,
            int(line),
            "DECOM",
            f"DECOM {decom:%d/%m/%Y} is before the date of birth of child {child!r} "
            f"({dob:%d/%m/%Y} in {header.source}); expected an episode to start on or "
            "after it",
            episodes.sheet,
        )
        for line, child, decom, dob in early.select("LINE", "CHILD", "DECOM", "DOB").iter_rows()
    ]


def parse_return_file(file_name: str, text: str, collection_year: int) -> ParsedFile:
    """Parse a file whose kind is told by its headings (episodes if it has DECOM)."""
    first = text.lstrip().split("\n", 1)[0].upper()
    if "DECOM" in {h.strip() for h in first.split(separator_of(first))}:
        return parse_episodes(file_name, text, collection_year)
    return parse_header(file_name, text, collection_year)


def with_placement_group(episodes: pl.DataFrame, column: str = "GROUP") -> pl.DataFrame:
    """Add the placement group of each episode (see ``stars.domain.sufficiency.codes``)."""
    mapping: dict[str, str] = {}
    for place, group in PLACE_GROUP_FIXED.items():
        for kind in ("IN", "EX", "NR"):
            mapping[f"{place}|{kind}"] = group
    for place, (inhouse, external, not_recorded) in PLACE_GROUP_BY_PROVIDER.items():
        mapping[f"{place}|IN"] = inhouse
        mapping[f"{place}|EX"] = external
        mapping[f"{place}|NR"] = not_recorded
    # a blank cell is null once read (``_read`` strips cells and blanks empty ones)
    provider = pl.col("PLACE_PROVIDER")
    blank = provider.is_null() | (provider == "")
    key = pl.col("PLACE").fill_null("") + pl.when(blank).then(pl.lit("|NR")).when(
        provider.is_in(sorted(INHOUSE_PROVIDERS))
    ).then(pl.lit("|IN")).otherwise(pl.lit("|EX"))
    return episodes.with_columns(
        key.replace_strict(mapping, default=OTHER, return_dtype=pl.String).alias(column)
    )


def groups_shown(episodes: pl.DataFrame) -> tuple[str, ...]:
    """The placement groups the pages show and the forecast models: every group, in order,
    but the "provider not recorded" ones only where some episode of ``episodes`` is in one
    (a return that records every provider is shown and forecast as before: a group no
    episode is in would add a row of zeros and, in the forecast, zero errors to those the
    bands are sized on)."""
    present = set(episodes.get_column("GROUP").cast(pl.String).unique().to_list())
    return tuple(g for g in PLACEMENT_GROUPS if g not in PROVIDER_NOT_RECORDED or g in present)


# --- merging years ----------------------------------------------------------------------------


#: Rows the merge sorts at a time: the sort of a million rows and more takes about 40 bytes a
#: row beside them, so the rows are sorted in ranges of the first key (see ``_latest_rows``).
SORTED_AT_ONCE = 250_000


def _merge_latest(
    files: Iterable[ParsedFile], keys: Sequence[str]
) -> tuple[pl.DataFrame | None, int]:
    """Rows of every file, the latest return's row of each ``keys``, sorted by them; and the
    number of rows read.

    As each file comes, the previous file's rows that it repeats (the same ``keys``, a later
    year) are let go: the row kept of each is never one of them, and the count of rows read
    is taken before. The rows left (at national size, about 57% of those read) are sorted
    (by the keys, then YEAR): the latest return's row is the last of its run (a row repeated
    other than by the very next file is resolved there), and only those rows are gathered,
    a column at a time. Files that do not come in order of year are merged the same way,
    without letting any rows go early.
    """
    held: list[pl.DataFrame] = []  # rows no later file has been looked at against
    previous: pl.DataFrame | None = None  # the last file's rows
    rows = 0
    for f in files:
        if not f.frame.height:
            continue
        blank = pl.any_horizontal(pl.col(k).is_null() for k in keys)
        frame = f.frame.filter(~blank) if f.frame.select(blank.any()).item() else f.frame
        del f  # the file's rows are let go with the rows left of them
        rows += frame.height
        if previous is not None:
            if _later(frame, previous, keys):
                previous = previous.join(_could_repeat(frame, previous, keys), on=keys, how="anti")
            held.append(previous)
        previous = frame
        del frame
    if previous is None:
        return None, 0
    held.append(previous)
    del previous
    both = pl.concat(held, how="diagonal_relaxed")
    del held
    kept = _latest_rows(both, keys)
    columns = both.columns
    gathered = []
    for c in columns:  # each column let go once gathered: never two copies of every row
        gathered.append(both.get_column(c).gather(kept))
        both = both.drop(c)
    return pl.DataFrame(gathered), rows


def _latest_rows(both: pl.DataFrame, keys: Sequence[str]) -> pl.Series:
    """The places of the latest row (by YEAR) of each ``keys`` in ``both``, in order of the
    keys. Sorted a range of the first key at a time, in ranges of about ``SORTED_AT_ONCE``
    rows cut at values of a sample of it (any cut gives the same: a key's rows are all in
    one range, and the ranges come in order); at once if its values cannot be cut so."""
    first = both.get_column(keys[0])
    parts = -(-both.height // SORTED_AT_ONCE)
    bounds: list[Any] = []  # values of the first key (strings, dates or numbers)
    if parts > 1 and (first.dtype in (pl.String, pl.Date) or first.dtype.is_integer()):
        sample = first.gather_every(max(1, both.height // (parts * 100))).sort()
        at = [sample.len() * i // parts for i in range(1, parts)]
        bounds = sample.gather(at).unique(maintain_order=True).to_list()
    kept: list[pl.Series] = []
    for low, high in zip([None, *bounds], [*bounds, None], strict=True):
        in_range = pl.lit(True)
        if low is not None:
            in_range &= pl.col(keys[0]) >= low
        if high is not None:
            in_range &= pl.col(keys[0]) < high
        here = both.select(
            pl.int_range(pl.len(), dtype=pl.get_index_type()).filter(in_range)
        ).to_series()
        part = both.select(*keys, "YEAR")[here]
        order = part.select(pl.arg_sort_by(*keys, "YEAR")).to_series()
        ordered_keys = part.select(keys)[order]
        del part
        last = pl.lit(False)
        for k in keys:
            last = last | (pl.col(k) != pl.col(k).shift(-1))
        latest = order.filter(ordered_keys.select(last.fill_null(True)).to_series())
        kept.append(here.gather(latest))
    return pl.concat(kept)


def _could_repeat(frame: pl.DataFrame, previous: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """The keys of ``frame`` that could be those of a row of ``previous``: for episodes, those
    starting no later than the latest start in ``previous`` (no other can match one of its
    rows). A return's episodes that started in its own year are most of it: the join's
    table is kept to the others."""
    if "DECOM" not in keys:
        return frame.select(keys)
    latest = previous.get_column("DECOM").max()
    return frame.select(keys).filter(pl.col("DECOM") <= latest)


def _later(frame: pl.DataFrame, previous: pl.DataFrame, keys: Sequence[str]) -> bool:
    """Whether every row of ``frame`` is of a later year than every row of ``previous``, with
    the keys of the same types (so a row of ``previous`` it repeats is never the one kept)."""
    if not frame.height or not previous.height:
        return False
    if any(frame.schema[k] != previous.schema[k] for k in keys):
        return False
    return bool(frame["YEAR"].min() > previous["YEAR"].max())  # type: ignore[operator]


def _ended_in_gap(episodes: pl.DataFrame, stale: pl.Expr, next_year: dict[int, int]) -> pl.Expr:
    """Which ``stale`` episodes (open at the end of their return, not in the next return
    loaded) ended in the years between, with no return: those whose next return is not the
    very next year, unless a later return holds another episode of the child started by the
    end of theirs (the later return then restates the child's care on that day: a correction,
    dropped as in consecutive years)."""
    gap = {y for y, n in next_year.items() if n > y + 1}
    candidates = episodes.filter(stale & pl.col("YEAR").is_in(sorted(gap))).select(
        "CHILD", "DECOM", "YEAR"
    )
    superseded = (
        candidates.join(
            episodes.select("CHILD", pl.col("DECOM").alias("_LATER"), pl.col("YEAR").alias("_LY")),
            on="CHILD",
        )
        .filter(
            (pl.col("_LY") > pl.col("YEAR")) & (pl.col("_LATER") <= pl.date(pl.col("YEAR"), 3, 31))
        )
        .select("CHILD", "DECOM")
        .unique()
    )
    ended = candidates.select("CHILD", "DECOM").join(superseded, on=["CHILD", "DECOM"], how="anti")
    key = pl.concat_str(pl.col("CHILD"), pl.col("DECOM").cast(pl.String), separator="|")
    keys = ended.select(key).to_series()
    return stale & pl.col("YEAR").is_in(sorted(gap)) & key.is_in(keys.implode())


def merge_returns(
    episode_files: Iterable[ParsedFile], header_files: Iterable[ParsedFile]
) -> MergedReturns:
    """Combine several years' returns into one history of episodes and one header per child.

    The same episode (CHILD + DECOM) in several returns is taken from the latest. An episode
    from an earlier return that was still open during a later loaded return's year but is
    not restated there (e.g. its DECOM was corrected) is dropped: the later return is
    authoritative for its period. Where no return is loaded for the year after an episode's
    return, an episode open at its end and not in the next return loaded ended in the years
    between (``_ended_in_gap``): it is kept, ending on the last 31 March before that return,
    so the years before the gap keep their children. Headers: the latest return's row for
    each child. The files may come from a generator that reads them: only the rows each
    yields are kept.
    """
    notes: list[str] = []
    merged, read = _merge_latest(episode_files, ("CHILD", "DECOM"))
    episodes = (
        merged
        if merged is not None
        else parse_episodes("", ",".join(EPISODE_COLUMNS) + "\n", 2000).frame
    )
    repeated = read - episodes.height
    if repeated:
        notes.append(
            f"{repeated:,} episode row{'s' if repeated != 1 else ''} repeated in a later "
            "return; the later kept"
        )
    years = sorted({int(y) for y in episodes.get_column("YEAR").unique().to_list()})
    if len(years) > 1:
        next_year = {y: n for y, n in zip(years, years[1:], strict=False)}
        next_start = pl.col("YEAR").replace_strict(
            {y: year_start(n) for y, n in next_year.items()}, default=None, return_dtype=pl.Date
        )
        stale = next_start.is_not_null() & (pl.col("DEC").is_null() | (pl.col("DEC") >= next_start))
        missing = [m for y, n in next_year.items() for m in range(y + 1, n)]
        if missing:
            notes.append(
                "no return loaded for "
                + ", ".join(f"{m - 1}-{m % 100:02d}" for m in missing)
                + ": no figures for it, and episodes that began and ended in it are not known"
            )
            ended_in_gap = episodes.select(_ended_in_gap(episodes, stale, next_year)).to_series()
            ended = int(ended_in_gap.sum())
            if ended:
                notes.append(
                    f"{ended:,} episode{'s' if ended != 1 else ''} open at the end of a return, "
                    "with no return for the "
                    "year after, and not in the next return loaded ended before it (on a day "
                    "not known: taken as the last 31 March before it)"
                )
                episodes = episodes.with_columns(
                    pl.when(ended_in_gap)
                    .then(pl.date(pl.col("YEAR").replace_strict(next_year) - 1, 3, 31))
                    .otherwise(pl.col("DEC"))
                    .alias("DEC")
                )
                stale = stale & ~pl.lit(ended_in_gap)
        dropped = episodes.filter(stale).height
        if dropped:
            notes.append(
                f"{dropped:,} episode{'s' if dropped != 1 else ''} open into a later return's year "
                f"but not restated there {'was' if dropped == 1 else 'were'} dropped"
            )
        episodes = episodes.filter(~stale)
    if "GROUP" in episodes.columns:
        unknown = episodes.select(
            pl.col("GROUP").cast(pl.String).is_in(sorted(PROVIDER_NOT_RECORDED)).sum()
        ).item()
        if unknown:
            notes.append(
                f"{unknown} foster or residential episode{'s' if unknown != 1 else ''} with "
                "no PLACE_PROVIDER: counted as provider not recorded (neither in-house nor "
                "external)"
            )
    headers, _ = _merge_latest(header_files, ("CHILD",))
    if headers is None:
        headers = parse_header("", ",".join(HEADER_COLUMNS) + "\n", 2000).frame
    return MergedReturns(episodes, headers, tuple(notes))  # still sorted by CHILD, DECOM
