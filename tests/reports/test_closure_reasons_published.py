"""The cases closed early by reason add up to the status "closed early": published beside
it (the board card, the investor view, the evaluation report), the reasons must not give it
away where it is hidden, nor it give them away where they are."""

from __future__ import annotations

import datetime as dt

import pytest

from stars.domain.calendar import parse_quarter
from stars.domain.disclosure import SUPPRESS_BELOW, SUPPRESSED, pinned
from stars.domain.vocabulary import label
from stars.finance.figures import investor_overview
from stars.partnership.selectors import contract_current
from stars.reports.card import card_context
from stars.reports.evaluation import evaluation_for
from tests.conftest import make_referral

Q = parse_quarter("Q4 2022-23")


def _cases(live: int, graduated: int, reasons: dict[str, int]) -> None:
    n = 0
    for status, count, reason in [
        ("live", live, ""),
        ("graduated", graduated, ""),
        *[("closed_early", c, r) for r, c in reasons.items()],
    ]:
        for _ in range(count):
            n += 1
            end = None if status == "live" else dt.date(2022, 6, 1)
            r = make_referral(f"R-{n:03d}", "derby", status=status, end=end)
            r.closure_reason = reason
            r.save()


def _published() -> list[tuple[str, dict, dict]]:
    """Each aggregate publication's cases by status and closures by reason, by label."""
    card = card_context(scope=None, quarter=Q, suppressed=True)
    rows = next(s for s in card["sections"] if s.key == "cases").table.rows
    investor = investor_overview(contract_current(), Q.end)
    report = evaluation_for(scope=None, as_of=Q.end, published=True)["cases"]
    return [
        (
            "card",
            {r[1]: r[2] for r in rows if r[0] == "Status"},
            {r[1]: r[2] for r in rows if r[0] != "Status"},
        ),
        ("investor view", dict(investor["status"]), dict(investor["reasons"])),
        (
            "evaluation report",
            {label(k): v for k, v in report["status"].items()},
            {label(k): v for k, v in report["closure_reasons"].items()},
        ),
    ]


@pytest.mark.parametrize(
    "live, graduated, reasons",
    [
        # 2 graduated hidden, then closed early (6) beside it: its one reason gave it away
        (10, 2, {"consent_withdrawn": 6}),
        # 8 closed early shown beside two hidden reasons: 4 and 4, as "c" is at most 4
        (10, 0, {"consent_withdrawn": 4, "placement_breakdown": 4}),
    ],
)
def test_no_closure_reason_or_closed_early_count_can_be_worked_out(
    db, contract, live, graduated, reasons
):
    _cases(live, graduated, reasons)
    counts = {label(r): reasons.get(r, 0) for r in contract_current().closure_reasons}
    for where, status, published in _published():
        closed = status[label("closed_early")]
        hidden = [counts[k] for k, v in published.items() if v == SUPPRESSED]
        if closed == SUPPRESSED:
            assert hidden, (where, status, published)  # the reasons do not add up to it
        else:
            assert not (hidden and pinned(hidden)), (where, status, published)
        assert not any(isinstance(v, int) and 0 < v < SUPPRESS_BELOW for v in published.values())
