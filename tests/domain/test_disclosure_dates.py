"""Dates a role that sees figures only may ask for: whole quarters, so that no two answers
differ by less than a quarter's records (the outcomes from 1 January and from 2 January would
differ by one day's children)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.calendar import last_complete, quarter_of
from stars.domain.disclosure import (
    AS_OF,
    BOUNDS,
    FROM,
    TO,
    coarse_choices,
    coarse_date,
    is_coarse,
)

DAYS = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))
TODAY = dt.date(2025, 2, 14)  # Q4 2024-25; the last quarter ended is Q3 (to 31 December)


def test_worked_examples():
    assert coarse_date(dt.date(2025, 1, 2), FROM, TODAY) == dt.date(2025, 1, 1)
    assert coarse_date(dt.date(2024, 11, 30), TO, TODAY) == dt.date(2024, 12, 31)
    assert coarse_date(dt.date(2024, 11, 30), AS_OF, TODAY) == dt.date(2024, 9, 30)
    assert coarse_date(dt.date(2024, 12, 31), AS_OF, TODAY) == dt.date(2024, 12, 31)
    # nothing later than today's quarter: a later as-of is the last quarter ended
    assert coarse_date(dt.date(2026, 5, 1), AS_OF, TODAY) == dt.date(2024, 12, 31)
    assert coarse_date(dt.date(2026, 5, 1), FROM, TODAY) == dt.date(2025, 1, 1)
    assert coarse_date(dt.date(2026, 5, 1), TO, TODAY) == dt.date(2025, 3, 31)
    assert is_coarse(dt.date(2024, 4, 1), FROM, TODAY)
    assert not is_coarse(dt.date(2024, 4, 2), FROM, TODAY)
    assert not is_coarse(dt.date(2025, 3, 31), AS_OF, TODAY)  # the quarter has not ended


def test_on_a_quarter_s_last_day_its_figures_are_not_yet_given():
    # records of the day can still change until it is over: asked on 31 December, as of
    # 31 December would be live figures, differenced hour by hour
    last_day = dt.date(2024, 12, 31)
    assert coarse_date(last_day, AS_OF, last_day) == dt.date(2024, 9, 30)
    assert not is_coarse(last_day, AS_OF, last_day)
    assert coarse_date(last_day, AS_OF, last_day + dt.timedelta(days=1)) == last_day
    assert coarse_choices(dt.date(2024, 4, 1), AS_OF, last_day)[0][0] == dt.date(2024, 9, 30)


def test_choices_run_from_the_programme_start_newest_first():
    assert coarse_choices(dt.date(2024, 5, 20), AS_OF, TODAY) == [
        (dt.date(2024, 12, 31), "Q3 2024-25"),
        (dt.date(2024, 9, 30), "Q2 2024-25"),
        (dt.date(2024, 6, 30), "Q1 2024-25"),
    ]
    assert [d for d, _ in coarse_choices(dt.date(2024, 5, 20), FROM, TODAY)] == [
        dt.date(2025, 1, 1),
        dt.date(2024, 10, 1),
        dt.date(2024, 7, 1),
        dt.date(2024, 4, 1),
    ]
    # a programme starting after today's last quarter ended still offers that quarter's end
    assert coarse_choices(dt.date(2025, 2, 1), AS_OF, TODAY) == [
        (dt.date(2024, 12, 31), "Q3 2024-25")
    ]


def test_an_unknown_bound_is_refused():
    with pytest.raises(ValueError, match="no date bound"):
        coarse_date(TODAY, "since", TODAY)


@given(DAYS, DAYS, st.sampled_from(BOUNDS))
def test_the_answer_is_allowed_and_snapping_it_again_changes_nothing(day, today, bound):
    snapped = coarse_date(day, bound, today)
    assert is_coarse(snapped, bound, today)
    assert coarse_date(snapped, bound, today) == snapped


@given(DAYS, DAYS)
def test_an_as_of_date_never_shows_records_later_than_asked_or_a_quarter_unfinished(day, today):
    snapped = coarse_date(day, AS_OF, today)
    assert snapped <= min(day, today)
    assert snapped == quarter_of(snapped).end
    assert snapped <= last_complete(today).end


@given(DAYS, DAYS)
def test_a_range_is_only_ever_widened_to_whole_quarters(day, today):
    start, end = coarse_date(day, FROM, today), coarse_date(day, TO, today)
    assert start == quarter_of(start).start and end == quarter_of(end).end
    if quarter_of(day) <= quarter_of(today):
        assert start <= day <= end


@given(DAYS, DAYS, DAYS)
def test_any_two_allowed_as_of_dates_are_a_whole_quarter_apart(a, b, today):
    a, b = sorted((coarse_date(a, AS_OF, today), coarse_date(b, AS_OF, today)))
    if a != b:
        # the days counted by b and not by a hold the whole quarter ending on b
        assert quarter_of(b).start > a


START, END = dt.date(2022, 4, 1), dt.date(2026, 3, 31)  # the days a range may cover
RANGE_TODAY = dt.date(2025, 11, 5)
RANGE_DAYS = st.one_of(st.none(), st.dates(START, END))


def _days(start: dt.date | None, end: dt.date | None) -> set[dt.date]:
    first = start or START
    last = min(end or END, END)
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def _snap(day: dt.date | None, bound: str) -> dt.date | None:
    return None if day is None else coarse_date(day, bound, RANGE_TODAY)


@given(RANGE_DAYS, RANGE_DAYS, RANGE_DAYS, RANGE_DAYS)
def test_any_two_allowed_ranges_differ_by_at_least_a_whole_quarter(f1, t1, f2, t2):
    one = _days(_snap(f1, FROM), _snap(t1, TO))
    two = _days(_snap(f2, FROM), _snap(t2, TO))
    differ = one ^ two
    if differ:
        whole = {q for q in {quarter_of(d) for d in differ} if _days(q.start, q.end) <= differ}
        assert whole, "two ranges differ by less than a whole quarter"


def _live(today: dt.date) -> dt.date:
    """The day a page's live figures are as of for a role that sees figures only, today."""
    return coarse_date(today, AS_OF, today)


@given(DAYS)
def test_live_figures_looked_at_every_day_move_a_whole_quarter_at_a_time(today):
    """Figures seen one day and the next are the same figures, or a whole quarter's
    further on: looking every day never gives away one day's children."""
    now, tomorrow = _live(today), _live(today + dt.timedelta(days=1))
    assert now <= today and now == quarter_of(now).end
    assert tomorrow == now or (tomorrow == quarter_of(now).next().end)


@given(DAYS, DAYS)
def test_live_figures_of_two_days_are_the_same_or_a_whole_quarter_apart(a, b):
    a, b = sorted((_live(a), _live(b)))
    assert a == b or quarter_of(b).start > a


@given(DAYS, DAYS, st.sampled_from(BOUNDS))
def test_the_list_offered_holds_only_allowed_dates_and_the_page_s_own(first, today, bound):
    """A date field of a role that sees figures only is a list (the simulator's "records as
    of" too): every date in it may be asked for, newest first, and the date a page answers
    with when none is asked for is in it."""
    days = [d for d, _ in coarse_choices(first, bound, today)]
    assert days and all(is_coarse(d, bound, today) for d in days)
    assert days == sorted(set(days), reverse=True)
    assert coarse_date(today, bound, today) == days[0]
