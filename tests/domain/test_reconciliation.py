"""Claimed weeks against the council's episodes: worked examples and properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import OUTCOMES
from stars.domain.outcomes.designs.base import ReferralFacts
from stars.domain.outcomes.designs.weekly import WeeklyAfterProving
from stars.domain.outcomes.reconciliation import (
    CEASED_CARE,
    CHILDRENS_HOME,
    ENTERED_CARE,
    HIGH,
    LOW,
    NO_RECORD,
    PLACEMENT_KINDS,
    RULES,
    ClaimWeek,
    Episode,
    at_stake,
    claim_weeks,
    episodes_of,
    reconcile,
    total_at_stake,
)
from stars.domain.outcomes.windows import CountedPeriod
from stars.domain.sufficiency.ssda903 import with_placement_group
from tests.conftest import CONTRACT

D = dt.date
IN_FOSTER_CARE, AT_HOME, OUT_OF_CARE = (
    "foster_placement",
    "at_home",
    "out_of_care",
)  # DN2: A, B; C; D
FOSTER = Episode(D(2022, 1, 1), None, "U4", "in-house fostering")
RATE = Decimal("1234.56")
TERMS = parse_contract(CONTRACT.read_text(encoding="utf-8"))
OUTCOME_OF = {c: TERMS.cohort(c).outcome for c in "ABCD"}  # what each DN2 cohort is paid for


def weeks_of(
    windows: list[tuple[dt.date, dt.date]], proving_weeks: int, weekly_rate: Decimal
) -> list[ClaimWeek]:
    """The claimed weeks of a cohort A referral whose counted days are ``windows``, paid
    weekly after ``proving_weeks`` at ``weekly_rate``."""
    cohort = replace(
        TERMS.cohort("A"), proving_weeks=proving_weeks, weekly_outcome_payment=weekly_rate
    )
    contract = replace(TERMS, cohorts=(cohort,))
    counted = [CountedPeriod(a, b, a, b, (b - a).days, (b - a).days // 7, "") for a, b in windows]
    facts = ReferralFacts("R1", "A", "sib", windows[0][0])
    as_of = D(2099, 1, 1)
    return claim_weeks(WeeklyAfterProving().referral(contract, facts, counted, as_of))


def test_a_cohort_a_child_in_a_childrens_home_during_claimed_weeks():
    episodes = [
        Episode(D(2022, 1, 1), D(2022, 5, 2), "U4", "in-house fostering", "X1"),
        Episode(D(2022, 5, 2), D(2022, 6, 13), "K2", "external residential", "X1"),
        Episode(D(2022, 6, 13), None, "U6", "agency fostering"),
    ]
    got = reconcile(IN_FOSTER_CARE, [(D(2022, 3, 1), D(2022, 9, 1))], episodes)
    assert len(got) == 1
    d = got[0]
    assert (d.start, d.last_day, d.days, d.weeks) == (D(2022, 5, 2), D(2022, 6, 12), 42, 6)
    assert "children's home" in d.description and d.place == "K2"
    assert d.rule == "the foster placement is sustained"
    assert (d.kind, d.severity) == (CHILDRENS_HOME, HIGH)


def test_a_cohort_d_child_who_entered_care():
    episodes = [Episode(D(2023, 2, 6), D(2023, 3, 6), "U6", "agency fostering", "E11")]
    got = reconcile(OUT_OF_CARE, [(D(2023, 1, 2), D(2023, 12, 4))], episodes)
    assert [(x.start, x.end, x.description, x.kind) for x in got] == [
        (D(2023, 2, 6), D(2023, 3, 6), "entered care: agency fostering (PLACE U6)", ENTERED_CARE)
    ]


def test_a_cohort_b_child_with_no_episode_and_a_cohort_c_child_placed_with_parents():
    (gap,) = reconcile(IN_FOSTER_CARE, [(D(2022, 1, 3), D(2022, 1, 17))], [])
    assert (gap.weeks, gap.kind, gap.severity) == (2, NO_RECORD, LOW)  # a data gap
    home = [Episode(D(2022, 1, 1), None, "P1", "placed with parents")]
    assert reconcile(AT_HOME, [(D(2022, 1, 3), D(2022, 6, 1))], home) == []


def test_a_cohort_b_child_who_ceased_care_during_claimed_weeks():
    episodes = [Episode(D(2021, 6, 1), D(2022, 4, 11), "U4", "in-house fostering", "E13")]
    (d,) = reconcile(IN_FOSTER_CARE, [(D(2022, 1, 3), D(2022, 6, 27))], episodes)
    assert (d.start, d.end, d.kind, d.severity) == (
        D(2022, 4, 11),
        D(2022, 6, 27),
        CEASED_CARE,
        HIGH,
    )
    assert d.description == "ceased care on 11/04/2022, REC E13: no foster placement after"


def test_a_gap_after_a_same_day_new_episode_that_never_came_is_a_data_gap():
    episodes = [Episode(D(2021, 6, 1), D(2022, 4, 11), "U4", "in-house fostering", "X1")]
    (d,) = reconcile(IN_FOSTER_CARE, [(D(2022, 1, 3), D(2022, 5, 2))], episodes)
    assert (d.kind, d.severity) == (NO_RECORD, LOW)


def test_days_after_the_latest_return_are_not_checked():
    claimed = [(D(2023, 1, 2), D(2023, 12, 4))]
    assert reconcile(IN_FOSTER_CARE, claimed, [], records_until=D(2023, 4, 1))[0].end == D(
        2023, 4, 1
    )
    assert reconcile(IN_FOSTER_CARE, claimed, [], records_until=D(2022, 4, 1)) == []


def test_claim_weeks_leave_the_proving_weeks_unpaid_and_name_the_claim_month():
    weeks = weeks_of([(D(2024, 1, 1), D(2024, 3, 1))], proving_weeks=4, weekly_rate=RATE)
    assert len(weeks) == 8  # 60 days: 8 whole weeks, 4 days over
    assert [w.paid for w in weeks] == [False] * 4 + [True] * 4
    assert weeks[4].start == D(2024, 1, 29) and weeks[4].month == "2024-02"
    assert weeks[3].month == "2024-01" and weeks[3].amount == 0
    # two periods: proving runs on from the first into the second
    two = weeks_of([(D(2024, 1, 1), D(2024, 1, 15)), (D(2024, 2, 1), D(2024, 2, 29))], 3, RATE)
    assert [(w.start, w.paid) for w in two] == [
        (D(2024, 1, 1), False),
        (D(2024, 1, 8), False),
        (D(2024, 2, 1), False),
        (D(2024, 2, 8), True),
        (D(2024, 2, 15), True),
        (D(2024, 2, 22), True),
    ]


def test_what_was_claimed_over_a_childrens_home_stay():
    # cohort A from 1 January 2024; 13 proving weeks; children's home 15 April to 1 May
    episodes = [
        Episode(D(2023, 9, 1), D(2024, 4, 15), "U4", "in-house fostering", "X1"),
        Episode(D(2024, 4, 15), D(2024, 5, 1), "K2", "external residential", "X1"),
        Episode(D(2024, 5, 1), None, "U4", "in-house fostering"),
    ]
    windows = [(D(2024, 1, 1), D(2024, 7, 1))]
    weeks = weeks_of(windows, proving_weeks=13, weekly_rate=RATE)
    (d,) = reconcile(IN_FOSTER_CARE, windows, episodes)
    stake = at_stake(d, weeks)
    # week blocks from Monday 1 January; 15 April is the first day of week 16 (index 15)
    assert (d.start, d.last_day) == (D(2024, 4, 15), D(2024, 4, 30))
    # 15-21, 22-28 April and 29 April-5 May: three claimed weeks, all paid
    assert (stake.weeks, stake.paid_weeks) == (3, 3)
    assert stake.amount == Decimal("3703.68")
    assert stake.months == ("2024-04", "2024-05")


def test_a_polars_frame_of_dfe_columns_gives_the_same_findings():
    rows = {
        "CHILD": ["C1", "C1", "C1", "C2"],
        "DECOM": [D(2023, 9, 1), D(2024, 4, 15), D(2024, 5, 1), D(2020, 1, 1)],
        "DEC": [D(2024, 4, 15), D(2024, 5, 1), None, None],
        "PLACE": ["U4", "K2", "U4", "K2"],
        "PLACE_PROVIDER": ["PR1", "PR4", "PR1", "PR4"],
        "LS": ["C2"] * 4,
        "RNE": ["S", "P", "P", "S"],
        "REC": ["X1", "X1", None, None],
    }
    frame = with_placement_group(pl.DataFrame(rows))  # C2's home stay is not C1's
    windows = [(D(2024, 1, 1), D(2024, 7, 1))]
    (d,) = reconcile(IN_FOSTER_CARE, windows, episodes_of(frame, "C1"))
    assert (d.place, d.group) == ("K2", "external residential")
    assert at_stake(d, weeks_of(windows, 13, RATE)).amount == Decimal("3703.68")


# --- properties ------------------------------------------------------------------------------

BASE = D(2022, 1, 1)
DAYS = st.integers(0, 400)
GROUPS = ["in-house fostering", "external residential", "placed with parents", "secure"]


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


@st.composite
def episode_lists(draw, min_size=1):
    """Non-overlapping episodes in date order, with or without gaps between them."""
    cuts = sorted(set(draw(st.lists(DAYS, min_size=min_size, max_size=6))))
    episodes = []
    for i, a in enumerate(cuts):
        nxt = cuts[i + 1] if i + 1 < len(cuts) else None
        if nxt is None:
            end = draw(st.one_of(st.none(), st.integers(a + 1, a + 200)))
        else:
            end = draw(st.integers(a + 1, nxt)) if nxt > a + 1 else nxt
        rec = (
            None if end is None else ("X1" if end == nxt else draw(st.sampled_from(["E13", "E11"])))
        )
        g = draw(st.sampled_from(GROUPS))
        episodes.append(Episode(day(a), None if end is None else day(end), "X", g, rec))
    return episodes


@st.composite
def claims(draw):
    s, length = draw(DAYS), draw(st.integers(1, 300))
    return [(day(s), day(s + length))]


@given(episode_lists(), claims(), st.sampled_from("ABCD"))
def test_discrepant_days_never_exceed_claimed_days_and_lie_within_them(episodes, claimed, cohort):
    got = reconcile(OUTCOME_OF[cohort], claimed, episodes)
    ((first, stop),) = claimed
    assert sum(d.days for d in got) <= (stop - first).days
    assert all(first <= d.start < d.end <= stop for d in got)
    assert all(a.end <= b.start for a, b in zip(got, got[1:], strict=False))  # disjoint, in order


@given(episode_lists(), claims(), st.sampled_from("ABCD"), st.integers(1, 399))
def test_splitting_an_episode_in_two_changes_nothing(episodes, claimed, cohort, at):
    e = episodes[0]
    cut = e.start + dt.timedelta(days=at)
    if not (e.start < cut < (e.end or dt.date(9999, 1, 1))):
        return
    split = [
        Episode(e.start, cut, e.place, e.group, "X1"),
        Episode(cut, e.end, e.place, e.group, e.rec),
    ]
    assert reconcile(OUTCOME_OF[cohort], claimed, split + episodes[1:]) == reconcile(
        OUTCOME_OF[cohort], claimed, episodes
    )


@given(episode_lists(min_size=0), claims(), st.sampled_from("ABCD"))
def test_no_episode_overlapping_the_claim_means_no_placement_discrepancy(episodes, claimed, cohort):
    ((first, stop),) = claimed
    away = [e for e in episodes if not (e.start < stop and first < (e.end or dt.date.max))]
    got = reconcile(OUTCOME_OF[cohort], claimed, away)
    assert not [d for d in got if d.kind in PLACEMENT_KINDS]
    if cohort in "CD":
        assert got == []  # at home / out of care throughout
    else:
        assert sum(d.days for d in got) == (stop - first).days  # no foster placement at all


@given(st.sampled_from("AB"), DAYS, st.integers(1, 300))
def test_a_foster_placement_throughout_is_never_a_discrepancy_for_a_or_b(cohort, s, n):
    first = day(s)
    assert reconcile(OUTCOME_OF[cohort], [(first, first + dt.timedelta(days=n))], [FOSTER]) == []


@given(episode_lists(), claims(), st.sampled_from("ABCD"), DAYS)
def test_nothing_is_found_after_the_records_end(episodes, claimed, cohort, until):
    got = reconcile(OUTCOME_OF[cohort], claimed, episodes, records_until=day(until))
    assert all(d.end <= day(until) for d in got)
    everything = reconcile(OUTCOME_OF[cohort], claimed, episodes)
    assert sum(d.days for d in got) <= sum(d.days for d in everything)


@given(
    episode_lists(),
    st.lists(st.tuples(DAYS, st.integers(1, 120)), min_size=1, max_size=3),
    st.sampled_from("ABCD"),
    st.integers(0, 30),
)
def test_what_is_at_stake_never_exceeds_what_was_claimed(episodes, spans, cohort, proving):
    # windows that do not overlap, as a referral's outcome periods
    windows, start = [], 0
    for gap, length in spans:
        windows.append((day(start + gap), day(start + gap + length)))
        start += gap + length
    weeks = weeks_of(windows, proving, RATE)
    assert len(weeks) == sum((b - a).days // 7 for a, b in windows)
    paid = [w for w in weeks if w.paid]
    assert len(paid) == max(len(weeks) - proving, 0)
    found = reconcile(OUTCOME_OF[cohort], windows, episodes)
    stakes = [at_stake(d, weeks) for d in found]
    claimed_total = RATE * len(paid)
    assert total_at_stake(found, weeks) <= claimed_total
    assert total_at_stake(found, weeks) <= sum((s.amount for s in stakes), Decimal(0))
    for d, s in zip(found, stakes, strict=True):
        assert s.amount == RATE * s.paid_weeks and s.paid_weeks <= s.weeks
        # a discrepancy of a whole week or more touches at least that many claimed weeks,
        # unless some of its days fall in the part-weeks the engine does not count
        assert s.weeks <= d.days // 7 + 2


def test_what_each_cohort_is_checked_against_is_contract_data():
    assert [TERMS.cohort(c).outcome for c in "ABCD"] == [
        IN_FOSTER_CARE,
        IN_FOSTER_CARE,
        AT_HOME,
        OUT_OF_CARE,
    ]
    assert set(RULES) == set(OUTCOMES)
    claimed = [(D(2022, 1, 3), D(2022, 1, 17))]
    assert reconcile(None, claimed, []) == []  # a cohort with no outcome: not checked
