"""The demo programme has the published shape of the DN2 evaluation's Table 5.1 (seed 001):
sustained weeks by cohort within 10% of A 1,365 / B 6,973 / C 1,130 / D 4,280, outcome
payments within 10% of £4,511,092, and a net cash loss (published −£853,592).

The unpublished weekly prices in contracts/dn2-stars.toml and the generator's cohort shapes
(stars.demo.synthetic) are the assumptions calibrated to it."""

from __future__ import annotations

from decimal import Decimal

from stars.demo.programme import DEMO_AS_OF
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.evaluation.report import evaluation_report
from tests.conftest import CONTRACT

PUBLISHED_WEEKS = {"A": 1365, "B": 6973, "C": 1130, "D": 4280}
PUBLISHED_OUTCOME_PAYMENTS = Decimal("4511092")


def test_the_demo_has_the_shape_of_table_5_1():
    terms = parse_contract(CONTRACT.read_text(encoding="utf-8"))
    # as `stars demo` generates it (its default seed and size)
    p = generate_programme(terms, n_referrals=228, as_of=DEMO_AS_OF, seed=2020)
    fin = evaluation_report(terms, p.enquiries, p.referrals, p.periods, DEMO_AS_OF)["finance"]
    for cohort, published in PUBLISHED_WEEKS.items():
        weeks = fin["by_cohort"][cohort]["sustained_weeks"]
        assert abs(weeks - published) <= published / 10, (cohort, weeks, published)
    outcome = fin["outcome_payments"]
    assert abs(outcome - PUBLISHED_OUTCOME_PAYMENTS) <= PUBLISHED_OUTCOME_PAYMENTS / 10, outcome
    assert fin["net_cash_saving"] < 0
