"""Money published to roles that see figures only (INDIGO open data, the board card, the
investor view) hides an amount that is a known price times a hidden count, with the totals
it could be worked out from (decision 0012); a council's own money is left as it is."""

from __future__ import annotations

from decimal import Decimal

from stars.reports.indigo import indigo_project
from stars.tracker.importer import tracker_import
from tests.domain.test_disclosure_money import AS_OF, MILESTONES_HIDDEN, ROOT, frames

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
    printed = [v for _, v in _money_values(project)]
    assert Decimal(66000) not in printed and 66000 not in printed


def _money_values(node, path=""):
    if isinstance(node, dict):
        if "amount" in node and isinstance(node["amount"], dict) and "value" in node["amount"]:
            yield path, node["amount"]["value"]
        for k, v in node.items():
            yield from _money_values(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _money_values(v, f"{path}/{i}")
