"""The dates before which a case's due items are overdue (or due this week): what lets the
caseload filter and count in the database, checked against the due rules themselves."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.measures import DUE_SOON_DAYS, DUE_THIS_WEEK, OVERDUE, due_cutoffs, due_items


def test_the_cutoffs_of_a_worked_day():
    # Sat 30 Nov 2024: a meeting six weeks after 19 Oct is due 30 Nov (not overdue); an
    # assessment three months after 30 Aug is due 30 Nov; counted from 1 Sep the next term
    # starts in January (to come), from 31 Aug it started on 1 Sep (overdue)
    meeting, review, term = due_cutoffs(dt.date(2024, 11, 30), 6)
    assert meeting == dt.date(2024, 10, 19)
    assert review == dt.date(2024, 8, 30)
    assert term == dt.date(2024, 9, 1)


@given(
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2027, 12, 31)),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=52),
)
def test_an_item_is_overdue_or_due_this_week_exactly_between_the_cutoffs(today, m, a, t, weeks):
    basis = [today - dt.timedelta(days=n) for n in (m, a, t)]
    items = due_items(
        referral_date=basis[0],
        last_meeting=basis[0],
        last_assessment=basis[1],
        last_term_start=basis[2],
        meeting_every_weeks=weeks,
    )
    now = due_cutoffs(today, weeks)
    week = due_cutoffs(today + dt.timedelta(days=DUE_SOON_DAYS), weeks)
    for item, b, c, w in zip(items, basis, now, week, strict=True):
        assert (item.state(today) == OVERDUE) == (b < c)
        assert (item.state(today) == DUE_THIS_WEEK) == (c <= b < w)


@given(
    st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2027, 12, 31)),
    st.integers(min_value=1, max_value=52),
)
def test_a_meeting_is_due_the_contracts_weeks_after_the_last(last, weeks):
    meeting, _, _ = due_items(
        referral_date=last - dt.timedelta(days=30),
        last_meeting=last,
        last_assessment=None,
        last_term_start=None,
        meeting_every_weeks=weeks,
    )
    assert (meeting.due - last).days == 7 * weeks
    every = "every week" if weeks == 1 else f"every {weeks} weeks"
    assert meeting.rule == f"{every} from the last meeting"
