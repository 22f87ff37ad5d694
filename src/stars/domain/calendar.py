"""Financial-year quarters (April to June is Q1), as boards report: "Q3 2024-25"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

LABEL = re.compile(r"^Q([1-4]) (\d{4})-(\d{2})$")


class QuarterError(ValueError):
    """A quarter label that is not of the form "Q3 2024-25"."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year in which the financial year starts (2024 for 2024-25)
    number: int  # 1 (Apr-Jun) to 4 (Jan-Mar)

    @property
    def start(self) -> dt.date:
        month = 4 + 3 * (self.number - 1)
        return dt.date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day: the report card's as-of date."""
        return self.next().start - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}-{(self.year + 1) % 100:02d}"

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __str__(self) -> str:
        return self.label


def quarter_of(day: dt.date) -> Quarter:
    """The financial-year quarter holding a date."""
    fy = day.year if day.month >= 4 else day.year - 1
    return Quarter(fy, (day.month - 4) % 12 // 3 + 1)


def parse_quarter(label: str) -> Quarter:
    m = LABEL.match(label.strip())
    if not m:
        raise QuarterError(f"{label!r} is not a quarter; expected a label like Q3 2024-25")
    number, year, tail = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if (year + 1) % 100 != tail:
        raise QuarterError(
            f"{label!r}: {year}-{tail:02d} is not a financial year; "
            "expected a label like Q3 2024-25"
        )
    return Quarter(year, number)


def last_complete(today: dt.date) -> Quarter:
    """The latest quarter that has ended by ``today``."""
    current = quarter_of(today)
    return current if current.end <= today else current.previous()


def quarters_between(first: dt.date, last: Quarter) -> list[Quarter]:
    """Every quarter from the one holding ``first`` to ``last``, newest first."""
    out: list[Quarter] = []
    q = quarter_of(first)
    while q <= last:
        out.append(q)
        q = q.next()
    return out[::-1]
