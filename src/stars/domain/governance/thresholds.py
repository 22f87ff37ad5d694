"""The thresholds of information governance, as configuration (the ``[access_review]`` and
``[agreements]`` tables of ``config/privacy.toml``): when the access review lists a user, and
how long before an agreement's review or end its warning shows.

A table or key left out takes its default, which is an assumption (as every value of the
sample is, until ``assumption = false`` says the council confirmed it). Every error names the
file, the line and the column (``FILE:LINE: column C: ...``). Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace

from stars.domain.governance.access_review import Thresholds
from stars.domain.governance.agreements import WARN_DAYS
from stars.domain.governance.retention import RetentionError, toml_position, toml_read

COUNTS = {  # access review thresholds that are counts, with their largest sensible value
    "outside_council": 1_000_000,
    "outside_caseload": 1_000_000,
    "many_records": 1_000_000,
    "odd_hours": 1_000_000,
}
TIMES = ("day_starts", "day_ends")
MAX_WARN_DAYS = 366


@dataclass(frozen=True)
class GovernanceThresholds:
    access: Thresholds = field(default_factory=Thresholds)
    warn_days: int = WARN_DAYS
    # which of the two tables a council has confirmed (``assumption = false``)
    access_assumption: bool = True
    agreements_assumption: bool = True


def _time(value: object) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
        hours, minutes = (int(p) for p in value.strip().split(":"))
        if hours < 24 and minutes < 60:
            return dt.time(hours, minutes)
    return None


def parse_thresholds(text: str, file: str = "privacy.toml") -> GovernanceThresholds:
    """The thresholds from the TOML text (other tables of the file are not looked at)."""
    data = toml_read(text, file)

    def fail(table: str, key: str | None, message: str) -> RetentionError:
        return RetentionError(file, *toml_position(text, table, key), f"{table}.{key}: {message}")

    def table_of(name: str, known: set[str]) -> dict[str, object]:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise RetentionError(
                file, *toml_position(text, name, None), f"{name}: expected a table"
            )
        for key in table:
            if key not in known:
                raise fail(name, key, f"unknown key; expected {', '.join(sorted(known))}")
        assumption = table.get("assumption", True)
        if not isinstance(assumption, bool):
            raise fail(name, "assumption", f"{assumption!r}: expected true or false")
        return table

    names = {f.name for f in fields(Thresholds)}
    access = table_of("access_review", names | {"assumption"})
    changes: dict[str, object] = {}
    for key, top in COUNTS.items():
        if key in access:
            value = access[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= top:
                raise fail("access_review", key, f"{value!r}: expected a whole number, 1 or more")
            changes[key] = value
    for key in TIMES:
        if key in access:
            day = _time(access[key])
            if day is None:
                raise fail("access_review", key, f"{access[key]!r}: expected a time like 07:00")
            changes[key] = day
    thresholds = replace(Thresholds(), **changes)  # type: ignore[arg-type]
    if thresholds.day_starts >= thresholds.day_ends:
        raise fail("access_review", "day_ends", "the day must end after it starts")
    agreements = table_of("agreements", {"warn_days", "assumption"})
    warn_days = agreements.get("warn_days", WARN_DAYS)
    if not isinstance(warn_days, int) or isinstance(warn_days, bool):
        raise fail("agreements", "warn_days", f"{warn_days!r}: expected a whole number of days")
    if not 0 <= warn_days <= MAX_WARN_DAYS:
        raise fail("agreements", "warn_days", f"{warn_days}: expected 0 to {MAX_WARN_DAYS} days")
    return GovernanceThresholds(
        thresholds,
        warn_days,
        bool(access.get("assumption", True)),
        bool(agreements.get("assumption", True)),
    )
