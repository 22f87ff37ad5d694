"""Small numbers: no hidden count can be worked back from the published total and cells."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.disclosure import SUPPRESSED, suppress_group

COUNTS = st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 40), min_size=1)


def test_worked_example_one_small_cohort_hides_the_next_smallest_too():
    cells, total = suppress_group({"A": 30, "B": 112, "C": 3, "D": 64})
    assert cells == {"A": SUPPRESSED, "B": 112, "C": SUPPRESSED, "D": 64}
    assert total == 209


def test_two_small_cells_protect_each_other_and_zeros_stay():
    cells, total = suppress_group({"A": 2, "B": 4, "C": 0, "D": 50})
    assert cells == {"A": SUPPRESSED, "B": SUPPRESSED, "C": 0, "D": 50} and total == 56


def test_when_nothing_else_can_be_hidden_the_total_is():
    cells, total = suppress_group({"A": 3, "B": 0})
    assert cells == {"A": SUPPRESSED, "B": 0} and total == SUPPRESSED


@given(COUNTS)
def test_no_hidden_count_can_be_worked_out(counts):
    cells, total = suppress_group(counts)
    hidden = [k for k, v in cells.items() if v == SUPPRESSED]
    # every small count is hidden; no zero is
    assert all(cells[k] == SUPPRESSED for k, v in counts.items() if 0 < v < 5)
    assert all(cells[k] == 0 for k, v in counts.items() if v == 0)
    # shown counts are the true counts
    assert all(cells[k] == counts[k] for k in counts if k not in hidden)
    # with a total published, a hidden count never stands alone
    if total != SUPPRESSED and hidden:
        assert len(hidden) >= 2
        assert total == sum(counts.values())
