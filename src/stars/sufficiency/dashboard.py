"""The sufficiency dashboard's tables and charts, from a council's stored returns."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from stars.core import charts
from stars.core.documents import pdf
from stars.core.spreadsheets import xlsx
from stars.core.tables import Table
from stars.domain.sufficiency.figures import AGE_BANDS, SufficiencyYear, sufficiency_years
from stars.domain.sufficiency.ssda903 import DASHBOARD_COLUMNS, groups_shown
from stars.partnership.models import Council
from stars.sufficiency.config import load_config
from stars.sufficiency.services import council_returns, council_years


def _label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def dashboard_context(council: Council) -> dict[str, Any]:
    merged = council_returns(council, DASHBOARD_COLUMNS)  # only what the figures read
    if merged is None:
        return {"council": council, "figures": [], "tables": [], "charts": []}
    config = load_config(settings.STARS_SUFFICIENCY_CONFIG)
    years = council_years(council)
    own = config.of_council(council.code)
    figures = sufficiency_years(
        merged.episodes,
        merged.headers,
        years,
        population=own.population,
        weekly_costs=config.weekly_cost,
    )
    latest = figures[-1]
    groups = groups_shown(merged.episodes)
    target = own.targets.get("looked_after_below")
    return {
        "council": council,
        "figures": figures,
        "latest": latest,
        "notes": (*merged.notes, *_no_population(figures, council)),
        "target": target,
        "tables": [
            *_tables(figures, latest, groups),
            _rates(figures, config.comparators, council),
        ],
        "charts": _charts(figures, target, groups),
    }


def _no_population(figures: tuple[SufficiencyYear, ...], council: Council) -> list[str]:
    """A note of the years with no rate per 10,000, for want of the council's child
    population in the configuration: where to give it, not a dash left unexplained."""
    years = [f.year for f in figures if f.rate_per_10k is None]
    if not years:
        return []
    consecutive = len(years) > 1 and years == list(range(years[0], years[-1] + 1))
    when = (
        f"{_label(years[0])} to {_label(years[-1])}"
        if consecutive
        else ", ".join(_label(y) for y in years)
    )
    them = "them" if len(years) > 1 else "it"
    return [
        f"no child population for {council.name} in {when} in the sufficiency "
        f"configuration: no rate per 10,000 children for {them} (give each year's children "
        f"under 18 under [population.{council.code}])"
    ]


def _rates(
    figures: tuple[SufficiencyYear, ...], comparators: dict[str, Any], council: Council
) -> Table:
    names = list(comparators)
    return Table(
        "rates",
        "Children looked after per 10,000 children, and spend",
        ["Year", council.name, *names, "Spend in the year"],
        [
            [
                _label(f.year),
                f.rate_per_10k if f.rate_per_10k is not None else "—",
                *[comparators[n].get(f.year, "—") for n in names],
                f.spend_total,
            ]
            for f in figures
        ],
        money={"Spend in the year"},
    )


def _tables(
    figures: tuple[SufficiencyYear, ...], latest: SufficiencyYear, groups: tuple[str, ...]
) -> list[Table]:
    heads = [_label(f.year) for f in figures]
    on = f"at 31 March {latest.year}"
    return [
        Table(
            "years",
            "Children looked after, starters and ceasers",
            [
                "Year",
                "Looked after at 31 March",
                "Starters",
                "Ceasers",
                "Net change",
                "3 or more placements in the year",
            ],
            [
                [
                    _label(f.year),
                    f.looked_after,
                    f.starters,
                    f.ceasers,
                    f.net_change,
                    f.three_plus_placements,
                ]
                for f in figures
            ],
        ),
        Table(
            "placements",
            "Placement mix at each 31 March",
            ["Placement group", *heads],
            [[g.capitalize(), *[f.placement_mix.get(g, 0) for f in figures]] for g in groups],
        ),
        Table(
            "ages",
            f"Age profile {on}",
            ["Age band", "Children"],
            [[b, latest.age_profile.get(b, 0)] for b in AGE_BANDS],
        ),
        Table(
            "legal",
            f"Legal status {on}",
            ["Legal status (LS)", "Children"],
            [[k, v] for k, v in sorted(latest.legal_status_mix.items())],
        ),
        Table(
            "leaving",
            f"Reasons for leaving care in {_label(latest.year)}",
            ["Reason (REC)", "Children"],
            [[k, v] for k, v in sorted(latest.ceased_reasons.items())],
        ),
    ]


def _charts(
    figures: tuple[SufficiencyYear, ...], target: int | None, groups: tuple[str, ...]
) -> list[str]:
    trend = [
        {"year": _label(f.year), "children": f.looked_after, "line": "Looked after"}
        for f in figures
    ]
    if target is not None:
        trend += [
            {"year": _label(f.year), "children": target, "line": f"Target: under {target}"}
            for f in figures
        ]
    cla = charts.line(
        trend,
        x="year",
        y="children",
        color="line",
        title="Children looked after at 31 March",
        x_title="Collection year",
        y_title="Children",
        height=220,
    )
    mix = charts.bar(
        [
            {"year": _label(f.year), "group": g, "children": f.placement_mix.get(g, 0)}
            for f in figures
            for g in groups
        ],
        x="year",
        y="children",
        color="group",
        title="Placement mix at 31 March",
        x_title="Collection year",
        y_title="Children",
        height=260,
    )
    flows = charts.bar(
        [
            {"year": _label(f.year), "flow": flow, "children": n}
            for f in figures
            for flow, n in (("Starters", f.starters), ("Ceasers", f.ceasers))
        ],
        x="year",
        y="children",
        color="flow",
        stack=False,
        title="Starters and ceasers",
        x_title="Collection year",
        y_title="Children",
        height=220,
    )
    return [cla, mix, flows]


def dashboard_xlsx(context: dict[str, Any]) -> bytes:
    tables = context["tables"]
    return xlsx(
        {t.title[:31]: (t.headers, t.rows) for t in tables},
        money_columns={t.title[:31]: t.money for t in tables},
    )


def dashboard_pdf(context: dict[str, Any]) -> bytes:
    return pdf(render_to_string("sufficiency/dashboard_doc.html", context))
