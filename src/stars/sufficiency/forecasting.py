"""The forecast page's figures: a projection with its band, a scenario beside it, costs,
and a backtest of the last year (fit to the year before, forecast, compare)."""

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
from stars.domain.sufficiency.backtest import backtest
from stars.domain.sufficiency.codes import (
    AGENCY_FOSTERING,
    EXTERNAL_RESIDENTIAL,
    INHOUSE_FOSTERING,
    INHOUSE_RESIDENTIAL,
    PLACEMENT_GROUPS,
)
from stars.domain.sufficiency.forecast import Redirect, Scenario, fit_model, project
from stars.domain.sufficiency.ssda903 import MergedReturns, year_end
from stars.sufficiency.config import weekly_costs


@dataclass(frozen=True)
class Choices:
    years: int = 3
    residential_entries: int = 0  # % change of entries into residential care
    to_inhouse: int = 0  # % of agency fostering placements made in-house instead


def parse_choices(params: Any) -> tuple[Choices, dict[str, str]]:
    """The form's values, and an error per field that is not a whole number in range."""
    errors: dict[str, str] = {}
    bounds = {
        "years": (1, 5, 3, "Years ahead must be a whole number from 1 to 5"),
        "residential_entries": (
            -100,
            100,
            0,
            "Change in residential entries must be a whole number from -100 to 100",
        ),
        "to_inhouse": (0, 100, 0, "Share moved in-house must be a whole number from 0 to 100"),
    }
    values: dict[str, int] = {}
    for name, (low, high, default, message) in bounds.items():
        raw = (params.get(name) or "").strip()
        try:
            v = int(raw) if raw else default
        except ValueError:
            v, errors[name] = default, message
        if not low <= v <= high:
            v, errors[name] = default, message
        values[name] = v
    return Choices(**values), errors


def forecast_context(merged: MergedReturns, latest_year: int, choices: Choices) -> dict[str, Any]:
    costs = weekly_costs(settings.STARS_SUFFICIENCY_CONFIG)
    model = fit_model(merged.episodes, merged.headers, year_end(latest_year))
    base = project(model, choices.years, weekly_costs=costs)
    scenario = Scenario(
        "scenario",
        entry_multipliers={
            g: 1 + choices.residential_entries / 100
            for g in (INHOUSE_RESIDENTIAL, EXTERNAL_RESIDENTIAL)
        },
        redirects=(Redirect(AGENCY_FOSTERING, INHOUSE_FOSTERING, choices.to_inhouse / 100),)
        if choices.to_inhouse
        else (),
    )
    changed = choices.residential_entries != 0 or choices.to_inhouse != 0
    alt = project(model, choices.years, scenario=scenario, weekly_costs=costs) if changed else None
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
    groups = Table(
        "groups",
        f"Expected children by placement group at 31 March {base.years[-1].on.year}",
        ["Placement group", "Now", "Expected", *(["Scenario"] if alt else [])],
        [
            [
                g.capitalize(),
                base.stock_by_group.get(g, 0),
                round(base.years[-1].by_group[g]),
                *([round(alt.years[-1].by_group[g])] if alt else []),
            ]
            for g in PLACEMENT_GROUPS
        ],
    )
    bt = backtest(merged.episodes, merged.headers, latest_year)
    back = Table(
        "backtest",
        f"Backtest: fitted to 31 March {latest_year - 1}, forecast for 31 March {latest_year}",
        ["Placement group", "Actual", "Forecast", "Error", "No-change forecast", "Its error"],
        [
            [
                r.group.capitalize(),
                r.actual,
                round(r.forecast, 1),
                round(r.error, 1),
                r.naive,
                r.naive_error,
            ]
            for r in bt.rows
        ],
    )
    series = [
        {
            "at": f"{base.start.year}",
            "children": sum(base.stock_by_group.values()),
            "line": "Expected",
        }
    ]
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
        title="Children looked after at 31 March, projected",
        x_title="31 March of",
        y_title="Children",
        height=240,
    )
    return {
        "choices": choices,
        "tables": [projection, groups, back],
        "chart": chart,
        "costs": sorted(costs.items(), key=lambda kv: PLACEMENT_GROUPS.index(kv[0])),
        "growth": model.entry_growth,
        "notes": model.notes,
        "total_cost": sum((y.cost_total for y in base.years), Decimal(0)),
    }


def choices_rows(choices: Choices) -> list[list[Any]]:
    """The scenario's settings, for the downloads (so a figure is never without its inputs)."""
    return [
        ["Years ahead", choices.years],
        ["Change in residential entries (%)", choices.residential_entries],
        ["Agency fostering placed in-house instead (%)", choices.to_inhouse],
    ]


def forecast_xlsx(context: dict[str, Any]) -> bytes:
    tables = context["tables"]
    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {
        "Scenario": (["Setting", "Value"], choices_rows(context["choices"]))
    }
    sheets.update({t.key.capitalize(): (t.headers, [*t.rows, [], [t.title]]) for t in tables})
    costs = [[group.capitalize(), cost] for group, cost in context["costs"]]
    sheets["Weekly unit costs"] = (["Placement group", "Weekly cost"], costs)
    money = {t.key.capitalize(): t.money for t in tables}
    money["Weekly unit costs"] = {"Weekly cost"}
    return xlsx(sheets, money_columns=money)


def forecast_pdf(context: dict[str, Any]) -> bytes:
    return pdf(
        render_to_string(
            "sufficiency/forecast_doc.html",
            {**context, "settings": choices_rows(context["choices"])},
        )
    )
