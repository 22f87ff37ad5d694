"""The rules behind today's work: what is due this week or overdue on a case, and the next
step of a council's claims."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.calendar import next_month
from stars.domain.measures import DUE_THIS_WEEK, OVERDUE, due_items, due_state
from stars.domain.outcomes.claims import APPROVE, PREPARE, SUBMIT, ClaimStep, next_claim_step

D = dt.date
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))


def test_due_state_worked_examples():
    today = D(2024, 11, 28)  # a Thursday
    assert due_state(D(2024, 11, 27), today) == OVERDUE
    assert due_state(today, today) == DUE_THIS_WEEK
    assert due_state(D(2024, 12, 4), today) == DUE_THIS_WEEK  # six days ahead
    assert due_state(D(2024, 12, 5), today) is None  # a week ahead: not yet
    meeting, *_ = due_items(
        referral_date=D(2024, 1, 8), last_meeting=D(2024, 10, 17), last_assessment=None,
        last_term_start=None, meeting_every_weeks=6,
    )  # fmt: skip
    assert meeting.due == D(2024, 11, 28) and meeting.state(today) == DUE_THIS_WEEK
    assert meeting.state(D(2024, 11, 29)) == OVERDUE


@given(dates, dates)
def test_due_state_agrees_with_overdue_and_lists_only_the_coming_week(due, today):
    state = due_state(due, today)
    assert (state == OVERDUE) == (due < today)
    assert (state == DUE_THIS_WEEK) == (today <= due < today + dt.timedelta(days=7))


@given(dates, dates, st.integers(1, 400))
def test_a_later_today_never_takes_an_item_off_as_overdue(due, today, later):
    if due_state(due, today) == OVERDUE:
        assert due_state(due, today + dt.timedelta(days=later)) == OVERDUE


FIRST = D(2020, 10, 1)


def test_next_claim_step_worked_examples():
    today = D(2024, 11, 26)
    approved = {D(2024, m, 1): "approved" for m in range(1, 10)}
    assert next_claim_step({}, FIRST, today) == ClaimStep(FIRST, PREPARE, "provider")
    assert next_claim_step(approved, FIRST, today) == ClaimStep(D(2024, 10, 1), PREPARE, "provider")
    assert next_claim_step({**approved, D(2024, 10, 1): "draft"}, FIRST, today) == ClaimStep(
        D(2024, 10, 1), SUBMIT, "provider"
    )
    assert next_claim_step({**approved, D(2024, 10, 1): "submitted"}, FIRST, today) == (
        ClaimStep(D(2024, 10, 1), APPROVE, "council")
    )
    assert next_claim_step({**approved, D(2024, 10, 1): "disputed"}, FIRST, today) == (
        ClaimStep(D(2024, 10, 1), PREPARE, "provider")
    )
    # October approved: November has not ended on 26 November, so nothing waits
    assert next_claim_step({**approved, D(2024, 10, 1): "approved"}, FIRST, today) is None
    step = next_claim_step({**approved, D(2024, 10, 1): "submitted"}, FIRST, today)
    assert step is not None and step.description == "October 2024: approve or dispute the claim"


statuses = st.sampled_from(["draft", "submitted", "approved", "disputed"])


@given(st.dictionaries(st.integers(0, 60), statuses, max_size=12), st.integers(0, 90))
def test_the_next_step_is_the_earliest_open_claim_or_an_ended_month_after_the_last(
    offsets, today_offset
):
    def month(n: int) -> dt.date:
        d = FIRST
        for _ in range(n):
            d = next_month(d)
        return d

    claims = {month(n): s for n, s in offsets.items()}
    today = month(today_offset) + dt.timedelta(days=3)
    step = next_claim_step(claims, FIRST, today)
    open_ = sorted(m for m, s in claims.items() if s != "approved")
    if open_:
        assert step is not None and step.month == open_[0]
        assert step.owner == ("council" if claims[open_[0]] == "submitted" else "provider")
    elif step is not None:
        assert step.action == PREPARE and step.month not in claims
        assert next_month(step.month) <= today  # never a month that has not ended
        assert all(m < step.month for m in claims)
    else:
        after = next_month(max(claims)) if claims else FIRST
        assert next_month(after) > today
