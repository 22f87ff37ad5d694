"""Financial-year quarters: labels, bounds, neighbours."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.calendar import (
    Quarter,
    QuarterError,
    last_complete,
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
    assert last_complete(dt.date(2024, 12, 31)).label == "Q3 2024-25"
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
