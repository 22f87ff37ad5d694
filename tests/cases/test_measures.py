"""The pure measures: attendance bands, score changes, Wilson intervals, suppression, due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.disclosure import suppress
from stars.domain.measures import (
    area_change,
    attendance_band,
    band_movement,
    due_items,
    next_term_start,
    proportion,
    still_in_placement,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("possible", "attended", "band"),
    [
        (100, 100, "good"),
        (100, 91, "good"),
        (100, 90, "persistent"),  # exactly 90% is persistent absence (missing 10% or more)
        (10, 9, "persistent"),
        (100, 51, "persistent"),
        (100, 50, "severe"),  # exactly 50% is severe absence
        (7, 3, "severe"),
        (100, 0, "severe"),
        (0, 0, None),
    ],
)
def test_attendance_bands_follow_dfe(possible, attended, band):
    assert attendance_band(possible, attended) == band


@pytest.mark.parametrize(
    ("first", "latest", "movement"),
    [
        ("good", "good", "maintained_good"),
        ("persistent", "good", "improved"),
        ("severe", "persistent", "improved"),
        ("good", "severe", "dropped"),
        ("persistent", "persistent", "other"),
        ("severe", "severe", "other"),
    ],
)
def test_band_movement(first, latest, movement):
    assert band_movement(first, latest) == movement


def test_area_change_worked_example():
    c = area_change([(2, 4), (3, 3), (4, 2), (1, 5)])
    assert (c.n, c.improved, c.same, c.worse) == (4, 2, 1, 1)
    assert c.mean_first == 2.5 and c.mean_latest == 3.5
    assert area_change([]).mean_first is None


def test_wilson_worked_examples():
    # the evaluation's 86% of graduated cases, were it 37 of 43: about 72.7% to 93.4%
    low, high = wilson_interval(37, 43)
    assert round(low, 3) == 0.727 and round(high, 3) == 0.934
    # 42% closed early, as 40 of 96: about 32.3% to 51.7%
    low, high = wilson_interval(40, 96)
    assert round(low, 3) == 0.323 and round(high, 3) == 0.517
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert proportion(0, 0).rate is None and proportion(0, 0).low is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


@given(
    st.integers(min_value=1, max_value=10_000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_interval_contains_the_estimate_within_0_and_1(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


@given(st.integers(min_value=5, max_value=2_000), st.floats(min_value=0.05, max_value=0.95))
def test_wilson_interval_narrows_as_cases_grow(n, p):
    k = round(p * n)
    low1, high1 = wilson_interval(k, n)
    low4, high4 = wilson_interval(4 * k, 4 * n)
    assert high4 - low4 < high1 - low1


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, "c"), (4, "c"), (5, 5), (120, 120)])
def test_counts_under_five_are_suppressed(n, shown):
    assert suppress(n) == shown


def test_due_dates_from_the_last_record():
    meeting, review, attendance = due_items(
        referral_date=dt.date(2024, 1, 10),
        last_meeting=dt.date(2024, 3, 1),
        last_assessment=None,
        last_term_start=dt.date(2024, 1, 8),
        meeting_every_weeks=6,
    )
    assert meeting.due == dt.date(2024, 4, 12)  # six weeks after the last meeting
    assert review.due == dt.date(2024, 4, 10)  # three months after the referral
    assert attendance.due == dt.date(2024, 4, 15)  # the next term starts
    assert meeting.overdue(dt.date(2024, 4, 13)) and not meeting.overdue(dt.date(2024, 4, 12))
    assert next_term_start(dt.date(2024, 11, 30)) == dt.date(2025, 1, 1)
    _, review, _ = due_items(
        referral_date=dt.date(2023, 11, 30),
        last_meeting=None,
        last_assessment=None,
        last_term_start=None,
        meeting_every_weeks=6,
    )
    assert review.due == dt.date(2024, 2, 29)  # clamped to the month's end


def test_still_in_placement_at_the_end_of_support():
    end = dt.date(2024, 6, 1)
    assert still_in_placement(end, [(dt.date(2023, 1, 1), None)])
    assert still_in_placement(end, [(dt.date(2023, 1, 1), end)])  # ends with support
    assert not still_in_placement(end, [(dt.date(2023, 1, 1), dt.date(2024, 5, 1))])
    # a breakdown, then a new placement that lasts
    assert still_in_placement(
        end, [(dt.date(2023, 1, 1), dt.date(2023, 6, 1)), (dt.date(2023, 6, 8), None)]
    )
    assert not still_in_placement(end, [])
