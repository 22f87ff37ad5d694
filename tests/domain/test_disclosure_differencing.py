"""No hidden count can be worked out by differencing what a role that sees figures only can
obtain: each breakdown's hidden counts are never pinned by its total less the counts shown
(complementary suppression), and such a role gets each breakdown for the whole programme
only, never a council's or a cohort's part beside the whole (decision 0008)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.disclosure import SUPPRESS_BELOW, SUPPRESSED, pinned, suppress_group

SMALL = SUPPRESS_BELOW - 1  # the most a "c" stands for, as published
COUNTS = st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 40), min_size=1)
JOINT = st.dictionaries(
    st.tuples(st.sampled_from(["derby", "nottingham", "leicester"]), st.sampled_from("ABC")),
    st.integers(0, 12),
    min_size=1,
)


def _ranges(values: list[int], total: int | None, most: int | None) -> list[tuple[int, int]]:
    """What each hidden count could be, to someone who knows only that each is at least 1
    (and at most ``most``, when given), and that they add up to ``total`` (None: unknown)."""
    k = len(values)
    out = []
    for _ in values:
        high = most if most is not None else 10**9
        low = 1
        if total is not None:
            low = max(low, total - (k - 1) * high)
            high = min(high, total - (k - 1))
        out.append((low, high))
    return out


def _recoverable(counts: dict, cells: dict, total) -> bool:
    """Can any hidden count be told exactly from the table as published?"""
    hidden = [counts[k] for k, v in cells.items() if v == SUPPRESSED]
    if not hidden:
        return False
    shown = sum(v for v in cells.values() if v != SUPPRESSED)
    rest = None if total == SUPPRESSED else total - shown
    models = [None] + ([SMALL] if max(hidden) <= SMALL else [])  # "c": 1 to 4, as published
    for most in models:
        if rest is None and total == SUPPRESSED and most is not None:
            rest_known = None  # a hidden total says only that it is small: below
            ranges = _ranges(hidden, rest_known, min(most, SMALL - (len(hidden) - 1)))
        else:
            ranges = _ranges(hidden, rest, most)
        if any(low == high for low, high in ranges):
            return True
    return False


def test_two_ones_beside_a_total_shown_hide_the_next_smallest_too():
    # 1 and 1 with 10 and a total of 12 shown: the two hidden counts add up to 2, so each is 1
    cells, total = suppress_group({"A": 1, "B": 1, "C": 10, "D": 30})
    assert cells == {"A": SUPPRESSED, "B": SUPPRESSED, "C": SUPPRESSED, "D": 30}
    assert total == 42


def test_two_fours_beside_a_total_shown_hide_the_next_smallest_too():
    cells, total = suppress_group({"A": 4, "B": 4, "C": 9, "D": 30})
    assert cells == {"A": SUPPRESSED, "B": SUPPRESSED, "C": SUPPRESSED, "D": 30}
    assert total == 47


def test_pinned_worked_examples():
    assert pinned([3]) and pinned([1, 1]) and pinned([4, 4]) and pinned([1, 1, 1])
    assert not pinned([1, 2]) and not pinned([3, 30]) and not pinned([4, 4, 1])


@given(COUNTS)
def test_no_hidden_count_can_be_told_from_its_table(counts):
    cells, total = suppress_group(counts)
    hidden = [k for k, v in cells.items() if v == SUPPRESSED]
    assert all(cells[k] == SUPPRESSED for k, v in counts.items() if 0 < v < SUPPRESS_BELOW)
    assert all(cells[k] == counts[k] for k in counts if k not in hidden)
    if total != SUPPRESSED:
        assert total == sum(counts.values())
    four_ones = total == SUPPRESSED and sorted(counts[k] for k in hidden) == [1, 1, 1, 1]
    # the one case no rule can help: four categories of one child each, all of a total of 4
    assert _recoverable(counts, cells, total) == four_ones


@given(JOINT)
def test_the_tables_a_role_of_figures_only_obtains_give_no_hidden_count_away(joint):
    """The whole programme's children by council and by cohort, each published alone: the
    hidden counts of each are protected by its own total, and the two totals agree, so
    neither table narrows the other's hidden counts."""
    by_council: dict[str, int] = {}
    by_cohort: dict[str, int] = {}
    for (council, cohort), n in joint.items():
        by_council[council] = by_council.get(council, 0) + n
        by_cohort[cohort] = by_cohort.get(cohort, 0) + n
    tables = [(counts, *suppress_group(counts)) for counts in (by_council, by_cohort)]
    for counts, cells, total in tables:
        hidden = sorted(counts[k] for k, v in cells.items() if v == SUPPRESSED)
        if not (total == SUPPRESSED and hidden == [1, 1, 1, 1]):
            assert not _recoverable(counts, cells, total)
    shown_totals = {total for _, _, total in tables if total != SUPPRESSED}
    assert len(shown_totals) <= 1
