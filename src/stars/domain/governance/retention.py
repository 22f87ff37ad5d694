"""The retention schedule: how long each kind of record is kept, and from when.

A schedule is configuration (``config/retention.toml``, like the contract): for each kind
of record, the *trigger* it counts from (the child's date of birth, the case's end, the
contract's end...) and the *period* (years and months). A record is due for disposal on
its trigger date plus the period; it is due on a day when that date is on or before it.
Defaults a council has not confirmed are marked ``assumption = true`` and shown so.

Every error names the file, the line and the column (``FILE:LINE: column C: ...``), as the
tracker's errors do. Nothing here reads the clock: "today" is always given.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass

from stars.domain.calendar import add_months
from stars.domain.toml_positions import decode_error_position, key_position, toml_loads

# The kinds of record the schedule covers, and the triggers each may count from.
KINDS: dict[str, str] = {
    "enquiry_not_progressed": "Enquiry not progressed",
    "referral_and_case": "Referral and case",
    "claim": "Claim",
    "access_log": "Access log entry",
    "uploads": "Uploaded file (SSDA903 return)",
    "browser_uploads": "File loaded in the browser (tracker, SSDA903 returns)",
}
TRIGGERS: dict[str, str] = {
    "decision_date": "the enquiry's decision",
    "date_of_birth": "the child's date of birth",
    "case_end": "the case's end",
    "contract_end": "the contract's end",
    "claim_month": "the end of the month claimed for",
    "logged": "the day it was logged",
    "year_end": "the end of the collection year (31 March)",
    "uploaded": "the day it was loaded",
}
ALLOWED: dict[str, tuple[str, ...]] = {
    "enquiry_not_progressed": ("decision_date", "date_of_birth", "contract_end"),
    "referral_and_case": ("case_end", "date_of_birth", "contract_end"),
    "claim": ("claim_month", "contract_end"),
    "access_log": ("logged", "contract_end"),
    "uploads": ("year_end", "uploaded", "contract_end"),
    "browser_uploads": ("uploaded", "contract_end"),
}
MAX_YEARS = 100


class RetentionError(ValueError):
    """A retention file is malformed: ``FILE:LINE: column C: message``."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        self.file, self.line, self.column, self.message = file, line, column, message
        super().__init__(f"{file}:{line}: column {column}: {message}")


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def after(self, day: dt.date) -> dt.date:
        """The day this period after ``day`` (a 29 February lands on 28 February)."""
        return add_months(day, self.total_months)

    def __str__(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        return " and ".join(parts) or "no time"


@dataclass(frozen=True)
class RetentionRule:
    kind: str
    trigger: str
    period: Period
    assumption: bool
    note: str = ""

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def trigger_label(self) -> str:
        return TRIGGERS[self.trigger]

    def due_on(self, trigger_date: dt.date) -> dt.date:
        """The day a record whose trigger fell on ``trigger_date`` is due for disposal."""
        return self.period.after(trigger_date)

    def is_due(self, trigger_date: dt.date | None, today: dt.date) -> bool:
        """Due on ``today``? A record whose trigger has not happened (a live case has no
        end) is never due."""
        return trigger_date is not None and self.due_on(trigger_date) <= today

    def latest_trigger_due(self, today: dt.date) -> dt.date:
        """The latest trigger date that is due on ``today``: a record is due exactly when
        its trigger date is on or before this (so a database can select them)."""
        day = add_months(today, -self.period.total_months)
        while self.due_on(day + dt.timedelta(days=1)) <= today:  # month-end clamping
            day += dt.timedelta(days=1)
        while self.due_on(day) > today:
            day -= dt.timedelta(days=1)
        return day


@dataclass(frozen=True)
class RetentionSchedule:
    rules: dict[str, RetentionRule]
    source: str = "retention.toml"

    def __getitem__(self, kind: str) -> RetentionRule:
        return self.rules[kind]

    @property
    def assumptions(self) -> list[RetentionRule]:
        return [r for r in self.rules.values() if r.assumption]


def contract_end(referral_period_end: dt.date, programme_weeks: int) -> dt.date:
    """The contract's end for retention: the last referral's programme run to its end."""
    return referral_period_end + dt.timedelta(weeks=programme_weeks)


def toml_read(text: str, file: str) -> dict[str, object]:
    """The tables of a configuration file's TOML text; a syntax error is a
    ``RetentionError`` at its line and column."""
    try:
        return toml_loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RetentionError(file, *decode_error_position(exc)) from exc


def toml_position(text: str, kind: str, key: str | None) -> tuple[int, int]:
    """Line and column of ``key`` in the table ``[kind]`` (of the table itself when the key
    is absent or None): errors point at the text the reader has to change."""
    return key_position(text, f"{kind}.{key}" if key is not None else kind) or (1, 1)


def parse_retention(text: str, file: str = "retention.toml") -> RetentionSchedule:
    """A retention schedule from its TOML text: one table per kind of record, each with
    ``trigger``, ``years`` and/or ``months``, ``assumption`` and an optional ``note``."""
    data = toml_read(text, file)
    rules: dict[str, RetentionRule] = {}
    for kind, table in data.items():
        if kind not in KINDS:
            line, col = toml_position(text, kind, None)
            raise RetentionError(
                file,
                line,
                col,
                f"[{kind}]: not a kind of record; expected one of {', '.join(KINDS)}",
            )
        if not isinstance(table, dict):
            raise RetentionError(
                file, *toml_position(text, kind, None), f"{kind}: expected a table"
            )
        rules[kind] = _rule(text, file, kind, table)
    missing = [k for k in KINDS if k not in rules]
    if missing:
        raise RetentionError(file, 1, 1, f"no schedule for {', '.join(missing)}")
    return RetentionSchedule(rules, file)


def _rule(text: str, file: str, kind: str, table: dict[str, object]) -> RetentionRule:
    def fail(key: str | None, message: str) -> RetentionError:
        return RetentionError(
            file, *toml_position(text, kind, key), f"{kind}.{key or ''}: {message}"
        )

    known = {"trigger", "years", "months", "assumption", "note"}
    for key in table:
        if key not in known:
            raise fail(key, f"unknown key; expected {', '.join(sorted(known))}")
    trigger = table.get("trigger")
    if trigger is None:
        raise fail(None, "trigger is missing")
    if trigger not in ALLOWED[kind]:
        raise fail("trigger", f"{trigger!r}: expected one of {', '.join(ALLOWED[kind])}")
    counts = {}
    for key, top in (("years", MAX_YEARS), ("months", 11)):
        value = table.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise fail(key, f"{value!r}: expected a whole number from 0 to {top}")
        counts[key] = value
    period = Period(counts["years"], counts["months"])
    if period.total_months == 0:
        raise fail("years", "the period is empty; give years or months")
    assumption = table.get("assumption", False)
    if not isinstance(assumption, bool):
        raise fail("assumption", f"{assumption!r}: expected true or false")
    note = table.get("note", "")
    if not isinstance(note, str):
        raise fail("note", "expected text")
    return RetentionRule(kind, str(trigger), period, assumption, note)
