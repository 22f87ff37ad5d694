"""The forecast page's figures: a projection carrying, per placement group, only the trend
its own rolling backtests earned, with a 90% band sized on their errors; a scenario beside
it; costs; and how far to trust it (errors 1-3 years ahead against "no change" and a damped
trend, and how often the band held the actual count)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from stars.core import charts
from stars.core.documents import pdf
from stars.core.spreadsheets import xlsx
from stars.core.tables import Table
from stars.domain.sufficiency.codes import (
    AGENCY_FOSTERING,
    EXTERNAL_RESIDENTIAL,
    INHOUSE_FOSTERING,
    INHOUSE_RESIDENTIAL,
    PLACEMENT_GROUPS,
    RESIDENTIAL_PROVIDER_NOT_RECORDED,
)
from stars.domain.sufficiency.forecast import Redirect, Scenario, project
from stars.domain.sufficiency.rolling import carried_projection, rolling_backtests
from stars.domain.sufficiency.ssda903 import MergedReturns, groups_shown
from stars.domain.sufficiency.trust import TOTAL, Evaluation, calibrate, evaluate
from stars.sufficiency.config import weekly_costs


@dataclass(frozen=True)
class Choices:
    years: int = 3
    residential_entries: int = 0  # % change of entries into residential care
    to_inhouse: int = 0  # % of agency fostering placements made in-house instead


RETURNS_LINE = "Looked after (returns)"
# each line of the forecast's chart has one colour (GOV.UK colours), whichever are drawn
LINE_COLOURS = {
    RETURNS_LINE: "#0b0c0c",
    "Expected": "#1d70b8",
    "90% band, low": "#505a5f",
    "90% band, high": "#505a5f",
    "Scenario": "#f47738",
}


def whole_percents(weights: dict[str, float]) -> dict[str, int]:
    """Weights that add up to 1 as whole per cents that add up to 100: each rounded down,
    the per cents left over going to the largest remainders (ties to the first named), so
    a page never states weights adding up to 99 or 101."""
    exact = {k: 100.0 * max(0.0, v) for k, v in weights.items()}
    whole = {k: int(v) for k, v in exact.items()}
    left = round(sum(exact.values())) - sum(whole.values())
    for k in sorted(exact, key=lambda k: whole[k] - exact[k])[: max(0, left)]:
        whole[k] += 1
    return whole


def forecast_context(merged: MergedReturns, latest_year: int, choices: Choices) -> dict[str, Any]:
    costs = weekly_costs(settings.STARS_SUFFICIENCY_CONFIG)
    rolling = rolling_backtests(
        merged.episodes, merged.headers, groups=groups_shown(merged.episodes)
    )
    model = rolling.models[latest_year]
    carry = calibrate(rolling.points, rolling.groups)
    raw = project(model, choices.years, weekly_costs=costs)
    towards = rolling.reverting_totals(latest_year, choices.years)
    base = carried_projection(raw, carry, weekly_costs=costs, reverting_totals=towards)
    scenario = Scenario(
        "scenario",
        entry_multipliers={
            g: 1 + choices.residential_entries / 100
            for g in (INHOUSE_RESIDENTIAL, EXTERNAL_RESIDENTIAL, RESIDENTIAL_PROVIDER_NOT_RECORDED)
            if g in rolling.groups
        },
        redirects=(Redirect(AGENCY_FOSTERING, INHOUSE_FOSTERING, choices.to_inhouse / 100),)
        if choices.to_inhouse
        else (),
    )
    changed = choices.residential_entries != 0 or choices.to_inhouse != 0
    alt = (
        carried_projection(
            project(model, choices.years, scenario=scenario, weekly_costs=costs),
            carry,
            weekly_costs=costs,
            baseline=raw,
            reverting_totals=towards,
        )
        if changed
        else None
    )
    rows = []
    for i, y in enumerate(base.years):
        row: list[Any] = [
            f"31 March {y.on.year}",
            round(y.total),
            f"{round(y.total_lower)} to {round(y.total_upper)}",
            y.cost_total,
        ]
        if alt is not None:
            row += [round(alt.years[i].total), alt.years[i].cost_total]
        rows.append(row)
    headers = ["At", "Children (expected)", "90% band", "Cost of the year"]
    if alt is not None:
        headers += ["Children (scenario)", "Cost (scenario)"]
    projection = Table(
        "projection",
        "Children looked after and cost, projected",
        headers,
        rows,
        money={"Cost of the year", "Cost (scenario)"},
    )
    last = base.years[-1]
    now_total = sum(base.stock_by_group.values())
    groups = Table(
        "groups",
        f"Expected children by placement group at 31 March {last.on.year}",
        [
            "Placement group",
            "Now",
            "Expected",
            "90% band",
            "Share of the children now",
            "Expected share",
            *(["Scenario"] if alt else []),
        ],
        [
            [
                g.capitalize(),
                base.stock_by_group.get(g, 0),
                round(last.by_group[g]),
                f"{round(last.lower[g])} to {round(last.upper[g])}",
                _share(base.stock_by_group.get(g, 0), now_total),
                _share(last.by_group[g], last.total),
                *([round(alt.years[-1].by_group[g])] if alt else []),
            ]
            for g in rolling.groups
        ],
        rates={"Share of the children now", "Expected share"},
    )
    evaluation = evaluate(rolling.points, rolling.groups)
    accuracy = accuracy_table(evaluation)
    # the children at each 31 March of the returns, up to the forecast's start: the line the
    # forecast goes on from
    past = [
        (y, n)
        for y, n in sorted(rolling.totals.items())
        if rolling.first_year <= y <= base.start.year
    ]
    history = Table(
        "history",
        "Children looked after at 31 March, from the returns",
        ["At", "Children"],
        [[f"31 March {y}", n] for y, n in past],
    )
    series: list[dict[str, Any]] = [
        {"at": f"{y}", "children": n, "line": RETURNS_LINE} for y, n in past
    ]
    series.append(
        {
            "at": f"{base.start.year}",
            "children": sum(base.stock_by_group.values()),
            "line": "Expected",
        }
    )
    for y in base.years:
        at = str(y.on.year)
        series += [
            {"at": at, "children": round(y.total, 1), "line": "Expected"},
            {"at": at, "children": round(y.total_lower, 1), "line": "90% band, low"},
            {"at": at, "children": round(y.total_upper, 1), "line": "90% band, high"},
        ]
        if alt is not None:
            i = base.years.index(y)
            series.append({"at": at, "children": round(alt.years[i].total, 1), "line": "Scenario"})
    chart = charts.line(
        series,
        x="at",
        y="children",
        color="line",
        colors={k: v for k, v in LINE_COLOURS.items() if any(r["line"] == k for r in series)},
        title="Children looked after at 31 March: the returns, then the forecast",
        x_title="31 March of",
        y_title="Children",
        height=240,
    )
    return {
        "choices": choices,
        "tables": [projection, groups, accuracy, history],
        "chart": chart,
        "trust_chart": trust_chart(evaluation) if evaluation.rows else "",
        "trust": trust_summary(evaluation, rolling.window_years),
        "costs": sorted(
            ((g, c) for g, c in costs.items() if g in rolling.groups),
            key=lambda kv: PLACEMENT_GROUPS.index(kv[0]),
        ),
        "growth": model.entry_growth,
        "short_history": _short_history(merged, latest_year, rolling.window_years),
        "window_years": model.window_years,
        "entries": {
            "years": model.entry_years,
            **whole_percents({"window": model.entry_weight, "long": 1.0 - model.entry_weight}),
        },
        # the total's weights of its four forecasts: ``Carry.carried`` written as a weighted
        # mean of "no change", the level, the model in full and the total reverting to its trend
        "total_shares": whole_percents(
            {
                "now": 1.0 - carry[TOTAL].weight - carry[TOTAL].damped,
                "level": carry[TOTAL].weight - carry[TOTAL].trend_share,
                "model": carry[TOTAL].trend_share,
                "reverting": carry[TOTAL].damped,
            }
        ),
        "group_shares": whole_percents(
            dict(
                zip(
                    ("now", "level", "model"),
                    carry[TOTAL].composition or (1.0, 0.0, 0.0),
                    strict=True,
                )
            )
        ),
        "notes": model.notes,
        "total_cost": sum((y.cost_total for y in base.years), Decimal(0)),
    }


def accuracy_table(evaluation: Evaluation) -> Table:
    """Mean absolute errors per group and years ahead over the rolling backtests."""
    return Table(
        "accuracy",
        "How far to trust it: mean error in children over the rolling backtests",
        [
            "Placement group",
            "Years ahead",
            "Backtests",
            "This forecast",
            "No change",
            "Damped trend",
            "Model's trend in full",
            "Inside the 90% band",
        ],
        [
            [
                r.group.capitalize(),
                r.horizon,
                r.backtests,
                round(r.forecast, 1),
                round(r.no_change, 1),
                round(r.damped, 1),
                round(r.model, 1),
                f"{r.covered} of {r.backtests}",
            ]
            for r in evaluation.rows
        ],
    )


def _short_history(merged: MergedReturns, latest_year: int, window_years: int) -> int | None:
    """The years of returns (the first to the latest) when fewer than the model's usual
    window (it is then fitted on those years only: before them only the children still
    looked after when the returns begin are seen); else None."""
    first = merged.episodes.get_column("YEAR").min()
    years = latest_year - int(first) + 1 if isinstance(first, int) else 0
    return years if years < window_years else None


def trust_summary(evaluation: Evaluation, window_years: int) -> dict[str, Any]:
    """What the page says above the accuracy table: origins, band coverage, the total's
    error against "no change" one year ahead."""
    groups = [r for r in evaluation.rows if r.group != TOTAL]
    n = sum(r.backtests for r in groups)
    covered = sum(r.covered for r in groups)
    one_year = next((r for r in evaluation.rows if r.group == TOTAL and r.horizon == 1), None)
    return {
        "origins": evaluation.origins,
        "window_years": window_years,
        "backtests": n,
        "covered": covered,
        "coverage": round(100 * covered / n) if n else None,
        "one_year": one_year,
    }


def trust_chart(evaluation: Evaluation) -> str:
    series = [
        {"ahead": str(r.horizon), "error": round(value, 1), "line": label}
        for r in evaluation.rows
        if r.group == TOTAL
        for label, value in (
            ("This forecast", r.forecast),
            ("No change", r.no_change),
            ("Damped trend", r.damped),
            ("Model's trend in full", r.model),
        )
    ]
    return charts.line(
        series,
        x="ahead",
        y="error",
        color="line",
        title="All children: mean error of each forecast in the rolling backtests",
        x_title="Years ahead",
        y_title="Mean error (children)",
        height=200,
    )


def choices_rows(choices: Choices) -> list[list[Any]]:
    """The scenario's settings, for the downloads (so a figure is never without its inputs)."""
    return [
        ["Years ahead", choices.years],
        ["Change in residential entries (%)", choices.residential_entries],
        ["Agency fostering placed in-house instead (%)", choices.to_inhouse],
    ]


