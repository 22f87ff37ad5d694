"""The calendar: as-of dates, months, ages, financial years and their quarters."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.calendar import (
    Quarter,
    QuarterError,
    add_months,
    age_on,
    financial_year,
    last_complete,
    month_label,
    month_parse,
    months_between,
    next_month,
    parse_date,
    parse_quarter,
    quarter_of,
    quarters_between,
)


def test_worked_examples():
    q = parse_quarter("Q3 2024-25")
    assert (q.start, q.end) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert parse_quarter("Q4 2024-25").end == dt.date(2025, 3, 31)
    assert quarter_of(dt.date(2024, 11, 30)).label == "Q3 2024-25"
    assert quarter_of(dt.date(2025, 1, 1)).label == "Q4 2024-25"
    assert quarter_of(dt.date(2024, 4, 1)).previous().label == "Q4 2023-24"
    assert last_complete(dt.date(2024, 11, 30)).label == "Q2 2024-25"
    # on its last day a quarter's records can still change: it has ended the day after
    assert last_complete(dt.date(2024, 12, 31)).label == "Q2 2024-25"
    assert last_complete(dt.date(2025, 1, 1)).label == "Q3 2024-25"
    assert [q.label for q in quarters_between(dt.date(2024, 5, 2), Quarter(2024, 3))] == [
        "Q3 2024-25",
        "Q2 2024-25",
        "Q1 2024-25",
    ]


@pytest.mark.parametrize("bad", ["Q5 2024-25", "Q3 2024-26", "2024 Q3", ""])
def test_a_bad_label_says_what_is_expected(bad):
    with pytest.raises(QuarterError, match="Q3 2024-25"):
        parse_quarter(bad)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 12, 31)))
def test_every_day_lies_in_its_quarter_and_quarters_tile_the_years(day):
    q = quarter_of(day)
    assert q.start <= day <= q.end
    assert q.next().start == q.end + dt.timedelta(days=1)
    assert q.next().previous() == q
    assert parse_quarter(q.label) == q


def test_an_as_of_date_is_an_iso_date_or_none():
    assert parse_date("2024-11-30") == dt.date(2024, 11, 30)
    assert parse_date("") is None
    assert parse_date(None) is None
    assert parse_date("30/11/2024") is None
    assert parse_date("2024-02-30") is None


def test_months_and_ages():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 13) == dt.date(2024, 2, 29)
    assert next_month(dt.date(2024, 12, 15)) == dt.date(2025, 1, 1)
    assert months_between(dt.date(2024, 11, 30), dt.date(2025, 1, 1)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
    ]
    assert month_label(dt.date(2024, 11, 1)) == "November 2024"
    assert age_on(dt.date(2008, 2, 29), dt.date(2024, 2, 28)) == 15
    assert financial_year(dt.date(2025, 3, 31)) == 2024
    assert financial_year(dt.date(2025, 4, 1)) == 2025


@pytest.mark.parametrize(
    "typed",
    ["October 2024", "october 2024", "Oct 2024", "Oct. 2024", " 10 2024 ", "10/2024", "2024-10"],
)
def test_a_month_is_read_as_people_type_it(typed):
    assert month_parse(typed) == dt.date(2024, 10, 1)


@pytest.mark.parametrize("typed", ["", "2024", "13/2024", "2024-00", "Octember 2024", "10"])
def test_what_is_not_a_month_is_refused(typed):
    assert month_parse(typed) is None
