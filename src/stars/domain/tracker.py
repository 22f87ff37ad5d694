"""The tracker interchange format (tracker-format.md): parse, check and write the CSVs.

``parse_tracker`` reads the three files' text and returns checked frames, or problems that
name ``FILE:LINE: column COLUMN: what is wrong and what is expected`` (physical lines, the
header being line 1). Nothing here touches a database: the caller imports all or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from stars.domain.contract import Contract
from stars.domain.engine import (
    DECISIONS,
    ENQUIRY_SCHEMA,
    FUNDINGS,
    PERIOD_SCHEMA,
    REFERRAL_SCHEMA,
    STATUSES,
)

ENQUIRY_COLUMNS = tuple(ENQUIRY_SCHEMA)
REFERRAL_COLUMNS = tuple(REFERRAL_SCHEMA)
PERIOD_COLUMNS = tuple(PERIOD_SCHEMA)
OPTIONAL = {"referrals": {"enquiry_id", "end_date", "closure_reason"}}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ERRORS = 200


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        col = f" column {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{col} {self.message}"


@dataclass
class TrackerFile:
    name: str
    text: str


@dataclass
class ParsedTracker:
    enquiries: pl.DataFrame
    referrals: pl.DataFrame
    periods: pl.DataFrame
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    more_errors: int = 0  # errors found beyond MAX_ERRORS

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.enquiries.height + self.referrals.height + self.periods.height


class _Collector:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.more = 0

    def error(self, file: str, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(Problem(file, line, column, message))
        else:
            self.more += 1

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append(Problem(file, line, column, message))


def _records(
    f: TrackerFile, expected: tuple[str, ...], required: set[str], out: _Collector
) -> Iterator[tuple[int, dict[str, str]]]:
    """(physical line, row) for each record; header problems are reported once."""
    reader = csv.reader(io.StringIO(f.text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        out.error(f.name, 1, "", "the file is empty; expected a header row: " + ", ".join(expected))
        return
    except csv.Error as exc:
        out.error(f.name, 1, "", f"unreadable CSV ({exc})")
        return
    names = [h.strip().lower() for h in header]
    missing = [c for c in expected if c in required and c not in names]
    for c in missing:
        out.error(f.name, 1, c, "missing; expected columns " + ", ".join(expected))
    for h in names:
        if h and h not in expected:
            out.warn(f.name, 1, h, "unknown column, ignored")
    seen: set[str] = set()
    for h in names:
        if h in seen and h in expected:
            out.error(f.name, 1, h, "appears twice in the header")
        seen.add(h)
    if missing:
        return
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            out.error(f.name, start, "", f"unreadable CSV ({exc})")
            return
        line = start
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) > len(names):
            out.error(f.name, line, "", f"{len(row)} fields but the header has {len(names)}")
            continue
        yield line, {n: (row[i].strip() if i < len(row) else "") for i, n in enumerate(names)}


def _date(value: str, file: str, line: int, column: str, out: _Collector) -> dt.date | None:
    if not value:
        return None
    if not ISO_DATE.match(value):
        out.error(file, line, column, f"{value!r} is not a date; expected YYYY-MM-DD")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        out.error(file, line, column, f"{value!r} is not a real date; expected YYYY-MM-DD")
        return None


def _code(
    value: str, allowed: dict[str, str], file: str, line: int, column: str, out: _Collector
) -> str | None:
    canonical = allowed.get(value.strip().lower())
    if canonical is None:
        shown = ", ".join(dict.fromkeys(allowed.values()))
        what = f"unknown {column.replace('_', ' ')} {value!r}" if value else "is blank"
        out.error(file, line, column, f"{what}; expected one of {shown}")
    return canonical


def _required(row: dict[str, str], column: str, file: str, line: int, out: _Collector) -> str:
    v = row.get(column, "")
    if not v:
        out.error(file, line, column, "is blank; a value is required")
    return v


def parse_tracker(
    contract: Contract, enquiries: TrackerFile, referrals: TrackerFile, periods: TrackerFile
) -> ParsedTracker:
    """Parse and check the three tracker files against a contract."""
    out = _Collector()
    councils = {c.lower(): c for c in contract.council_codes}
    cohorts = {c.lower(): c for c in contract.cohort_codes}
    decisions = {d: d for d in DECISIONS}
    fundings = {f: f for f in FUNDINGS}
    statuses = {s: s for s in STATUSES}
    reasons = {r: r for r in contract.closure_reasons}
    children: dict[str, tuple[dt.date, str, int]] = {}  # child_ref -> (dob, file, line)

    def child(ref: str, dob: dt.date | None, file: str, line: int) -> None:
        if not ref or dob is None:
            return
        seen = children.get(ref)
        if seen is None:
            children[ref] = (dob, file, line)
        elif seen[0] != dob:
            out.error(
                file,
                line,
                "date_of_birth",
                f"{dob} differs from {seen[0]} given for child {ref} at {seen[1]}:{seen[2]}",
            )

    # -- enquiries ----------------------------------------------------------------------------
    e_rows: list[dict[str, Any]] = []
    e_dates: dict[str, dt.date] = {}
    e_ids: dict[str, int] = {}
    f = enquiries.name
    for line, row in _records(enquiries, ENQUIRY_COLUMNS, set(ENQUIRY_COLUMNS), out):
        eid = _required(row, "enquiry_id", f, line, out)
        if eid in e_ids:
            out.error(f, line, "enquiry_id", f"duplicate id {eid!r} (first at line {e_ids[eid]})")
            continue
        e_ids[eid] = line
        ref = _required(row, "child_ref", f, line, out)
        la = _code(row["local_authority"], councils, f, line, "local_authority", out)
        cohort = _code(row["cohort"], cohorts, f, line, "cohort", out)
        day = _date(_required(row, "enquiry_date", f, line, out), f, line, "enquiry_date", out)
        dob = _date(_required(row, "date_of_birth", f, line, out), f, line, "date_of_birth", out)
        decision = _code(row["decision"], decisions, f, line, "decision", out)
        ddate = _date(row["decision_date"], f, line, "decision_date", out)
        if decision == "pending" and row["decision_date"]:
            out.error(f, line, "decision_date", "must be blank while the decision is pending")
        if decision and decision != "pending" and not row["decision_date"]:
            out.error(f, line, "decision_date", f"is blank; a {decision} decision needs its date")
        if day and ddate and ddate < day:
            out.error(f, line, "decision_date", f"{ddate} is before the enquiry date {day}")
        if dob and day and dob > day:
            out.error(f, line, "date_of_birth", f"{dob} is after the enquiry date {day}")
        child(ref, dob, f, line)
        if cohort and dob and day and dob <= day:
            verdict = contract.eligibility(cohort, dob, day)
            if not verdict.eligible:
                out.warn(
                    f, line, "date_of_birth", f"outside the eligibility rule: {verdict.reason}"
                )
        if day:
            e_dates[eid] = day
        e_rows.append(
            {
                "enquiry_id": eid,
                "child_ref": ref,
                "local_authority": la,
                "cohort": cohort,
                "enquiry_date": day,
                "date_of_birth": dob,
                "decision": decision,
                "decision_date": ddate,
            }
        )

    # -- referrals ----------------------------------------------------------------------------
    r_rows: list[dict[str, Any]] = []
    r_ids: dict[str, int] = {}
    r_dates: dict[str, dt.date] = {}
    f = referrals.name
    required = set(REFERRAL_COLUMNS) - OPTIONAL["referrals"]
    for line, row in _records(referrals, REFERRAL_COLUMNS, required, out):
        rid = _required(row, "referral_id", f, line, out)
        if rid in r_ids:
            out.error(f, line, "referral_id", f"duplicate id {rid!r} (first at line {r_ids[rid]})")
            continue
        r_ids[rid] = line
        eid = row.get("enquiry_id", "")
        if eid and eid not in e_ids:
            out.error(f, line, "enquiry_id", f"no enquiry {eid!r} in {enquiries.name}")
        ref = _required(row, "child_ref", f, line, out)
        la = _code(row["local_authority"], councils, f, line, "local_authority", out)
        cohort = _code(row["cohort"], cohorts, f, line, "cohort", out)
        dob = _date(_required(row, "date_of_birth", f, line, out), f, line, "date_of_birth", out)
        funding = _code(row["funding"], fundings, f, line, "funding", out)
        day = _date(_required(row, "referral_date", f, line, out), f, line, "referral_date", out)
        status = _code(row["status"], statuses, f, line, "status", out)
        end = _date(row.get("end_date", ""), f, line, "end_date", out)
        raw_reason = row.get("closure_reason", "")
        reason: str | None = None
        if status == "live" and row.get("end_date"):
            out.error(f, line, "end_date", "must be blank while the referral is live")
        if status and status != "live" and not row.get("end_date"):
            out.error(f, line, "end_date", f"is blank; a {status} referral needs its end date")
        if day and end and end < day:
            out.error(f, line, "end_date", f"{end} is before the referral date {day}")
        if day and day < contract.start:
            out.error(
                f, line, "referral_date", f"{day} is before the programme starts ({contract.start})"
            )
        if status == "closed_early":
            if not raw_reason:
                out.error(
                    f,
                    line,
                    "closure_reason",
                    "is blank; a closed_early referral needs "
                    "one of " + ", ".join(contract.closure_reasons),
                )
            else:
                reason = _code(raw_reason, reasons, f, line, "closure_reason", out)
        elif raw_reason:
            out.error(
                f,
                line,
                "closure_reason",
                f"must be blank unless the status is closed_early (status is {status})",
            )
        if eid and day and eid in e_dates and day < e_dates[eid]:
            out.error(
                f, line, "referral_date", f"{day} is before its enquiry's date {e_dates[eid]}"
            )
        child(ref, dob, f, line)
        if not eid and cohort and dob and day and dob <= day:
            verdict = contract.eligibility(cohort, dob, day)
            if not verdict.eligible:
                out.warn(
                    f, line, "date_of_birth", f"outside the eligibility rule: {verdict.reason}"
                )
        if day:
            r_dates[rid] = day
        r_rows.append(
            {
                "referral_id": rid,
                "enquiry_id": eid or None,
                "child_ref": ref,
                "local_authority": la,
                "cohort": cohort,
                "date_of_birth": dob,
                "funding": funding,
                "referral_date": day,
                "status": status,
                "end_date": end,
                "closure_reason": reason,
            }
        )

    # -- outcome periods ----------------------------------------------------------------------
    p_rows: list[dict[str, Any]] = []
    by_referral: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
    f = periods.name
    for line, row in _records(periods, PERIOD_COLUMNS, {"referral_id", "start_date"}, out):
        rid = _required(row, "referral_id", f, line, out)
        if rid and rid not in r_ids:
            out.error(f, line, "referral_id", f"no referral {rid!r} in {referrals.name}")
        start = _date(_required(row, "start_date", f, line, out), f, line, "start_date", out)
        end = _date(row.get("end_date", ""), f, line, "end_date", out)
        if start and end and end < start:
            out.error(f, line, "end_date", f"{end} is before the start date {start}")
            continue
        if start and rid in r_dates and start < r_dates[rid]:
            out.error(f, line, "start_date", f"{start} is before the referral date {r_dates[rid]}")
        if start:
            by_referral.setdefault(rid, []).append((start, end, line))
        p_rows.append({"referral_id": rid, "start_date": start, "end_date": end})
    for rid, spans in by_referral.items():
        spans.sort(key=lambda s: s[0])
        for (s1, e1, l1), (s2, _e2, l2) in zip(spans, spans[1:], strict=False):
            if e1 is None or s2 < e1:
                until = "continuing" if e1 is None else f"until {e1}"
                out.error(
                    f,
                    l2,
                    "start_date",
                    f"period from {s2} overlaps the period of "
                    f"referral {rid} from {s1} {until} (line {l1})",
                )

    frames = (
        pl.DataFrame(e_rows, schema=ENQUIRY_SCHEMA),
        pl.DataFrame(r_rows, schema=REFERRAL_SCHEMA),
        pl.DataFrame(p_rows, schema=PERIOD_SCHEMA),
    )
    return ParsedTracker(*frames, errors=out.errors, warnings=out.warnings, more_errors=out.more)


def _csv(frame: pl.DataFrame, columns: tuple[str, ...], sort: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in frame.sort(sort).select(columns).iter_rows():
        w.writerow(
            ["" if v is None else (v.isoformat() if isinstance(v, dt.date) else v) for v in row]
        )
    return buf.getvalue()


def write_tracker(
    enquiries: pl.DataFrame, referrals: pl.DataFrame, periods: pl.DataFrame
) -> dict[str, str]:
    """The three CSV files' text, keyed by the file names of tracker-format.md."""
    return {
        "enquiries.csv": _csv(enquiries, ENQUIRY_COLUMNS, ["enquiry_id"]),
        "referrals.csv": _csv(referrals, REFERRAL_COLUMNS, ["referral_id"]),
        "outcome_periods.csv": _csv(periods, PERIOD_COLUMNS, ["referral_id", "start_date"]),
    }
