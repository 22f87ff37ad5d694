"""The evaluation report published quarter after quarter (decision 0018): a count once
published never changes, two counts shown one quarter after the other differ by 0 or by 5
or more, and money that is a price times a hidden count is hidden with it. The board card,
the investor view, the targets page and INDIGO's open data read the same publication."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.calendar import quarter_of
from stars.domain.contract.parsing import parse_contract
from stars.domain.disclosure import SUPPRESS_BELOW, SUPPRESSED, suppress_funnel, suppress_table
from stars.domain.evaluation.report import (
    Counted,
    evaluation_counted,
    published_cells,
    published_counts,
    published_over_time,
    report_counts,
)
from tests.domain.rows import period_row, programme_frames, referral_row

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")
C = SUPPRESSED
FIRST = quarter_of(dt.date(2021, 4, 1))
COUNCILS = ("derby", "nottingham")


def _quarters(n: int) -> list[Any]:
    out = [FIRST]
    while len(out) < n:
        out.append(out[-1].next())
    return out


def _series(flows: list[list[tuple[int, int]]]) -> list[Counted]:
    """The exact reports as of each quarter's end of a programme whose referrals came in
    ``flows``: for each quarter, per council (``COUNCILS``), how many referrals were made in
    it and how many of those are guaranteed-funding referrals; all live, cohort A."""
    quarters = _quarters(len(flows))
    refs: list[dict[str, Any]] = []
    pers: list[dict[str, Any]] = []
    series = []
    for q, flow in zip(quarters, flows, strict=True):
        for la, (n, guaranteed) in zip(COUNCILS, flow, strict=True):
            for i in range(n):
                rid = f"R{len(refs) + 1}"
                day = q.start + dt.timedelta(days=i % 80)
                funding = "guaranteed" if i < guaranteed else "sib"
                refs.append(
                    referral_row(
                        rid, local_authority=la, cohort="A", referral_date=day, funding=funding
                    )
                )
                pers.append(period_row(rid, day, None))
        frames = programme_frames(refs, pers)
        series.append(evaluation_counted(DN2, *frames, q.end))
    return series


def test_a_small_change_since_the_quarter_before_is_hidden_with_what_gives_it_away():
    # Derby: 10 referrals in the first quarter, 2 more in the second, 5 more in the third;
    # 6 guaranteed-funding referrals, then one more
    series = _series([[(10, 6), (0, 0)], [(2, 1), (0, 0)], [(5, 0), (0, 0)]])
    first, second, third = published_over_time(series)
    alone = published_counts(series[1])  # the second quarter published on its own
    # on its own the second quarter shows 12 referrals: 2 since the 10 shown before
    assert alone["referrals"]["total"] == 12
    assert alone["referrals"]["by_local_authority"]["derby"] == 12
    assert first["referrals"]["total"] == 10
    assert first["referrals"]["guaranteed_funding"] == 6
    # quarter after quarter: hidden until 5 or more from the 10 shown
    assert second["referrals"]["total"] == C
    assert second["referrals"]["by_local_authority"]["derby"] == C
    assert second["referrals"]["by_cohort"]["A"] == C
    assert second["cases"]["status"]["live"] == C
    assert third["referrals"]["total"] == 17
    # 7 guaranteed-funding referrals, one more than the 6 shown: hidden, and their fees (a
    # price printed in the contract times them) with them, the programme's and Derby's
    assert second["referrals"]["guaranteed_funding"] == C
    assert second["finance"]["guaranteed_funding_payments"] == C
    assert second["finance"]["by_local_authority"]["derby"]["guaranteed_funding_payments"] == C
    assert alone["finance"]["guaranteed_funding_payments"] != C
    # and what is worked out from the fees
    assert second["finance"]["net_cash_saving"] == C
    assert second["finance"]["council_cost"] == C


def test_a_quarter_reads_the_same_in_every_later_quarters_publication():
    flows = [[(10, 6), (7, 0)], [(2, 1), (5, 5)], [(5, 0), (1, 0)], [(0, 0), (9, 2)]]
    series = _series(flows)
    whole = published_over_time(series)
    for k in range(1, len(series) + 1):
        assert published_over_time(series[:k]) == whole[:k]


def _assert_no_small_change(series: list[Counted], published: list[dict[str, Any]]) -> None:
    cells = [published_cells(p, c) for p, c in zip(published, series, strict=True)]
    exact = [report_counts(c) for c in series]
    for key in exact[-1]:
        values = [0, *(cell.get(key, 0) for cell in cells)]
        truth = [0, *(e.get(key, 0) for e in exact)]
        # a count shown is the count
        assert all(v in (C, t) for v, t in zip(values, truth, strict=True)), key
        assert all(v == C for v, t in zip(values, truth, strict=True) if 0 < t < SUPPRESS_BELOW)
        shown = [(i, v) for i, v in enumerate(values) if v != C]
        for (i, a), (j, b) in itertools.pairwise(shown):
            consecutive_and_unchanged = j == i + 1 and a == b
            assert consecutive_and_unchanged or b == 0 or abs(b - a) >= SUPPRESS_BELOW, (
                key,
                values,
            )


_flow = st.tuples(st.integers(0, 8), st.integers(0, 3)).map(lambda t: (t[0], min(t)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_flow, min_size=2, max_size=2), min_size=1, max_size=6))
def test_every_count_published_differs_from_the_last_shown_by_zero_or_five_or_more(flows):
    series = _series(flows)
    published = published_over_time(series)
    _assert_no_small_change(series, published)
    # a count once published never changes
    assert published_over_time(series[:-1]) == published[:-1]
    for report, counted in zip(published, series, strict=True):
        fin, refs = report["finance"], report["referrals"]
        # money that is a price times a hidden count is hidden with it
        if refs["guaranteed_funding"] == C:
            assert fin["guaranteed_funding_payments"] == C
            assert fin["net_cash_saving"] == C
        for la in COUNCILS:
            if counted.guaranteed_by_la.get(la, 0) > 0 and (
                published_cells(report, counted)[("guaranteed_by_la", la)] == C
            ):
                assert fin["by_local_authority"][la]["guaranteed_funding_payments"] == C
        # each breakdown shown in full adds up to the total shown
        if refs["total"] != C:
            for part in ("by_cohort", "by_local_authority", "by_contract_year"):
                cells = refs[part].values()
                if C not in cells:
                    assert sum(cells) == refs["total"], part


def test_a_table_told_to_hide_a_total_hides_what_would_add_up_to_it():
    rows = {"derby": {"progressed": 6, "pending": 7}, "nottingham": {"progressed": 9, "pending": 8}}
    # the grand total hidden (its change since the quarter before was small): the row
    # totals shown would add up to it, so one of them is hidden, and one of its counts
    cells, totals, grand = suppress_table(rows, grand_hidden=True)
    assert grand == C
    assert totals["derby"] == C and totals["nottingham"] == 17
    assert C in cells["derby"].values()
    # a column whose total is hidden where it is published (the case statuses beside the
    # weeks on the programme) has one of its counts hidden, and the table stays whole
    cells, totals, grand = suppress_table(rows, hidden_columns=["pending"])
    assert C in (cells["derby"]["pending"], cells["nottingham"]["pending"])
    # a cell told to be hidden is, with another beside it so that its row's total does not
    # give it away
    cells, _, _ = suppress_table(rows, hidden=[("nottingham", "pending")])
    assert cells["nottingham"] == {"progressed": C, "pending": C}


def test_a_funnel_hides_a_stage_told_and_one_that_would_pin_it():
    # 12 hidden between 20 and 12 shown is one of 12 to 20; 9 is 3 fewer than the 12 shown
    assert suppress_funnel([20, 12, 12, 9], hidden=[1]) == [20, C, 12, C]
    # 20 hidden between two 20s shown would be 20
    assert suppress_funnel([20, 20, 20], hidden=[1]) == [20, C, C]
    assert suppress_funnel([20, 20, 20]) == [20, 20, 20]
