"""An evaluator who downloads the evaluation report quarter after quarter sees no count change
by 1 to 4 from one quarter to the next, and no count once published change; the investor
view, the targets page and INDIGO's open data print the same counts (decision 0018). Over
real HTTP."""

from __future__ import annotations

import itertools

from stars.core.permissions import scope_of
from stars.domain.calendar import parse_quarter
from stars.domain.disclosure import SUPPRESS_BELOW, SUPPRESSED
from stars.domain.evaluation.report import published_counts
from stars.finance.engine_bridge import evaluation_counted_for
from stars.finance.figures import investor_overview
from stars.partnership.selectors import contract_current
from stars.reports.evaluation import evaluation_for
from stars.reports.indigo import indigo_project
from stars.reports.targets import targets_suppressed
from tests.live_http import signed_in
from tests.reports.test_evaluation_suppression import _counts

FIRST = parse_quarter("Q3 2020-21")
QUARTERS = 8


def test_an_evaluator_sees_no_small_change_from_one_quarter_to_the_next(live_server, programme):
    web = signed_in(live_server, "evaluator")
    quarters = [FIRST]
    while len(quarters) < QUARTERS:
        quarters.append(quarters[-1].next())
    series = []
    for q in quarters:
        status, report = web.json("GET", f"/reports/evaluation/?as_of={q.end}&format=json")
        assert status == 200
        series.append(dict(_counts(report)))
    changed = 0
    for key in series[-1]:
        values = [0, *(counts.get(key, 0) for counts in series)]
        shown = [(i, n) for i, n in enumerate(values) if n != SUPPRESSED]
        for (i, a), (j, b) in itertools.pairwise(shown):
            assert (j == i + 1 and a == b) or b == 0 or abs(b - a) >= SUPPRESS_BELOW, (
                key,
                values,
            )
            changed += a != b
    assert changed  # the quarters chosen have counts that grew
    # some count grew by a few children in a quarter: the quarter's report on its own
    # (decision 0012 alone) shows it; published quarter after quarter it is hidden
    scope = scope_of(programme["evaluator"])
    alone = [
        dict(_counts(published_counts(evaluation_counted_for(scope, q.end)))) for q in quarters
    ]
    assert any(
        counts[k] == SUPPRESSED and own[k] != SUPPRESSED
        for counts, own in zip(series, alone, strict=True)
        for k in counts
    )

    # a quarter published again later reads the same
    q = quarters[3]
    status, again = web.json("GET", f"/reports/evaluation/?as_of={q.end}&format=json")
    assert dict(_counts(again)) == series[3]


def test_the_investor_view_targets_and_open_data_print_the_reports_counts(programme):
    contract = contract_current()
    for q in (parse_quarter("Q1 2021-22"), parse_quarter("Q2 2021-22")):
        report = evaluation_for(scope=None, as_of=q.end, published=True)
        refs, fin = report["referrals"], report["finance"]
        investor = investor_overview(contract, q.end)
        assert investor["referrals_total"] == refs["total"]
        assert [n for *_, n in investor["by_council"]] == [
            refs["by_local_authority"][la.code] for la in contract.local_authorities
        ]
        assert [n for *_, n in investor["by_cohort"]] == list(refs["by_cohort"].values())
        fees_hidden = fin["guaranteed_funding_payments"] == SUPPRESSED
        assert (investor["guaranteed_fees"] == SUPPRESSED) == fees_hidden
        targets = targets_suppressed(scope_of(programme["investor"]), q.end)
        assert targets["total"] == refs["total"]
        actual = [t["actual"] if isinstance(t, dict) else t.actual for t in targets["by_council"]]
        assert actual == [refs["by_local_authority"][la.code] for la in contract.local_authorities]
        beneficiaries = indigo_project(as_of=q.end)["service_and_beneficiaries"]
        shown = beneficiaries["actual_number_service_users_or_beneficiaries_total"]
        assert shown.get("value", SUPPRESSED) == refs["total"]
