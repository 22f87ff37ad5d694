"""No hidden count can be worked out by differencing what a role that sees figures only can
obtain: each breakdown's hidden counts are never pinned by its total less the counts shown
(complementary suppression), and such a role gets each breakdown for the whole programme
only, never a council's or a cohort's part beside the whole (decision 0008)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.disclosure import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    parts_pin,
    pinned,
    suppress_breakdowns,
    suppress_funnels,
    suppress_group,
    suppress_parts,
    suppress_table,
)

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
            if sum(counts.values()) > SMALL:
                continue  # the total was hidden to protect its parts, not for being small:
                # reading it as 1 to 4 would give values that are wrong, so nothing is learnt
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


def test_four_fours_with_every_cell_and_the_total_hidden_give_nothing_away():
    # each 4 is hidden as small and the total 16 would pin them all (four counts of at most 4
    # adding to 16), so it is hidden too; "c" for a total of 16 tells no one the counts are 1
    counts = {"A": 4, "B": 4, "C": 4, "D": 4}
    cells, total = suppress_group(counts)
    assert set(cells.values()) == {SUPPRESSED} and total == SUPPRESSED
    assert not _recoverable(counts, cells, total)


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


TWO_WAY = st.dictionaries(
    st.sampled_from("ABCD"),
    st.fixed_dictionaries({d: st.integers(0, 12) for d in ("progressed", "pending", "withdrawn")}),
    min_size=1,
)


@given(JOINT)
def test_one_total_beside_several_breakdowns_is_hidden_where_any_of_them_hides_it(joint):
    """Referrals by council and by cohort, with the one total the pages print beside both:
    a total that one breakdown had to hide is hidden for the other too, else that
    breakdown's hidden counts would be the total less its counts shown."""
    by_council: dict[str, int] = {}
    by_cohort: dict[str, int] = {}
    for (council, cohort), n in joint.items():
        by_council[council] = by_council.get(council, 0) + n
        by_cohort[cohort] = by_cohort.get(cohort, 0) + n
    total = sum(joint.values())
    cells, shown = suppress_breakdowns({"council": by_council, "cohort": by_cohort}, total)
    for name, counts in (("council", by_council), ("cohort", by_cohort)):
        assert cells[name] == suppress_group(counts)[0]
        hidden = sorted(counts[k] for k, v in cells[name].items() if v == SUPPRESSED)
        if not (shown == SUPPRESSED and hidden == [1, 1, 1, 1]):
            assert not _recoverable(counts, cells[name], shown)
    assert shown in (total, SUPPRESSED)


@given(TWO_WAY)
def test_no_hidden_count_of_a_two_way_table_can_be_told_from_a_row_or_a_column(rows):
    """Enquiries by cohort and decision beside the cohorts' totals, and beside each
    decision's total (the board card's): no row, no column and no line of totals leaves its
    hidden counts pinned by its total less the counts shown, and a hidden row total is
    never the sum of its counts shown."""
    cells, totals, grand = suppress_table(rows)
    for r, row in rows.items():
        assert all(cells[r][d] == SUPPRESSED for d, n in row.items() if 0 < n < SUPPRESS_BELOW)
        assert all(cells[r][d] in (n, SUPPRESSED) for d, n in row.items())
        hidden = [n for d, n in row.items() if cells[r][d] == SUPPRESSED]
        if totals[r] == SUPPRESSED:
            assert sum(row.values()) == 0 or any(n > 0 for n in hidden)
        else:
            assert totals[r] == sum(row.values())
            assert not hidden or not pinned(hidden)
    for d in ("progressed", "pending", "withdrawn"):
        hidden = [row[d] for r, row in rows.items() if cells[r][d] == SUPPRESSED]
        shown = [row[d] for r, row in rows.items() if cells[r][d] != SUPPRESSED and row[d] > 0]
        assert not hidden or not pinned(hidden) or not shown  # nothing left to hide beside
    hidden_totals = [sum(row.values()) for r, row in rows.items() if totals[r] == SUPPRESSED]
    if grand != SUPPRESSED:
        assert grand == sum(sum(row.values()) for row in rows.values())
        assert not hidden_totals or not pinned(hidden_totals)


FUNNELS = st.dictionaries(
    st.sampled_from(["derby", "nottingham", "leicester", "rutland"]),
    st.lists(st.integers(0, 12), min_size=4, max_size=4).map(lambda s: sorted(s, reverse=True)),
    min_size=1,
)


@given(FUNNELS)
def test_funnels_side_by_side_give_no_hidden_count_away(funnels):
    """Each council's funnel (enquiries, decided, progressed, accepted) beside the others,
    the programme's total of each stage and the referrals by council published elsewhere:
    the accepted stage is that breakdown's as published, no two stages shown in a funnel
    differ by a small count, and no stage's hidden counts are pinned by its total while a
    count of it is left to hide."""
    last = suppress_group({k: s[-1] for k, s in funnels.items()})[0]
    cells = suppress_funnels(funnels, last)
    for k, stages in funnels.items():
        shown = cells[k]
        assert shown[-1] == last[k]
        assert not any(isinstance(n, int) and 0 < n < SUPPRESS_BELOW for n in shown)
        pairs = [(a, b) for i, a in enumerate(shown) for b in shown[i + 1 :]]
        for a, b in pairs:
            if SUPPRESSED not in (a, b):
                assert not 0 < a - b < SUPPRESS_BELOW, (stages, shown)
    for i in range(3):
        hidden = [funnels[k][i] for k in funnels if cells[k][i] == SUPPRESSED]
        left = [k for k in funnels if cells[k][i] != SUPPRESSED and funnels[k][i] > 0]
        assert not (hidden and left and pinned(hidden)), (funnels, cells)


def test_a_funnels_accepted_stage_is_the_breakdowns_as_published():
    """Derby's six referrals were hidden in the referrals by council (beside Nottingham's one)
    while Derby's funnel printed them; now the funnel hides them too, and Nottingham's three
    enquiries hide Derby's with them (the programme's enquiries are published)."""
    funnels = {"derby": [27, 27, 26, 6], "nottingham": [3, 3, 1, 1]}
    last = suppress_group({k: s[-1] for k, s in funnels.items()})[0]
    assert last == {"derby": SUPPRESSED, "nottingham": SUPPRESSED}
    cells = suppress_funnels(funnels, last)
    assert cells["derby"][-1] == cells["nottingham"][-1] == SUPPRESSED
    assert cells["derby"][:2] == cells["nottingham"][:2] == [SUPPRESSED, SUPPRESSED]


STATUS = st.fixed_dictionaries(
    {s: st.integers(0, 12) for s in ("graduated", "gf_complete", "live")}
)
REASONS = st.dictionaries(st.sampled_from(["consent", "breakdown", "risk"]), st.integers(0, 9))


@given(STATUS, REASONS)
def test_a_count_and_its_parts_published_side_by_side_give_neither_away(status, reasons):
    """Cases by status beside the cases closed early by reason: where "closed early" is
    hidden, a reason is too (the reasons do not add up to it); where it is shown, the
    reasons' hidden counts are not pinned by it."""
    counts = {**status, "closed_early": sum(reasons.values())}
    hidden = ["closed_early"] if parts_pin(reasons) else []
    cells, _ = suppress_group(counts, hidden=hidden)
    parts = suppress_parts(reasons, cells["closed_early"])
    concealed = [reasons[k] for k, v in parts.items() if v == SUPPRESSED]
    if cells["closed_early"] == SUPPRESSED:
        assert concealed or counts["closed_early"] == 0
    else:
        assert not (concealed and pinned(concealed))
