"""Dates as the programme counts them: ages, months, financial years and their quarters.

Ages are whole years (a 29 February birthday falls on 1 March). Months are named by their
first day. A financial year runs from 1 April to 31 March and its quarters are numbered
from April (April to June is Q1), as boards report them: "Q3 2024-25". Nothing here reads
the clock: "today" is always given.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# -- days and ages ----------------------------------------------------------------------------


def parse_date(text: str | None) -> dt.date | None:
    """The date an ISO text names (``2024-11-30``); None when it is blank or not a date.

    Pages and commands read their as-of date with it (a page falls back to today).
    """
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


#: How far ahead of today a date may be, in a page's address or a command's option: the
#: figures are worked out week by week up to the date, and ``?as_of=9999-12-31`` kept a server
#: process busy until it was stopped, two minutes on (a command as long). No contract runs
#: this long.
YEARS_AHEAD = 25


def latest_date(today: dt.date) -> dt.date:
    """The latest date a page or a command takes (:data:`YEARS_AHEAD` years' end ahead)."""
    return dt.date(today.year + YEARS_AHEAD, 12, 31)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date (a 29 February birthday falls on 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


# -- months -----------------------------------------------------------------------------------


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(d.day, last))


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(d: dt.date) -> dt.date:
    """The first day of the month after ``d``'s month."""
    return dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)


def long_date(d: dt.date) -> str:
    """A date as GOV.UK writes it: 1 September 2020."""
    return f"{d.day} {d:%B} {d.year}"


def days_counted(first: dt.date, stop: dt.date) -> str:
    """The days from ``first`` up to the day before ``stop`` (``stop`` itself is not
    counted), as a key worker reads them: "from 24 October 2024 to 12 October 2026, both
    days counted". The one way every explanation of weeks words a stretch of days."""
    last = stop - dt.timedelta(days=1)
    if last < first:
        return "no days"
    if last == first:
        return f"{long_date(first)} only"
    return f"from {long_date(first)} to {long_date(last)}, both days counted"


def month_label(d: dt.date) -> str:
    return d.strftime("%B %Y")


MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_NAMES = {name: i for i, m in enumerate(MONTHS, 1) for name in (m, m[:3], m[:4])}
_NUMERIC = re.compile(r"(\d{4})\s*[-/ ]\s*(\d{1,2})|(\d{1,2})\s*[-/ ]\s*(\d{4})")
_NAMED = re.compile(r"([a-z]+)\.?\s*,?\s*(\d{4})")


def month_parse(text: str) -> dt.date | None:
    """The first day of a month typed as people type it: "October 2024", "oct 2024",
    "10 2024", "10/2024" or "2024-10". None when it names no real month."""
    t = " ".join(text.split()).lower()
    year = month = 0
    if m := _NUMERIC.fullmatch(t):
        year, month = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
    elif (m := _NAMED.fullmatch(t)) and m[1] in _MONTH_NAMES:
        year, month = int(m[2]), _MONTH_NAMES[m[1]]
    if not (1 <= month <= 12 and year >= dt.MINYEAR):
        return None
    return dt.date(year, month, 1)


DATE_PARTS = ("day", "month", "year")


@dataclass(frozen=True)
class DateRead:
    """A date typed in three boxes (day, month, year), as read: the date, or what is wrong
    (``problem``: "blank", "incomplete", "year" or "real") and the boxes at fault."""

    date: dt.date | None
    problem: str = ""
    parts: tuple[str, ...] = ()


def read_date_parts(day: str, month: str, year: str) -> DateRead:
    """The date typed as GOV.UK's date input asks for it: a day and a month of 1 or 2
    numbers (a month may also be named, "feb" or "February") and a year of 4 numbers.

    Nothing typed is "blank" (every box); a box left empty makes the date "incomplete"
    (those boxes); a year not of 4 numbers is "year"; a box that is not a number, or a day
    or month out of range, is "real" (that box), and so is a day the month does not have,
    such as 31 February (every box)."""
    typed = {k: str(v or "").strip() for k, v in zip(DATE_PARTS, (day, month, year), strict=True)}
    if not any(typed.values()):
        return DateRead(None, "blank", DATE_PARTS)
    if missing := tuple(k for k in DATE_PARTS if not typed[k]):
        return DateRead(None, "incomplete", missing)
    named = _MONTH_NAMES.get(typed["month"].lower().rstrip("."))
    numbers = {k: int(v) if v.isdigit() and v.isascii() else None for k, v in typed.items()}
    if named:
        numbers["month"] = named
    if not_numbers := tuple(k for k in DATE_PARTS if numbers[k] is None):
        return DateRead(None, "real", not_numbers)
    if len(typed["year"]) != 4:
        return DateRead(None, "year", ("year",))
    d, m, y = numbers["day"], numbers["month"], numbers["year"]
    assert d is not None and m is not None and y is not None
    out_of_range = (("day",) if not 1 <= d <= 31 else ()) + (("month",) if not 1 <= m <= 12 else ())
    if out_of_range:
        return DateRead(None, "real", out_of_range)
    try:
        return DateRead(dt.date(y, m, d))
    except ValueError:
        return DateRead(None, "real", DATE_PARTS)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s month, inclusive."""
    out: list[dt.date] = []
    m = month_start(first)
    while m <= last:
        out.append(m)
        m = next_month(m)
    return out


# -- financial years and their quarters -------------------------------------------------------


def financial_year(day: dt.date) -> int:
    """The financial year holding a date, by the calendar year it starts in (2024: 2024-25)."""
    return day.year if day.month >= 4 else day.year - 1


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
    return Quarter(financial_year(day), (day.month - 4) % 12 // 3 + 1)


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
    """The latest quarter that has ended by ``today``: a quarter's last day is over only
    once the next day has begun (on its last day, its records can still change)."""
    current = quarter_of(today)
    return current if current.end < today else current.previous()


def quarters_between(first: dt.date, last: Quarter) -> list[Quarter]:
    """Every quarter from the one holding ``first`` to ``last``, newest first."""
    out: list[Quarter] = []
    q = quarter_of(first)
    while q <= last:
        out.append(q)
        q = q.next()
    return out[::-1]


def quarters_reported(start: dt.date, today: dt.date) -> list[Quarter]:
    """The quarters a programme starting on ``start`` reports on by ``today`` (the board
    card's, page and command alike): from the one it starts in to the last ended, newest
    first."""
    return quarters_between(start, last_complete(today))


def financial_year_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The as-of dates that close each financial year ending between two dates: 1 April,
    since the figures as of a date count every day before it (to 31 March)."""
    out = []
    year = start.year if start < dt.date(start.year, 4, 1) else start.year + 1
    while dt.date(year, 4, 1) < end:
        out.append(dt.date(year, 4, 1))
        year += 1
    return out
