"""The evaluation report (page, JSON, XLSX) hides an evaluator's small counts of children as
the board card and the investor view do for the same data (decision 0012); roles that see
children's records, and the command line, keep exact counts. Over real HTTP."""

from __future__ import annotations

import io
import json
import re

from openpyxl import load_workbook

from stars.domain.calendar import parse_quarter
from stars.domain.disclosure import SUPPRESSED
from stars.domain.vocabulary import label
from stars.reports.card import card_context
from stars.reports.evaluation import evaluation_for
from tests.live_http import signed_in

Q = parse_quarter("Q3 2021-22")  # early in the programme: several counts from 1 to 4
URL = f"/reports/evaluation/?as_of={Q.end.isoformat()}"


def _counts(report: dict) -> list[tuple[str, object]]:
    """Every count of children in the report, each with where it is."""
    enq, refs, cases = report["enquiries"], report["referrals"], report["cases"]
    out: list[tuple[str, object]] = [("enquiries", enq["total"])]
    for part in ("by_cohort", "by_local_authority"):
        out += [
            (f"enquiries {part} {k} {d}", n) for k, v in enq[part].items() for d, n in v.items()
        ]
    out += [(f"referrals {k}", refs[k]) for k in ("total", "re_referrals", "guaranteed_funding")]
    for part in ("by_cohort", "by_local_authority", "by_contract_year"):
        out += [(f"referrals {part} {k}", n) for k, n in refs[part].items()]
    for part in ("status", "closure_reasons"):
        out += [(f"cases {part} {k}", n) for k, n in cases[part].items()]
    return out


def test_an_evaluator_sees_no_small_count_in_the_page_json_or_workbook(live_server, programme):
    web = signed_in(live_server, "evaluator")

    status, report = web.json("GET", URL + "&format=json")
    assert status == 200
    counts = _counts(report)
    assert [(at, n) for at, n in counts if n in (1, 2, 3, 4)] == []
    assert any(n == SUPPRESSED for _, n in counts)  # the quarter chosen has small counts
    # the board card for the same quarter's end shows nothing the report hides (it hides
    # more: counts whose change since last quarter would be 1 to 4, decision 0018)
    card = card_context(scope=None, quarter=Q, suppressed=True)
    referred = {
        r[0]: r[2] for r in next(s for s in card["sections"] if s.key == "referrals").table.rows
    }
    cohorts = {name.split(":")[0]: n for name, n in referred.items() if re.match(r"[A-Z]: ", name)}
    status_rows = next(s for s in card["sections"] if s.key == "cases").table.rows
    statuses = {r[1]: r[2] for r in status_rows if r[0] == "Status"}
    for on_card, in_report in (
        (cohorts, report["referrals"]["by_cohort"]),
        (statuses, {label(k): v for k, v in report["cases"]["status"].items()}),
    ):
        assert on_card.keys() == in_report.keys()
        assert all(on_card[k] in (SUPPRESSED, v) for k, v in in_report.items())
        assert all(on_card[k] == SUPPRESSED for k, v in in_report.items() if v == SUPPRESSED)
    # a rate is shown only where the counts it is worked out from are
    if SUPPRESSED in [
        report["cases"]["status"][s] for s in ("graduated", "closed_early", "gf_complete")
    ]:
        assert report["cases"]["closed_early_rate"] == SUPPRESSED

    status, _, body = web.request("GET", URL + "&format=xlsx")
    assert status == 200
    book = load_workbook(io.BytesIO(body))
    sheet = book["referrals_by_cohort"]
    _, *rows = sheet.iter_rows(values_only=True)
    assert [r[2] for r in rows] == list(report["referrals"]["by_cohort"].values())
    for r in rows:  # a hidden count's shortfall is hidden with it
        assert (r[2] == SUPPRESSED) == (r[3] == SUPPRESSED)
    for name in ("enquiries_by_cohort", "enquiries_by_council", "case_status", "status_by_weeks"):
        _, *rows = book[name].iter_rows(values_only=True)
        assert [v for r in rows for v in r[1:] if v in (1, 2, 3, 4)] == [], name

    status, _, page = web.request("GET", URL)
    assert status == 200
    text = page.decode()
    assert 'data-testid="suppressed-note"' in text
    table = re.search(r'data-testid="status_by_weeks".*?</table>', text, re.S).group(0)
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)
    ]
    assert [c for c in cells if c in ("1", "2", "3", "4")] == [] and "c" in cells
    assert "<svg" not in text  # a chart would draw every count


def test_roles_that_see_records_and_the_command_line_keep_exact_counts(live_server, programme):
    web = signed_in(live_server, "provider_manager")
    status, report = web.json("GET", URL + "&format=json")
    assert status == 200
    exact = evaluation_for(scope=None, as_of=Q.end)
    assert report["referrals"] == json.loads(json.dumps(exact["referrals"]))
    assert all(isinstance(n, int) for _, n in _counts(report))
    assert any(n in (1, 2, 3, 4) for _, n in _counts(report))
