"""Data-sharing agreements: in force, review due, lapsing, lapsed."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.domain.governance.agreements import agreement_state

START, REVIEW, END = dt.date(2020, 9, 1), dt.date(2023, 9, 1), dt.date(2027, 3, 31)


def _state(today):
    return agreement_state(start=START, review=REVIEW, end=END, today=today)


def test_worked_examples():
    assert _state(dt.date(2020, 8, 31)).code == "not_started"
    assert _state(dt.date(2021, 1, 1)).code == "in_force"
    assert _state(dt.date(2023, 7, 3)).message == "review is due on 1 September 2023"
    assert _state(dt.date(2024, 1, 1)).message == "review was due on 1 September 2023"
    assert _state(dt.date(2027, 1, 30)).message == "lapses on 31 March 2027, in 60 days"
    assert _state(END).in_force and _state(END).warning
    lapsed = _state(dt.date(2027, 4, 1))
    assert lapsed.code == "lapsed" and not lapsed.in_force and lapsed.warning


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(dt.date(2019, 1, 1), dt.date(2029, 1, 1)))
def test_in_force_exactly_between_start_and_end(today):
    assert _state(today).in_force == (START <= today <= END)
