"""Past a maximum outcome payment, every report states what the contract pays (the evaluation
report and its pages, the board card, the investor's page and home page, the INDIGO export),
with what was earned above the maximum as its own line, not payable: earned = both together.
Before, they stated the outcome payments earned as if all were paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from stars.core.permissions import scope_of
from stars.core.templatetags.stars_format import money
from stars.domain.evaluation.report import ABOVE_MAXIMUM
from stars.domain.outcomes.claims import ABOVE_MAXIMUM_LABEL
from stars.partnership.services import contract_load
from stars.reports.evaluation import evaluation_for
from stars.reports.indigo import indigo_project
from tests.conftest import CONTRACT

AS_OF = dt.date(2024, 9, 30)  # a quarter end: the investor asks for whole quarters
OVER = Decimal("10000.25")  # earned above the contract's maximum as of AS_OF


def _load(maximum: Decimal, derby: Decimal | None = None) -> None:
    text = CONTRACT.read_text(encoding="utf-8").replace(
        "maximum_outcome_payment = 9120000.00", f"maximum_outcome_payment = {maximum}"
    )
    if derby is not None:
        text = text.replace(
            "minimum_referrals = 44", f"minimum_referrals = 44\nmaximum_outcome_payment = {derby}"
        )
    contract_load(text=text, source="maximum.toml")
    cache.clear()  # the figures are cached per version of the records, not of the terms


@pytest.fixture
def earned(programme):
    """The programme's outcome payments earned as of AS_OF, per council and in all."""
    fin = evaluation_for(scope=None, as_of=AS_OF)["finance"]
    assert ABOVE_MAXIMUM not in fin  # under the sample contract's £9.12m
    per = {la: Decimal(str(d["outcome_payments"])) for la, d in fin["by_local_authority"].items()}
    return {"total": Decimal(str(fin["outcome_payments"])), **per}


def test_the_evaluation_report_pays_the_maximum_and_states_the_rest(programme, earned):
    cap = earned["total"] - OVER
    _load(cap)
    fin = evaluation_for(scope=None, as_of=AS_OF)["finance"]
    assert (fin["outcome_payments"], fin[ABOVE_MAXIMUM]) == (cap, OVER)
    councils = fin["by_local_authority"].values()
    assert sum(d["outcome_payments"] for d in councils) == cap
    assert sum(d[ABOVE_MAXIMUM] for d in councils) == OVER
    for la, d in fin["by_local_authority"].items():
        assert d["outcome_payments"] + d[ABOVE_MAXIMUM] == earned[la]
    cohorts = fin["by_cohort"].values()
    assert sum(d["outcome_payments"] for d in cohorts) == cap
    assert sum(d[ABOVE_MAXIMUM] for d in cohorts) == OVER


def test_a_councils_report_takes_its_part_of_the_contracts_maximum(programme, earned):
    """Derby's commissioner sees Derby's records only, but the contract's maximum counts
    every council's outcome payments: Derby's part is as in the programme's report."""
    _load(earned["total"] - OVER)
    whole = evaluation_for(scope=None, as_of=AS_OF)["finance"]["by_local_authority"]["derby"]
    mine = evaluation_for(scope=scope_of(programme["commissioner"]), as_of=AS_OF)["finance"]
    assert mine["outcome_payments"] == whole["outcome_payments"] < earned["derby"]
    assert mine[ABOVE_MAXIMUM] == whole[ABOVE_MAXIMUM] > 0
    assert mine["outcome_payments"] + mine[ABOVE_MAXIMUM] == earned["derby"]


def test_a_councils_own_maximum(client, programme, earned):
    own = earned["derby"] - Decimal("500.10")
    _load(Decimal("9120000.00"), derby=own)
    fin = evaluation_for(scope=None, as_of=AS_OF)["finance"]
    derby = fin["by_local_authority"]["derby"]
    assert (derby["outcome_payments"], derby[ABOVE_MAXIMUM]) == (own, Decimal("500.10"))
    assert fin["by_local_authority"]["nottingham"][ABOVE_MAXIMUM] == 0
    assert fin[ABOVE_MAXIMUM] == Decimal("500.10")
    # Derby's commissioner's money page
    client.force_login(programme["commissioner"])
    page = client.get(reverse("finance_money"), {"as_of": AS_OF.isoformat()}).content.decode()
    totals = page.split('data-testid="money-totals"')[1].split("</dl>")[0]
    assert "Outcome payments payable" in totals and money(own) in totals
    assert "earned above the maximum outcome payment, not payable" in totals
    assert "£500.10" in totals


def test_the_evaluation_page_and_board_card_state_the_line(client, programme, earned):
    _load(earned["total"] - OVER)
    client.force_login(programme["provider_manager"])
    page = client.get(reverse("report_evaluation"), {"as_of": AS_OF.isoformat()})
    text = page.content.decode()
    assert ABOVE_MAXIMUM_LABEL in text and "Outcome payments payable" in text
    assert money(OVER) in text and money(earned["total"] - OVER) in text
    card = client.get(reverse("report_board"), {"quarter": "Q3 2024-25"}).content.decode()
    assert ABOVE_MAXIMUM_LABEL in card and "not payable" in card


def test_the_investor_sees_what_is_payable(client, programme, earned):
    cap = earned["total"] - OVER
    _load(cap)
    client.force_login(programme["investor"])
    page = client.get(reverse("finance_investor"), {"as_of": AS_OF.isoformat()}).content.decode()
    dl = page.split('data-testid="investor-money"')[1].split("</dl>")[0]
    assert f'Of which outcome payments</dt><dd class="govuk-summary-list__value">{money(cap)}' in dl
    above = dl.split('data-testid="investor-above-maximum"')[1].split("</div>")[0]
    assert "earned above the maximum outcome payment, not payable" in above
    assert money(OVER) in above
    home = client.get(reverse("home")).content.decode()
    assert "earned above the maximum outcome payment, not payable" in home


def test_the_indigo_export_states_what_is_payable(programme, earned):
    cap = earned["total"] - OVER
    _load(cap)
    project = indigo_project(as_of=AS_OF)
    finance = project["overall_project_finance"]
    assert Decimal(str(finance["total_outcome_payments_made"]["amount"]["value"])) == cap
    assert (
        "10000.25 more was earned above the maximum outcome payment and is not payable"
        in (finance["notes"])
    )
    committed = sum(
        Decimal(str(c["total_outcome_payments"]["amount"]["value"]))
        for c in project["outcome_payment_commitments"]
    )
    assert committed == cap
