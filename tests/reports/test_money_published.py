"""Money published to roles that see figures only (INDIGO open data, the board card, the
investor view) hides an amount that is a known price times a hidden count, with the totals
it could be worked out from (decision 0012); a council's own money is left as it is."""

from __future__ import annotations

from decimal import Decimal

from stars.domain.calendar import quarter_of
from stars.domain.disclosure import SUPPRESSED
from stars.finance.figures import investor_overview
from stars.partnership.selectors import contract_current
from stars.reports.card import card_context
from stars.reports.evaluation import evaluation_for
from stars.reports.indigo import indigo_project
from stars.tracker.importer import tracker_import
from tests.domain.test_disclosure_money import (
    AS_OF,
    FEE,
    FEES_HIDDEN,
    MILESTONES_HIDDEN,
    ROOT,
    frames,
)
from tests.reports.test_indigo import _values

CONTRACT = ROOT / "contracts" / "examples" / "continuous-milestones.toml"


def _import(*groups: tuple[int, str, str, str, int]) -> None:
    enquiries, referrals, periods = frames(*groups)
    tracker_import(
        contract_text=CONTRACT.read_text("utf-8"),
        contract_source=str(CONTRACT),
        enquiries=enquiries,
        referrals=referrals,
        periods=periods,
    )


def test_indigo_leaves_out_payments_that_would_give_hidden_milestone_counts_away(db):
    """The open data printed the programme's outcome payments; less the weekly cohort's
    weeks times its price (both printed), they were the step-down cohort's £66,000 =
    6 x £8,000 + 2 x £9,000, giving away the 2 that the milestones hide."""
    _import(*MILESTONES_HIDDEN)
    project = indigo_project(as_of=AS_OF)
    made = project["overall_project_finance"]["total_outcome_payments_made"]["amount"]
    assert "value" not in made
    (step_down,) = [r for r in project["results"] if r["outcome_metric_id"]["value"] == "cohort-sd"]
    assert step_down["outcomes_achieved"] == {}  # 8 milestones earned: 6 + the hidden 2
    # each council's and fund's share of the hidden total, which add up to it
    for c in project["outcome_payment_commitments"]:
        assert "value" not in c["total_outcome_payments"]["amount"], c
    printed = [v for _, v in _values(project)]
    assert Decimal(66000) not in printed and 66000 not in printed


def test_guaranteed_funding_fees_are_hidden_where_their_count_is(db):
    """The board card and the investor view printed £15,600 of guaranteed-funding fees
    (and what is paid, outcome payments and fees) beside "Guaranteed-funding referrals: c":
    over the contract's £300 a week for 26 weeks, 2. A council's own figures keep them."""
    _import(*FEES_HIDDEN)
    fees = 2 * FEE
    card = card_context(scope=None, quarter=quarter_of(AS_OF), suppressed=True)
    money = next(s for s in card["sections"] if s.key == "money")
    rows = {r[0]: r[1:] for r in money.table.rows}
    assert rows["Guaranteed-funding payments"] == [SUPPRESSED, SUPPRESSED]
    assert rows["Net cash saving"][0] == SUPPRESSED
    assert "c payable" in money.headline
    for row in rows.values():
        assert fees not in row
    investor = investor_overview(contract_current(), AS_OF)
    assert investor["guaranteed_fees"] == SUPPRESSED
    assert investor["paid"] == SUPPRESSED  # outcome payments and fees, beside the first
    assert investor["outcome_payments"] != SUPPRESSED
    assert investor["from_live"] == SUPPRESSED  # the projected total less it
    # roles that see children's records (and the council, of its own) keep the exact figures
    exact = card_context(scope=None, quarter=quarter_of(AS_OF), suppressed=False)
    money = next(s for s in exact["sections"] if s.key == "money")
    assert {r[0]: r[1] for r in money.table.rows}["Guaranteed-funding payments"] == fees
    assert evaluation_for(scope=None, as_of=AS_OF)["finance"]["guaranteed_funding_payments"] == fees
