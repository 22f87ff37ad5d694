"""Report computations over the database: load frames in scope, call the domain engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from stars.core import charts
from stars.core.permissions import Scope
from stars.core.spreadsheets import xlsx
from stars.core.tables import Table
from stars.domain.disclosure import SUPPRESSED, suppress_table, why_hidden
from stars.domain.evaluation.breakdowns import (
    BY_WEEKS_STATUSES,
    referrals_by_year_and_council,
    status_by_weeks_on_programme,
)
from stars.domain.evaluation.report import evaluation_report
from stars.domain.outcomes.frames import referrals_as_of
from stars.domain.vocabulary import label
from stars.finance.engine_bridge import programme_money_for
from stars.partnership.selectors import NoContract, contract_current, contract_or_none
from stars.reports.evaluation import evaluation_for, evaluation_json, programme_evaluation_json
from stars.reports.tables import evaluation_tables
from stars.tracker.selectors import programme_figures, report_frames


def published_for(scope: Scope | None) -> bool:
    """Does ``scope`` get the evaluation report's counts as published (a role that sees
    figures only: the evaluator), not as counted? The command line (no scope) and roles
    that see children's records get them as counted."""
    return scope is not None and not scope.child_level


def evaluation_context(
    *, scope: Scope | None, as_of: dt.date, published: bool = False
) -> dict[str, Any]:
    """Everything the evaluation page, HTML file and XLSX show: tables and charts.
    ``published``: counts as a role that sees figures only is given them (small counts and
    whatever would reveal one shown as "c", no chart, which would draw every count)."""
    contract = contract_current()
    enquiries, referrals, periods = report_frames(scope)
    report = (
        # quarter after quarter from the programme's first (decision 0018)
        evaluation_for(scope=scope, as_of=as_of, published=True)
        if published
        else evaluation_report(
            contract,
            enquiries,
            referrals,
            periods,
            as_of,
            programme=programme_money_for(contract, scope, as_of),  # the contract's maximum
        )
    )
    councils = scope.council_codes(contract.council_codes) if scope else contract.council_codes
    by_year = [
        r
        for r in referrals_by_year_and_council(contract, referrals, as_of)
        if scope is None
        or scope.programme_wide
        or any(contract.local_authority(c).name == r["council"] for c in councils)
    ]
    by_weeks = status_by_weeks_on_programme(referrals, as_of, contract.programme_weeks)
    bands: dict[str, dict[str, Any]] = {}
    for r in by_weeks:
        bands.setdefault(str(r["weeks"]), {})[str(r["status"])] = r["referrals"]
    if published:  # its columns add up to the case status counts published beside it
        status = report["cases"]["status"]
        bands = suppress_table(
            bands, hidden_columns=[s for s in BY_WEEKS_STATUSES if status.get(s) == SUPPRESSED]
        )[0]
        by_year = by_weeks = []  # no chart
    status_table = Table(
        "status_by_weeks",
        "Case status by weeks on the programme",
        ["Weeks on programme", *[label(s) for s in BY_WEEKS_STATUSES]],
        [[band, *[row[s] for s in BY_WEEKS_STATUSES]] for band, row in bands.items()],
    )
    return {
        "contract": contract,
        "as_of": as_of,
        "report": report,
        "tables": evaluation_tables(report, contract, councils),
        "status_table": status_table,
        "year_chart": charts.bar(
            by_year,
            x="year",
            y="referrals",
            color="council",
            stack=False,
            title="Referrals per contract year by council",
            x_title="Contract year",
            y_title="Referrals",
        )
        if by_year
        else "",
        "suppressed": published,
        # why the referrals' total is hidden, if it is: too few, or to protect a breakdown
        # (the one rule's words, as the investor's pages say it)
        "referrals_total_hidden": (
            why_hidden(referrals_as_of(referrals, as_of).height)
            if report["referrals"]["total"] == SUPPRESSED
            else ""
        ),
        "status_chart": ""
        if not by_weeks
        else charts.bar(
            [{**r, "status": label(str(r["status"]))} for r in by_weeks],
            x="weeks",
            y="referrals",
            color="status",
            colors={label(s): charts.STATUS_COLOURS[s] for s in BY_WEEKS_STATUSES},
            title="Case status by weeks on the programme",
            x_title="Weeks on the programme",
            y_title="Referrals",
        ),
        "council_note": (
            ", ".join(contract.local_authority(c).name for c in councils)
            if scope is not None and not scope.programme_wide
            else ""
        ),
    }


def evaluation_page_figures(
    scope: Scope | None, as_of: dt.date, *, published: bool = False
) -> dict[str, Any]:
    """``evaluation_context``, cached per version of the records, scope, date and whether
    published (``published_for``): what the evaluation page and the evaluator's home page
    show (``stars.core.cache``)."""
    return programme_figures(
        "evaluation_page",
        scope,
        (as_of, published),
        lambda: evaluation_context(scope=scope, as_of=as_of, published=published),
    )


def evaluation_xlsx(*, scope: Scope | None, as_of: dt.date) -> bytes:
    return _workbook(evaluation_context(scope=scope, as_of=as_of))


def _workbook(ctx: dict[str, Any]) -> bytes:
    tables = [*ctx["tables"], ctx["status_table"]]
    return xlsx(
        {t.key: (t.headers, t.rows) for t in tables},
        money_columns={t.key: t.money for t in tables},
        rate_columns={t.key: t.rates for t in tables},
    )


def evaluation_file(fmt: str, scope: Scope | None, as_of: dt.date) -> str | bytes:
    """The evaluation report for ``scope`` as the pages give it to download: ``xlsx``, the
    page's own figures (cached) as a workbook, or ``json``, built once per version of the
    records, scope and date (``stars.core.cache``); counts as published to a role that sees
    figures only (``published_for``)."""
    published = published_for(scope)
    if fmt == "xlsx":
        return _workbook(evaluation_page_figures(scope, as_of, published=published))
    return programme_figures(
        "evaluation_json",
        scope,
        (as_of, published),
        lambda: evaluation_json(scope=scope, as_of=as_of, published=published),
    )


def evaluation_html(*, scope: Scope | None, as_of: dt.date) -> str:
    return render_to_string(
        "reports/evaluation_doc.html", evaluation_context(scope=scope, as_of=as_of)
    )


def evaluation_document(*, fmt: str, as_of: dt.date) -> str | bytes:
    """The whole programme's evaluation report as JSON, XLSX or a standalone HTML page.

    With no contract loaded (nothing imported), the JSON still prints: zeros, empty maps.
    """
    if fmt == "json":
        return programme_evaluation_json(as_of=as_of)
    if contract_or_none() is None:
        raise NoContract("no contract is loaded: import a tracker first")
    if fmt == "xlsx":
        return evaluation_xlsx(scope=None, as_of=as_of)
    return evaluation_html(scope=None, as_of=as_of)
