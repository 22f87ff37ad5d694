"""Money that is a known price times a hidden count is hidden with it (decision 0012): the
evaluation report as a role that sees figures only is given it must not let the reader
divide an amount by a price printed in the contract and find a count shown as "c"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from stars.domain.contract.parsing import parse_contract
from stars.domain.disclosure import SUPPRESSED, published_amount, suppress_amounts
from stars.domain.evaluation.report import evaluation_report
from tests.domain.rows import period_row, programme_frames, referral_row

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
# SD: milestones £8,000 (start), £9,000 (26 weeks), £15,800 (52 weeks); ST: weekly £250
# after proving weeks; guaranteed funding: £300 a week for 26 weeks
TERMS = parse_contract(
    (ROOT / "contracts" / "examples" / "continuous-milestones.toml").read_text("utf-8")
)
START = D(2020, 1, 6)
AS_OF = D(2021, 3, 31)
FEE = Decimal(300) * 26


def frames(*groups: tuple[int, str, str, str, int]) -> tuple[pl.DataFrame, ...]:
    """Enquiries (none), referrals and periods of referrals given as (how many, council,
    cohort, funding, weeks in one unbroken placement from START; 0: still placed)."""
    refs: list[dict[str, Any]] = []
    pers: list[dict[str, Any]] = []
    for many, la, cohort, funding, weeks in groups:
        for _ in range(many):
            rid = f"R{len(refs) + 1}"
            end = START + dt.timedelta(weeks=weeks) if weeks else None
            refs.append(
                referral_row(
                    rid,
                    local_authority=la,
                    cohort=cohort,
                    funding=funding,
                    referral_date=START,
                    end_date=end,
                    date_of_birth=D(2008, 1, 1),
                )
            )
            pers.append(period_row(rid, START, end))
    return programme_frames(refs, pers)


def _report(*groups: tuple[int, str, str, str, int]) -> dict[str, Any]:
    """The report of ``frames(*groups)`` as a role that sees figures only is given it."""
    return evaluation_report(TERMS, *frames(*groups), AS_OF, published=True)


# 16 referrals paid weekly, 2 of them (shown as "c") funded by guaranteed funding
FEES_HIDDEN = (
    (8, "northshire", "ST", "sib", 0),
    (6, "southby", "ST", "sib", 0),
    (2, "northshire", "ST", "guaranteed", 0),
)


def test_guaranteed_funding_fees_do_not_give_the_hidden_count_away():
    """2 guaranteed-funding referrals shown as "c": £15,600 of fees beside the contract's
    £300 a week for 26 weeks would be 2; so would the net cash saving and the council cost
    beside the cashable savings and outcome payments."""
    report = _report(*FEES_HIDDEN)
    assert report["referrals"]["guaranteed_funding"] == SUPPRESSED
    fin = report["finance"]
    assert 2 * FEE not in _amounts(fin)
    assert fin["guaranteed_funding_payments"] == SUPPRESSED
    assert fin["by_local_authority"]["northshire"]["guaranteed_funding_payments"] == SUPPRESSED
    # the other figures it is worked out from are hidden with it
    assert fin["net_cash_saving"] == SUPPRESSED
    assert fin["council_cost"] == SUPPRESSED
    north = fin["by_local_authority"]["northshire"]
    assert north["net_cash_saving"] == SUPPRESSED
    # the southby council, with no fees, keeps its money; so does the programme's rest
    assert fin["by_local_authority"]["southby"]["guaranteed_funding_payments"] == 0
    assert fin["outcome_payments"] != SUPPRESSED
    assert fin["cashable_savings"] != SUPPRESSED


# 6 step-down referrals placed, 2 of them for 26 weeks or more; 13 paid weekly
MILESTONES_HIDDEN = (
    (4, "northshire", "SD", "sib", 10),
    (2, "southby", "SD", "sib", 0),
    (7, "northshire", "ST", "sib", 0),
    (6, "southby", "ST", "sib", 0),
)


def test_a_milestone_cohorts_payments_do_not_give_its_hidden_milestone_counts_away():
    """6 step-down referrals placed, 2 of them for 26 weeks or more (shown as "c"): the
    cohort's £66,000 = 6 x £8,000 + 2 x £9,000 would give the 2 away, and so would the
    programme's outcome payments less the weekly cohort's weeks times its price."""
    report = _report(*MILESTONES_HIDDEN)
    fin = report["finance"]
    assert SUPPRESSED in fin["by_cohort"]["SD"]["milestones"].values()
    assert fin["by_cohort"]["SD"]["outcome_payments"] == SUPPRESSED
    # the weekly cohort's payments are its weeks times its price whatever is printed: the
    # programme's total, and every figure worked out from it, are hidden instead
    assert fin["by_cohort"]["ST"]["outcome_payments"] != SUPPRESSED
    assert fin["outcome_payments"] == SUPPRESSED
    assert fin["lcf_contribution"] == SUPPRESSED
    assert all(v == SUPPRESSED for v in fin["outcome_funds"].values() if v)
    # and the councils' payments do not add up to the hidden total
    assert SUPPRESSED in [f["outcome_payments"] for f in fin["by_local_authority"].values()]


def _amounts(fin: dict[str, Any]) -> list[Any]:
    out: list[Any] = []
    for v in fin.values():
        out += _amounts(v) if isinstance(v, dict) else [v]
    return out


def test_amounts_hidden_beside_a_total_as_counts_are():
    # one amount hidden beside the total shown: another hidden with it
    cells, total = suppress_amounts({"a": Decimal(15600), "b": Decimal(900)}, ["a"])
    assert cells == {"a": SUPPRESSED, "b": SUPPRESSED} and total == Decimal(16500)
    # nothing else may be hidden (worked out from weeks shown): the total instead
    cells, total = suppress_amounts({"a": Decimal(1), "b": Decimal(2)}, ["a"], fixed=["b"])
    assert cells == {"a": SUPPRESSED, "b": Decimal(2)} and total == SUPPRESSED
    # a total hidden: the amounts do not add up to it
    cells, total = suppress_amounts({"a": Decimal(5), "b": Decimal(7)}, total_hidden=True)
    assert cells == {"a": SUPPRESSED, "b": Decimal(7)} and total == SUPPRESSED
    # nothing hidden: all shown
    assert suppress_amounts({"a": Decimal(5)}) == ({"a": Decimal(5)}, Decimal(5))
    assert published_amount(Decimal(3), [1, SUPPRESSED]) == SUPPRESSED
    assert published_amount(Decimal(3), [7, Decimal(2)]) == Decimal(3)
