"""The targets page: accepted referrals against the contract's minimums, and the funnel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core import charts
from stars.core.dates import as_of as as_of_date
from stars.core.permissions import Scope, page, scope_of
from stars.domain.disclosure import SUPPRESSED, suppress_funnels
from stars.domain.pipeline import TargetLine, funnel, projection_to, shortfall_penalty
from stars.partnership.selectors import contract_current
from stars.reports.evaluation import evaluation_for
from stars.reports.services import evaluation_page_figures
from stars.tracker.selectors import programme_figures


@page("targets")
def targets(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    return render(
        request,
        "referrals/targets.html",
        {
            **targets_page_figures(scope, as_of_date(request, target="as_of")),
            "aggregate_only": not scope.child_level,
            "programme_wide": scope.programme_wide,
        },
    )


def targets_page_figures(scope: Scope, as_of: dt.date) -> dict[str, Any]:
    """:func:`targets_context`, cached per version of the records, the scope's councils and
    the date (``stars.core.cache``): its charts are drawn once per version, not per visit.
    A role that sees aggregate figures only gets them suppressed, cached apart."""
    if not scope.child_level:
        return programme_figures(
            "targets_page_suppressed", scope, (as_of,), lambda: targets_suppressed(scope, as_of)
        )
    return programme_figures("targets_page", scope, (as_of,), lambda: targets_context(scope, as_of))


def _published_lines(lines: list[TargetLine], cells: dict[str, int | str]) -> list[Any]:
    """Target lines as published (``cells``: their counts as the evaluation report publishes
    them): a hidden count's shortfall hidden with it (the minimum less the shortfall would
    give it away)."""
    return [
        {"label": t.label, "minimum": t.minimum, "actual": SUPPRESSED, "shortfall": SUPPRESSED}
        if cells[key] == SUPPRESSED
        else t
        for t, key in zip(lines, cells, strict=True)
    ]


def targets_suppressed(scope: Scope, as_of: dt.date) -> dict[str, Any]:
    """The targets page for a role that sees aggregate figures only (the investor): counts
    from 1 to 4, and any figure that would give one away (a second count of the same
    breakdown, a shortfall, a penalty, a projection, a funnel's step), shown as "c", and a
    chart only where its table hides nothing (a chart draws every count). The counts are
    the evaluation report's as published quarter after quarter from the programme's first
    (decision 0018), as the investor view and the board card print them."""
    ctx = targets_context(scope, as_of)
    contract = contract_current()
    report = evaluation_for(scope=scope, as_of=as_of, published=True)
    refs, enq = report["referrals"], report["enquiries"]
    councils = scope.council_codes(contract.council_codes)
    council_cells = {c: refs["by_local_authority"][c] for c in councils}
    by_council = _published_lines(ctx["by_council"], council_cells)
    penalties = [
        (t, SUPPRESSED if isinstance(t, dict) else p)
        for t, (_, p) in zip(by_council, ctx["penalties"], strict=True)
    ]
    cohort_cells = dict(refs["by_cohort"])
    by_cohort = _published_lines(ctx["by_cohort"], cohort_cells) if ctx["by_cohort"] else []
    years = refs["by_contract_year"]
    by_year = []
    for y, line in zip(refs["by_contract_year"], ctx["by_year"], strict=True):
        if years[y] == SUPPRESSED:
            t = line["line"]
            line = {
                **line,
                "line": {"label": t.label, "minimum": t.minimum, "actual": SUPPRESSED},
                **({"projection": SUPPRESSED} if "projection" in line else {}),
            }
        by_year.append(line)
    total = refs["total"]

    def published(
        funnels: list[tuple[str, list[tuple[str, int]]]],
        last: list[int | str],
        tables: list[dict[str, int | str]],
    ) -> list[Any]:
        """The funnels as published, their accepted referrals as the breakdown beside them
        (and the board card and the investor view) shows them, and the enquiries, the
        decided and the progressed hidden where the evaluation report's enquiries table
        (``tables``: each funnel's row) hides what they are worked out from."""
        rows = suppress_funnels(
            {i: [n for _, n in stages] for i, (_, stages) in enumerate(funnels)},
            dict(enumerate(last)),
            hidden={i: _funnel_hidden(row) for i, row in enumerate(tables)},
        )
        return [
            (name, list(zip([s for s, _ in stages], rows[i], strict=True)))
            for i, (name, stages) in enumerate(funnels)
        ]

    funnels = published(
        ctx["funnels"],
        [council_cells[c] for c in councils],
        [enq["by_local_authority"][c] for c in councils],
    )
    funnel_hides = any(n == SUPPRESSED for _, stages in funnels for _, n in stages)
    return {
        **ctx,
        "by_council": by_council,
        "by_cohort": by_cohort,
        "by_year": by_year,
        "penalties": penalties,
        "funnels": funnels,
        "cohort_funnels": published(
            ctx["cohort_funnels"],
            [cohort_cells[code] for code, _ in ctx["cohort_funnels"]],
            [enq["by_cohort"][code] for code, _ in ctx["cohort_funnels"]],
        ),
        # a chart draws every count: kept only where its table hides none
        "year_chart": "" if SUPPRESSED in years.values() else ctx["year_chart"],
        "funnel_chart": "" if funnel_hides else ctx["funnel_chart"],
        "total": total,
        "total_penalty": None,
    }


def _funnel_hidden(row: dict[str, int | str]) -> list[int]:
    """The stages of a funnel (enquiries, decided, progressed: ``funnel``'s) to hide where
    the enquiries' row of the evaluation report as published (its total and decisions)
    hides what they are: the enquiries are its total, the decided its total less those
    pending."""
    total, pending, progressed = (row[k] == SUPPRESSED for k in ("total", "pending", "progressed"))
    return [i for i, gone in enumerate((total, total or pending, progressed)) if gone]


def targets_context(scope: Scope, as_of: dt.date) -> dict[str, Any]:
    """The targets page's tables and charts for the scope's councils (the whole programme's
    cohorts too when the scope is programme-wide), as of a date."""
    contract = contract_current()
    report = evaluation_page_figures(scope, as_of)["report"]
    councils = scope.council_codes(contract.council_codes)
    refs = report["referrals"]
    enq = report["enquiries"]

    by_council = [
        TargetLine(
            contract.local_authority(c).name,
            contract.local_authority(c).minimum_referrals,
            refs["by_local_authority"][c],
        )
        for c in councils
    ]
    by_cohort = (
        [
            TargetLine(f"{c.code}: {c.name}", c.minimum_referrals, refs["by_cohort"][c.code])
            for c in contract.cohorts
        ]
        if scope.programme_wide
        else []
    )
    by_year = []
    year_now = contract.contract_year(as_of)
    for y, n in refs["by_contract_year"].items():
        start = contract.year_start(int(y))
        end = contract.year_start(int(y) + 1)
        line: dict[str, Any] = {
            "line": TargetLine(f"Year {y}", contract.minimum_for_year(int(y)), n),
            "start": start,
            "end": contract.year_end(int(y)),
        }
        if int(y) == year_now:
            line["projection"] = projection_to(n, start, end, as_of).quantize(Decimal("0.1"))
        by_year.append(line)
    per = contract.shortfall_penalty_per_referral
    end = contract.referral_period_end
    penalties = [(t, shortfall_penalty(t, per, contract.start, end, as_of)) for t in by_council]

    funnels = []
    for c in councils:
        decisions = {k: v for k, v in enq["by_local_authority"][c].items() if k != "total"}
        funnels.append(
            (contract.local_authority(c).name, funnel(decisions, refs["by_local_authority"][c]))
        )
    cohort_funnels = [
        (code, funnel({k: v for k, v in d.items() if k != "total"}, refs["by_cohort"][code]))
        for code, d in enq["by_cohort"].items()
    ]
    chart_rows = []
    for y in refs["by_contract_year"]:
        chart_rows.append(
            {
                "year": f"Year {y}",
                "referrals": refs["by_contract_year"][y],
                "minimum": contract.minimum_for_year(int(y)),
            }
        )
    year_chart = (
        charts.bar(
            chart_rows,
            x="year",
            y="referrals",
            title="Referrals accepted per contract year",
            x_title="Contract year",
            y_title="Referrals",
        )
        if chart_rows
        else ""
    )
    funnel_rows = [{"stage": s, "council": name, "count": n} for name, f in funnels for s, n in f]
    funnel_chart = (
        charts.bar(
            funnel_rows,
            x="stage",
            y="count",
            color="council",
            stack=False,
            title="From enquiry to referral",
            x_title="",
            y_title="Enquiries or referrals",
        )
        if funnel_rows
        else ""
    )
    return {
        "as_of": as_of,
        "by_council": by_council,
        "by_cohort": by_cohort,
        "by_year": by_year,
        "penalties": penalties,
        "per": per,
        "penalty_due": as_of > end,  # else each penalty is projected to the period's end
        "referral_period_end": end,
        "funnels": funnels,
        "cohort_funnels": cohort_funnels,
        "year_chart": year_chart,
        "funnel_chart": funnel_chart,
        "total": refs["total"],
        "total_penalty": sum((p.amount for _, p in penalties), Decimal(0)),
    }
