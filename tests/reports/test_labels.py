"""Every page, report and export calls a status, a decision or a reason by one label."""

from __future__ import annotations

import datetime as dt

from stars.domain.calendar import parse_quarter
from stars.domain.vocabulary import (
    CLOSURE_REASONS,
    DECISIONS,
    FUNDINGS,
    INTERVENTIONS,
    LABELS,
    STATUSES,
    label,
)
from stars.finance.figures import investor_overview
from stars.partnership.selectors import contract_current
from stars.referrals.models import Decision, Funding, Status
from stars.reports.card import card_context
from stars.reports.services import evaluation_context

AS_OF = dt.date(2024, 9, 30)


def _texts(table) -> set[str]:
    return {str(h) for h in table.headers} | {str(row[0]) for row in table.rows if row}


def test_every_code_has_one_label_and_the_records_use_it():
    interventions = [code for code, _ in INTERVENTIONS]
    recorded_before = ["team_parenting", "triple_p", "attune"]  # DN2's, before contracts listed
    codes = [*DECISIONS, *FUNDINGS, *STATUSES, *CLOSURE_REASONS, *interventions, *recorded_before]
    assert set(codes) == set(LABELS)  # "other" is both a closure reason and an intervention
    assert len(set(LABELS.values())) == len(LABELS)
    for choices in (Decision, Funding, Status):
        assert {c.value: c.label for c in choices} == {c.value: label(c.value) for c in choices}
    assert label("a_reason_of_the_contract") == "A reason of the contract"


def test_the_evaluation_report_the_board_card_and_the_investor_view_agree(programme):
    evaluation = evaluation_context(scope=None, as_of=AS_OF)
    card = card_context(scope=None, quarter=parse_quarter("Q2 2024-25"), suppressed=False)
    investor = investor_overview(contract_current(), AS_OF)
    shown = {
        "evaluation tables": set().union(*(_texts(t) for t in evaluation["tables"])),
        "status by weeks": _texts(evaluation["status_table"]),
        "board card": set().union(*(_texts(s.table) for s in card["sections"]))
        | {str(row[1]) for s in card["sections"] for row in s.table.rows if len(row) > 1},
        "investor view": {name for name, _ in investor["status"]},
    }
    for where, texts in shown.items():
        assert label("gf_complete") in texts, where
        assert not {"Gf complete", "GF complete", "Guaranteed-funding complete"} & texts, where
    for where in ("evaluation tables", "board card"):
        assert {label(d) for d in DECISIONS} <= shown[where], where


def test_a_status_has_one_colour_in_the_status_chart_whatever_its_label(programme):
    """Graduated is green and closed early red, not whatever the labels' sort order gives."""
    import re

    from stars.core.charts import STATUS_COLOURS

    svg = evaluation_context(scope=None, as_of=AS_OF)["status_chart"]
    bars = re.findall(r'aria-label="[^"]*status: ([^"]+)"[^>]*fill="(#[0-9a-f]{6})"', svg)
    assert {name for name, _ in bars} == {label(s) for s in STATUS_COLOURS}
    assert {name: fill for name, fill in bars} == {
        label(s): colour for s, colour in STATUS_COLOURS.items()
    }


def test_the_evaluation_reports_counts_in_words_have_thousands_separated(programme):
    evaluation = evaluation_context(scope=None, as_of=AS_OF)
    weeks = evaluation["report"]["finance"]["sustained_weeks"]
    assert weeks >= 1000  # the fixture's programme is big enough to need a separator
    totals = next(t for t in evaluation["tables"] if t.key == "finance_totals")
    assert totals.title == f"Programme totals ({weeks:,} sustained weeks)"
