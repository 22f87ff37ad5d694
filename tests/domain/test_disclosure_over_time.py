"""No count hidden in one quarter can be worked out from what is published in the quarters
around it: a change between quarters is never a small number, and a count that only grows
(referrals, enquiries) never pins a count hidden between two shown (decision 0018)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.disclosure import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    LastShown,
    hidden_over_time,
    published_amount,
    suppress_group,
    suppress_over_time,
    suppress_series,
)

C = SUPPRESSED


def _step(published: int | str, value: int, last: LastShown) -> LastShown | None:
    """The next ``LastShown`` where ``value`` would be published as ``published``, else None."""
    hidden = hidden_over_time(value, last)
    if published == C:
        return LastShown(last.value, True) if hidden else None
    return LastShown(value) if value == published and not hidden else None


def _candidates(published: list[int | str], monotone: bool, top: int) -> list[tuple[int, ...]]:
    """Every series of counts from 0 to ``top`` (never falling, where ``monotone``) that the
    rule publishes as ``published``: all that someone who knows the rule can tell."""
    found: list[tuple[int, ...]] = []

    def walk(prefix: tuple[int, ...], last: LastShown) -> None:
        if len(prefix) == len(published):
            found.append(prefix)
            return
        low = prefix[-1] if monotone and prefix else 0
        for value in range(low, top + 1):
            nxt = _step(published[len(prefix)], value, last)
            if nxt is not None:
                walk((*prefix, value), nxt)

    walk((), LastShown())
    return found


def _series(monotone: bool):
    steps = st.lists(st.integers(0, 7) if monotone else st.integers(-6, 6), min_size=1, max_size=6)
    return steps.map(
        lambda s: list(itertools.accumulate(s, lambda a, b: max(0, a + b), initial=0))[1:]
    )


def test_worked_examples_from_the_board_card():
    # 10, then 11 ("+1 since"), then 14: hidden until 5 or more from the 10 shown
    assert suppress_series([10, 11, 14, 15, 16]) == [10, C, C, 15, C]
    # 10, 10 (no change) is shown; 10, hidden, 10 would pin the one between
    assert suppress_series([10, 10]) == [10, 10]
    assert suppress_series([10, 12, 12, 17]) == [10, C, C, 17]
    # small counts stay hidden; the first shown is 5 or more
    assert suppress_series([0, 2, 4, 6, 9]) == [0, C, C, 6, C]
    # a count that falls (live cases) is hidden by a small change too
    assert suppress_series([12, 9, 6, 0]) == [12, C, 6, 0]


@pytest.mark.parametrize("monotone", [True, False])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_from_everything_published_no_hidden_count_can_be_solved_exactly(monotone, data):
    series = data.draw(_series(monotone))
    published = suppress_series(series)
    assert all(p in (C, n) for p, n in zip(published, series, strict=True))
    top = max(series) + SUPPRESS_BELOW + 2
    candidates = _candidates(published, monotone, top)
    assert tuple(series) in candidates
    for i, p in enumerate(published):
        if p == C:
            assert len({c[i] for c in candidates}) > 1, (series, published, i)
        # a change between two quarters (a flow of children, where the count only grows)
        # known exactly is never a small number
        if monotone and i:
            flows = {c[i] - c[i - 1] for c in candidates}
            assert len(flows) > 1 or not 0 < flows.pop() < SUPPRESS_BELOW, (series, published)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=8))
def test_shown_counts_differ_by_zero_or_five_or_more(series):
    published = suppress_series(series)
    shown = [(i, n) for i, n in enumerate([0, *published]) if n != C]
    for (i, a), (j, b) in itertools.pairwise(shown):
        # 0 is always shown (as DfE shows it): a count that only grows is never 0 again
        consecutive_and_unchanged = j == i + 1 and b == a
        assert consecutive_and_unchanged or b == 0 or abs(b - a) >= SUPPRESS_BELOW


def _by_council(counts, forced):
    cells, total = suppress_group(
        {k: n for k, n in counts.items() if k != "total"}, hidden=forced - {"total"}
    )
    return {**cells, "total": total if "total" not in forced else C}


def test_a_breakdown_over_time_hides_a_council_beside_another_with_a_small_change():
    # Derby 10 -> 11 (a small change): hidden, and Leicester beside it so that the total
    # less the counts shown does not give Derby away (Derby and Leicester are 37 together)
    periods = [
        {"derby": 10, "leicester": 20, "nottingham": 30, "total": 60},
        {"derby": 11, "leicester": 26, "nottingham": 30, "total": 67},
    ]
    first, second = suppress_over_time(periods, _by_council)
    assert first == periods[0]
    assert second == {"derby": C, "leicester": C, "nottingham": 30, "total": 67}


def test_a_rule_that_shows_a_count_it_was_to_hide_is_refused():
    with pytest.raises(ValueError, match="showed counts it was to hide"):
        suppress_over_time([{"a": 10}, {"a": 11}], lambda counts, forced: dict(counts))


@given(st.lists(st.integers(0, 30), min_size=1, max_size=6), st.integers(1, 900))
def test_an_amount_that_is_a_price_times_a_count_is_hidden_with_it(series, price):
    """Guaranteed-funding fees over time are the referrals funded times a price printed in
    the contract: hidden wherever the count is, so their change never shows a small one."""
    published = suppress_series(series)
    amounts = [published_amount(n * price, [p]) for n, p in zip(series, published, strict=True)]
    for n, p, a in zip(series, published, amounts, strict=True):
        assert (a == C) == (p == C)
        assert a == C or a // price == n