def _share(part: float, whole: float) -> Decimal | str:
    """A share as the forecast gives it: to a whole per cent (0.16 is 16%), "-" of nothing."""
    return Decimal(round(100 * part / whole)) / 100 if whole > 0 else "-"


def forecast_xlsx(context: dict[str, Any]) -> bytes:
    tables = context["tables"]
    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        "Scenario": (["Setting", "Value"], choices_rows(context["choices"]))
    }
    sheets.update({t.key.capitalize(): (t.headers, [*t.rows, [], [t.title]]) for t in tables})
    trust = context["trust"]
    if trust["backtests"]:
        sheets["Accuracy"][1].append(
            [
                f"The 90% band held the actual count in {trust['covered']} of "
                f"{trust['backtests']} backtests ({trust['coverage']}%); each forecast used only "
                "the backtests whose 31 March had passed."
            ]
        )
    costs = [[group.capitalize(), cost] for group, cost in context["costs"]]
    sheets["Weekly unit costs"] = (["Placement group", "Weekly cost"], costs)
    money = {t.key.capitalize(): t.money for t in tables}
    money["Weekly unit costs"] = {"Weekly cost"}
    rates = {t.key.capitalize(): t.rates for t in tables}
    return xlsx(sheets, money_columns=money, rate_columns=rates)


def forecast_pdf(context: dict[str, Any]) -> bytes:
    return pdf(
        render_to_string(
            "sufficiency/forecast_doc.html",
            {**context, "settings": choices_rows(context["choices"])},
        )
    )
