"""The tracker interchange format (docs/tracker-format.md): parse and check the three CSVs.

``parse_tracker`` takes the files' names and text and returns the checked rows (frozen
dataclasses, also as Polars frames) with every problem found, each written
``FILE:LINE: column COLUMN: what is wrong and what is expected``. Lines are physical lines
of the file, the header being line 1, so a quoted field holding a line break moves the
following records down as a spreadsheet would show them. Eligibility breaches are
warnings; everything else listed is an error, and the caller imports all or nothing.
Nothing here reads files or touches a database. ``write_tracker`` writes the CSVs back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import NamedTuple

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.text_files import field_limit
from stars.domain.tracker.checks import Problem, Problems, Record, RowChecker
from stars.domain.tracker.fast import parse_clean
from stars.domain.tracker.rows import (
    ENQUIRIES_FILE,
    ENQUIRY_COLUMNS,
    PERIOD_COLUMNS,
    PERIODS_FILE,
    REFERRAL_COLUMNS,
    REFERRALS_FILE,
    EnquiryRow,
    PeriodRow,
    ReferralRow,
    enquiries_frame,
    periods_frame,
    referrals_frame,
)

# columns whose values may be blank may also be absent from the header
OPTIONAL_COLUMNS = {
    ENQUIRIES_FILE: frozenset({"decision_date"}),
    REFERRALS_FILE: frozenset({"enquiry_id", "end_date", "closure_reason"}),
    PERIODS_FILE: frozenset({"end_date"}),
}


def tracker_columns() -> tuple[tuple[str, tuple[tuple[str, bool], ...]], ...]:
    """Each CSV file of the tracker with its columns in order, each with whether it may be
    left out: what an upload's files must hold, for people who cannot read the format's
    documentation."""
    return tuple(
        (name, tuple((c, c in OPTIONAL_COLUMNS[name]) for c in columns))
        for name, columns in (
            (ENQUIRIES_FILE, ENQUIRY_COLUMNS),
            (REFERRALS_FILE, REFERRAL_COLUMNS),
            (PERIODS_FILE, PERIOD_COLUMNS),
        )
    )


class TrackerFile(NamedTuple):
    """One CSV file of the tracker: its name (used in messages) and its text."""

    name: str
    text: str


AllRows = tuple[tuple[EnquiryRow, ...], tuple[ReferralRow, ...], tuple[PeriodRow, ...]]


class ParsedTracker:
    """The rows that passed their checks and every problem found (errors capped).

    Built either from checked rows (the row-by-row checker) or from checked frames (the
    column-wise fast path); each form is derived from the other when first asked for.
    """

    def __init__(
        self,
        enquiry_rows: tuple[EnquiryRow, ...] = (),
        referral_rows: tuple[ReferralRow, ...] = (),
        period_rows: tuple[PeriodRow, ...] = (),
        errors: tuple[Problem, ...] = (),
        warnings: tuple[Problem, ...] = (),
        more_errors: int = 0,  # errors found beyond MAX_PROBLEMS, not listed
        more_warnings: int = 0,
        *,
        frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = None,
    ) -> None:
        self._rows: AllRows | None
        self.errors, self.warnings = errors, warnings
        self.more_errors, self.more_warnings = more_errors, more_warnings
        if frames is None:
            self._rows = (enquiry_rows, referral_rows, period_rows)
            frames = (
                enquiries_frame(enquiry_rows),
                referrals_frame(referral_rows),
                periods_frame(period_rows),
            )
        else:
            self._rows = None
        self.enquiries, self.referrals, self.periods = frames

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.enquiries.height + self.referrals.height + self.periods.height

    def _all_rows(self) -> AllRows:
        if self._rows is None:
            self._rows = (
                tuple(EnquiryRow(*t) for t in self.enquiries.iter_rows()),
                tuple(ReferralRow(*t) for t in self.referrals.iter_rows()),
                tuple(PeriodRow(*t) for t in self.periods.iter_rows()),
            )
        return self._rows

    @property
    def enquiry_rows(self) -> tuple[EnquiryRow, ...]:
        return self._all_rows()[0]

    @property
    def referral_rows(self) -> tuple[ReferralRow, ...]:
        return self._all_rows()[1]

    @property
    def period_rows(self) -> tuple[PeriodRow, ...]:
        return self._all_rows()[2]

    def messages(self) -> list[str]:
        """Errors then warnings as text, with a closing line for any left unlisted."""
        out = [str(p) for p in self.errors]
        if self.more_errors:
            out.append(f"… and {self.more_errors} more errors")
        out += [f"{p} (warning)" for p in self.warnings]
        if self.more_warnings:
            out.append(f"… and {self.more_warnings} more warnings")
        return out


LINE_BREAK = re.compile("\r\n|\r|\n")  # physical lines as the csv module counts them
NUL = "\x00"
NUL_PROBLEM = "contains a NUL byte; expected text without NUL bytes"


def _line_start(text: str, line: int) -> int:
    """Offset in ``text`` of the first character of physical line ``line`` (1-based)."""
    if line <= 1:
        return 0
    for n, m in enumerate(LINE_BREAK.finditer(text), start=2):
        if n == line:
            return m.end()
    return len(text)


def _open_quote(text: str, line: int, names: list[str]) -> tuple[int, str]:
    """Where the quote left open in the record starting at ``line`` opened: line, column.

    Read leniently, the record's last field is the one whose quote never closed (it runs to
    the end of the file); the line is the record's first plus the line breaks before it.
    """
    tail = text[_line_start(text, line) :]
    row = next(csv.reader(io.StringIO(tail, newline="")), [""])
    at = len(row) - 1
    before = sum(len(LINE_BREAK.findall(v)) for v in row[:-1])
    column = names[at] if at < len(names) and names[at] else f"{at + 1}"
    return line + before, column


def _unreadable(
    f: TrackerFile, text: str, exc: csv.Error, line: int, reached: int, names: list[str]
) -> Problem:
    """The problem that stopped the reading of a record starting at ``line``."""
    if "unexpected end of data" in str(exc):
        at, column = _open_quote(text, line, names)
        message = (
            "a quote opens here and is never closed, so the rest of the file would be read "
            'as this one field; expected a closing quote (") at the end of the field'
        )
        return Problem(f.name, at, column, message)
    if "expected after" in str(exc):
        message = (
            "text follows a closing quote; expected a comma after it (a quote inside a "
            'quoted field is written twice: "")'
        )
        return Problem(f.name, reached, "", message)
    return Problem(f.name, reached, "", f"unreadable CSV ({exc}); expected comma-separated fields")


def _records(
    f: TrackerFile,
    columns: tuple[str, ...],
    optional: frozenset[str],
    out: Problems,
    dates: dict[str, dt.date],
    cut_short: set[str],
) -> Iterator[Record]:
    """Each non-blank record of a file with its physical line; header problems reported.

    A file whose records are not all read (empty, a header the records cannot be read by,
    reading stopped at a broken quote) is named in ``cut_short``, so no record of another
    file is blamed for referring to one of its records.
    """
    text = f.text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = ", ".join(columns)
    try:
        header = next(reader)
    except StopIteration:
        cut_short.add(f.name)
        out.error(f.name, 1, "", f"the file is empty; expected a header row: {expected}")
        return
    except csv.Error as exc:
        cut_short.add(f.name)
        out.add(_unreadable(f, text, exc, 1, reader.line_num or 1, []))
        return
    names = [h.strip().lower() for h in header]
    seen: set[str] = set()
    twice = False
    for i, h in enumerate(names):
        if NUL in h:
            out.error(f.name, 1, f"{i + 1}", NUL_PROBLEM)
        elif h in seen:
            if h in columns:
                twice = True
                out.error(f.name, 1, h, "appears twice in the header; expected each column once")
        elif h and h not in columns:  # named as the file heads it
            given = header[i].strip()
            out.warn(f.name, 1, given, f"unknown column, ignored; expected columns {expected}")
        seen.add(h)
    missing = [c for c in columns if c not in seen and c not in optional]
    for c in missing:
        out.error(f.name, 1, c, f"missing from the header; expected columns {expected}")
    if missing or twice:
        cut_short.add(f.name)
        return
    width = len(names)
    named = max(i for i, h in enumerate(names) if h) + 1  # blank header cells at the end aside
    nul = NUL in text
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cut_short.add(f.name)
            out.add(_unreadable(f, text, exc, line, reader.line_num, names))
            return
        if not row or not any(v.strip() for v in row):
            continue
        if len(row) > width and any(v.strip() for v in row[width:]):
            out.error(f.name, line, "", f"has {len(row)} fields; expected {width} as in the header")
            continue
        if len(row) < named:  # a field left out shifts the rest into the wrong columns
            out.error(
                f.name,
                line,
                "",
                f"has {len(row)} field{'s' if len(row) != 1 else ''}; expected {named} as in "
                "the header (a blank cell is an empty field between commas)",
            )
            continue
        with_nul = [names[i] or f"{i + 1}" for i, v in enumerate(row) if NUL in v] if nul else []
        for column in with_nul:
            out.error(f.name, line, column, NUL_PROBLEM)
        values = dict(zip(names, row, strict=False))
        yield Record(f.name, line, values, out, dates, frozenset(with_nul))


def _file(f: TrackerFile | tuple[str, str], role: str) -> TrackerFile:
    name, text = f
    return TrackerFile(name or role, text)


def parse_tracker(
    contract: Contract,
    enquiries: TrackerFile | tuple[str, str],
    referrals: TrackerFile | tuple[str, str],
    periods: TrackerFile | tuple[str, str],
) -> ParsedTracker:
    """Parse and check the tracker's three files, each given as (file name, text).

    A clean tracker is checked column-wise (``stars.domain.tracker.fast``); anything else
    row by row, which words every problem.
    """
    e_file = _file(enquiries, ENQUIRIES_FILE)
    r_file = _file(referrals, REFERRALS_FILE)
    p_file = _file(periods, PERIODS_FILE)
    clean = parse_clean(contract, (e_file, r_file, p_file))
    if clean is not None:
        e, r, p, warnings, more_warnings = clean
        return ParsedTracker(
            warnings=tuple(warnings), more_warnings=more_warnings, frames=(e, r, p)
        )
    return parse_rows(contract, e_file, r_file, p_file)


def parse_rows(
    contract: Contract, e_file: TrackerFile, r_file: TrackerFile, p_file: TrackerFile
) -> ParsedTracker:
    """The row-by-row checker: every record checked in Python, every problem worded."""
    out = Problems()
    checker = RowChecker(contract, e_file.name, r_file.name)
    dates: dict[str, dt.date] = {}
    cut = checker.cut_short
    with field_limit(max(len(f.text) for f in (e_file, r_file, p_file))):
        e_rows = [
            r
            for rec in _records(
                e_file, ENQUIRY_COLUMNS, OPTIONAL_COLUMNS[ENQUIRIES_FILE], out, dates, cut
            )
            if (r := checker.enquiry(rec)) is not None
        ]
        r_rows = [
            q
            for rec in _records(
                r_file, REFERRAL_COLUMNS, OPTIONAL_COLUMNS[REFERRALS_FILE], out, dates, cut
            )
            if (q := checker.referral(rec)) is not None
        ]
        p_rows = [
            p
            for rec in _records(
                p_file, PERIOD_COLUMNS, OPTIONAL_COLUMNS[PERIODS_FILE], out, dates, cut
            )
            if (p := checker.period(rec)) is not None
        ]
    checker.overlaps(out, p_file.name)
    return ParsedTracker(
        tuple(e_rows),
        tuple(r_rows),
        tuple(p_rows),
        tuple(out.errors),
        tuple(out.warnings),
        out.more_errors,
        out.more_warnings,
    )
