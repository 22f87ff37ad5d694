"""The contract simulator over the database: the programme's records, fitted and simulated.

Figures are the whole programme's, aggregate only (``stars.domain.simulation``); the page
and the command call ``simulation_for`` and show the baseline beside a what-if when settings
are given (the same seed for both, so the difference is the settings', not chance's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from stars.core.charts import fan
from stars.core.permissions import Scope
from stars.core.spreadsheets import xlsx
from stars.core.tables import Table
from stars.domain.calendar import add_months, financial_year_ends
from stars.domain.contract.terms import Contract
from stars.domain.disclosure import suppress
from stars.domain.money import pence, rate4, rate_number
from stars.domain.simulation.calibration import FIGURES, calibrate, coverage
from stars.domain.simulation.fit import Assumptions, fit
from stars.domain.simulation.investor import investor_runs
from stars.domain.simulation.montecarlo import Progress, Runs, contract_end, simulate
from stars.domain.simulation.pricing import FUND, is_money
from stars.domain.simulation.records import records_as_of
from stars.domain.simulation.summary import (
    FINANCE,
    PERCENTILES,
    distribution,
    minimum_rows,
    nearest_rank,
    simulation_summary,
)
from stars.domain.simulation.whatif import apply
from stars.partnership.selectors import contract_current
from stars.tracker.selectors import report_frames

DEFAULT_RUNS = 2000
MAX_RUNS = 100_000


class ProgrammeNotFound(LookupError):
    """``--programme`` names no programme the service holds."""


@dataclass(frozen=True)
class Scenario:
    contract: Contract
    assumptions: Assumptions
    runs: Runs
    summary: dict[str, Any]


@dataclass(frozen=True)
class Simulation:
    as_of: dt.date
    to: dt.date
    settings: tuple[str, ...]
    baseline: Scenario
    whatif: Scenario | None
    in_view: tuple[str, ...] | None = None  # the councils whose records (None: all)

    @property
    def shown(self) -> Scenario:
        """The scenario the JSON prints: the what-if when there is one."""
        return self.whatif or self.baseline


def programme_contract(programme: str | None) -> Contract:
    """The contract of a programme (by its code or name; None: the one in force)."""
    contract = contract_current()
    if programme is None:
        return contract
    names = {contract.name.lower(), str(getattr(contract, "code", "") or "").lower()}
    if programme.strip().lower() not in names - {""}:
        raise ProgrammeNotFound(
            f"--programme {programme!r}: the service holds the programme {contract.name!r}"
        )
    return contract


def simulation_for(
    *,
    as_of: dt.date,
    to: dt.date | None = None,
    runs: int = DEFAULT_RUNS,
    seed: int = 1,
    settings: Sequence[str] = (),
    programme: str | None = None,
    yearly: bool = False,
    councils: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Simulation:
    """The baseline (and the what-if of ``settings``) from the records as of ``as_of``;
    ``yearly``: with the figures at the records' date and each financial year's end too;
    ``councils``: the records of those councils only (None: the whole programme)."""
    contract = programme_contract(programme)
    scope = None if councils is None else Scope(frozenset(councils), None, False, False)
    enquiries, referrals, periods = report_frames(scope)
    records = records_as_of(enquiries, referrals, periods, as_of)
    assumptions = fit(contract, records)
    end = to or contract_end(contract)
    at = [as_of, *financial_year_ends(contract.start, end)] if yearly else []
    changed = apply(contract, assumptions, settings) if settings else None  # errors first
    total = runs * (2 if changed else 1)

    def scenario(c: Contract, a: Assumptions, offset: int) -> Scenario:
        def step(done: int, _: int) -> None:
            if progress is not None:
                progress(offset + done, total)

        r = simulate(c, records, a, to=end, runs=runs, seed=seed, at=at, progress=step)
        return Scenario(c, a, r, simulation_summary(c, r))

    baseline = scenario(contract, assumptions, 0)
    whatif = scenario(*changed, runs) if changed else None
    return Simulation(
        as_of, end, tuple(settings), baseline, whatif, tuple(councils) if councils else None
    )


# -- the workbook ---------------------------------------------------------------------------------

FIGURE_LABELS = {
    "referrals": "Referrals",
    "sustained_weeks": "Sustained weeks",
    "outcome_payments": "Outcome payments",
    "guaranteed_funding_payments": "Guaranteed funding payments",
    "cashable_savings": "Cashable savings",
    "cost_avoidance": "Cost avoidance",
    "net_cash_saving": "Net cash saving",
    "council_cost": "Council cost",
    "fund_contributions": "Outcome fund contributions",
}
HEADS = [
    "Mean",
    "2.5th percentile",
    "10th percentile",
    "Median",
    "90th percentile",
    "97.5th percentile",
]


def figure_rows(sim: Simulation) -> list[tuple[str, str, str]]:
    """(label, scope, output) of every figure shown: the programme's, then per council."""
    contract = sim.baseline.contract
    whole = "Programme" if sim.in_view is None else "Records in view"
    rows = [(FIGURE_LABELS[f], whole, f) for f in ("referrals", *FINANCE, "fund_contributions")]
    rows += [(f"Outcome fund: {f.name}", whole, FUND + f.name) for f in contract.funds]
    for la in contract.local_authorities:
        if sim.in_view is not None and la.code not in sim.in_view:
            continue
        rows.append(("Referrals", la.name, f"referrals@la:{la.code}"))
        for f in ("outcome_payments", "net_cash_saving"):
            rows.append((FIGURE_LABELS[f], la.name, f"{f}@la:{la.code}"))
    for c in contract.cohorts:
        rows.append(("Referrals", f"Cohort {c.code} {c.name}", f"referrals@cohort:{c.code}"))
    return rows


def _dist(s: Scenario, output: str) -> list[Any]:
    d = distribution(s.runs, output)
    return [d["mean"], *[d[k] for k, _ in PERCENTILES]]


def simulation_xlsx(sim: Simulation) -> bytes:
    """The simulation as a workbook: figures (baseline beside the what-if), minimums,
    assumptions and the run's settings."""
    scenarios = [("Baseline", sim.baseline)] + ([("What-if", sim.whatif)] if sim.whatif else [])
    heads = ["Figure", "Scope"] + [f"{n}: {h}" for n, _ in scenarios for h in HEADS]
    rows = [
        [lab, scope, *[v for _, s in scenarios for v in _dist(s, output)]]
        for lab, scope, output in figure_rows(sim)
    ]
    min_heads = ["Minimum", "Referrals required"] + [
        f"{n}: {h}"
        for n, _ in scenarios
        for h in ("Chance of falling short", "Expected shortfall", "Expected penalty")
    ]
    mins = [minimum_rows(s.contract, s.runs, sim.in_view) for _, s in scenarios]
    min_rows = [
        [m["minimum"], m["referrals_required"]]
        + [
            v
            for ms in mins
            for v in (
                rate_number(ms[i]["shortfall_probability"]),
                ms[i]["expected_shortfall"],
                ms[i]["expected_penalty"],
            )
        ]
        for i, m in enumerate(mins[0])
    ]
    assumptions = [[k, v, "fitted from the records"] for k, v in sim.baseline.assumptions.rows()]
    assumptions += [[s, "", "what-if setting"] for s in sim.settings]
    run = [
        ["Records as of", sim.as_of.isoformat()],
        ["Simulated to", sim.to.isoformat()],
        ["Runs", sim.baseline.runs.runs],
        ["Seed", sim.baseline.runs.seed],
        ["What-if settings", "; ".join(sim.settings) or "none"],
        ["Programme", sim.baseline.contract.name],
    ]
    return xlsx(
        {
            "Simulation": (heads, rows),
            "Minimums": (min_heads, min_rows),
            "Assumptions": (["Assumption", "Value", "Source"], assumptions),
            "Investor": (investor_tables(sim)[0]["headers"], investor_tables(sim)[0]["rows"]),
            "Run": (["Setting", "Value"], run),
        },
        money_columns={"Minimums": {h for h in min_heads if h.endswith("Expected penalty")}},
        rate_columns={"Minimums": {h for h in min_heads if h.endswith("Chance of falling short")}},
        money_rows={"Simulation": {lab for lab, _, output in figure_rows(sim) if is_money(output)}},
    )


# -- the page -------------------------------------------------------------------------------------


def _label(on: dt.date, to: dt.date) -> str:
    if on == dt.date(on.year, 4, 1) and on != to:
        return f"{on.year - 1}-{str(on.year)[2:]}"
    return f"to {on.isoformat()}"


def _band(values: Any, scale: int, money: bool) -> list[Any]:
    """p2.5, p10, median, p90, p97.5 of a run array (money as float pounds)."""
    ordered = np.sort(values)
    out = []
    for _, p in PERCENTILES:
        v = nearest_rank(ordered, p)
        out.append(float(Decimal(v).scaleb(-scale)) if money else v)
    return out


def _count_cell(value: int, suppressed: bool) -> int | str:
    return suppress(value) if suppressed else value


def page_payload(sim: Simulation, *, suppressed: bool = True) -> dict[str, Any]:
    """What the simulator page shows, as JSON (a background job returns it): tables and
    charts, aggregate only; counts from 1 to 4 shown as "c" when ``suppressed``."""
    base = sim.baseline
    scale = base.runs.pricing.scale
    scenarios = [("Baseline", base)] + ([("What-if", sim.whatif)] if sim.whatif else [])
    tables: list[dict[str, Any]] = []
    charts: list[dict[str, str]] = []

    # figures at E: median and bands, the what-if beside the baseline
    heads = ["Figure", "Scope"]
    for name, _ in scenarios:
        heads += [f"{name}: median", f"{name}: 80% band", f"{name}: 95% band"]
    rows = []
    for lab, scope, output in figure_rows(sim):
        money = is_money(output)
        row: list[Any] = [lab, scope]
        for _, s in scenarios:
            b = _band(s.runs.values(output), scale if money else 0, money)
            if money:
                row += [
                    pounds(b[2]),
                    f"{pounds(b[1])} to {pounds(b[3])}",
                    f"{pounds(b[0])} to {pounds(b[4])}",
                ]
            else:
                c = [_count_cell(int(v), suppressed) for v in b]
                row += [c[2], f"{c[1]} to {c[3]}", f"{c[0]} to {c[4]}"]
        rows.append(row)
    tables.append(
        {
            "key": "figures",
            "title": f"Figures by {sim.to:%-d %B %Y}, simulated from the records as of "
            f"{sim.as_of:%-d %B %Y}",
            "headers": heads,
            "rows": rows,
        }
    )

    # fan charts: cumulative figures at each financial year's end, then at E
    points = [t for t in base.runs.at if t >= sim.as_of]
    for output, title in (
        ("net_cash_saving", "Councils' net cash saving, cumulative"),
        ("outcome_payments", "Outcome payments, cumulative"),
    ):
        chart_rows = []
        for t in points:
            b = _band(base.runs.values(output, t), scale, True)
            chart_rows.append(
                {
                    "date": _label(t, sim.to),
                    "p2_5": b[0],
                    "p10": b[1],
                    "p50": b[2],
                    "p90": b[3],
                    "p97_5": b[4],
                }
            )
        key = f"fan_{output}"
        charts.append(
            {
                "key": key,
                "svg": fan(
                    chart_rows,
                    x="date",
                    median="p50",
                    bands=[("p2_5", "p97_5"), ("p10", "p90")],
                    title=f"{title}: median, 80% and 95% bands",
                    x_title="Financial year (figures to its end)",
                    y_title="£",
                ),
            }
        )
        tables.append(
            {
                "key": key,
                "title": f"{title} (baseline)",
                "headers": [
                    "Up to the end of",
                    "2.5th percentile",
                    "10th percentile",
                    "Median",
                    "90th percentile",
                    "97.5th percentile",
                ],
                "rows": [
                    [r["date"], r["p2_5"], r["p10"], r["p50"], r["p90"], r["p97_5"]]
                    for r in chart_rows
                ],
                "money": [
                    "2.5th percentile",
                    "10th percentile",
                    "Median",
                    "90th percentile",
                    "97.5th percentile",
                ],
            }
        )

    # by financial year: the year's own payments and savings (differences of the cumulative)
    fy_rows = []
    for before, after in zip(points, points[1:], strict=False):
        row = [_label(after, sim.to)]
        for output in ("outcome_payments", "savings", "council_cost"):
            diff = base.runs.values(output, after) - base.runs.values(output, before)
            b = _band(diff, scale, True)
            row += [b[2], f"{pounds(b[1])} to {pounds(b[3])}"]
        fy_rows.append(row)
    tables.append(
        {
            "key": "by_year",
            "title": "Each financial year's outcome payments, savings and council cost (baseline)",
            "headers": [
                "Financial year",
                "Outcome payments: median",
                "Outcome payments: 80% band",
                "Savings: median",
                "Savings: 80% band",
                "Council cost: median",
                "Council cost: 80% band",
            ],
            "rows": fy_rows,
            "money": ["Outcome payments: median", "Savings: median", "Council cost: median"],
        }
    )

    # by financial year and council: each council's own payments, savings and net cash
    council_rows = []
    for la in base.contract.local_authorities:
        if sim.in_view is not None and la.code not in sim.in_view:
            continue
        for before, after in zip(points, points[1:], strict=False):
            row = [f"{la.name}, {_label(after, sim.to)}"]
            for figure in ("outcome_payments", "savings", "net_cash_saving"):
                output = f"{figure}@la:{la.code}"
                diff = base.runs.values(output, after) - base.runs.values(output, before)
                b = _band(diff, scale, True)
                row += [b[2], f"{pounds(b[1])} to {pounds(b[3])}"]
            council_rows.append(row)
    tables.append(
        {
            "key": "by_year_council",
            "title": "Each financial year by council: outcome payments, savings and net cash "
            "saving (baseline)",
            "headers": [
                "Council and financial year",
                "Outcome payments: median",
                "Outcome payments: 80% band",
                "Savings: median",
                "Savings: 80% band",
                "Net cash saving: median",
                "Net cash saving: 80% band",
            ],
            "rows": council_rows,
            "money": [
                "Outcome payments: median",
                "Savings: median",
                "Net cash saving: median",
            ],
        }
    )

    # minimums, the programme maximum, the outcome fund
    min_heads = ["Minimum", "Referrals required"]
    for name, _ in scenarios:
        min_heads += [f"{name}: chance of falling short", f"{name}: expected penalty"]
    mins = [minimum_rows(s.contract, s.runs, sim.in_view) for _, s in scenarios]
    tables.append(
        {
            "key": "minimums",
            "title": "Referral minimums: the chance of falling short by the end, and the "
            "expected penalty",
            "headers": min_heads,
            "rows": [
                [m["minimum"], m["referrals_required"]]
                + [
                    v
                    for ms in mins
                    for v in (
                        rate_number(ms[i]["shortfall_probability"]),
                        float(pence(ms[i]["expected_penalty"])),
                    )
                ]
                for i, m in enumerate(mins[0])
            ],
            "money": [h for h in min_heads if h.endswith("expected penalty")],
            "rates": [h for h in min_heads if h.endswith("chance of falling short")],
        }
    )
    cap_rows = []
    for name, s in scenarios:
        cap = s.contract.maximum_outcome_payment
        paid = s.runs.values("outcome_payments") + s.runs.values("guaranteed_funding_payments")
        chance = None
        if cap is not None:
            chance = rate_number(rate4(int((paid >= int(cap.scaleb(scale))).sum()), s.runs.runs))
        b = _band(paid, scale, True)
        cap_rows.append(
            [
                f"{name}: programme maximum (outcome and guaranteed-funding payments)",
                pounds(float(cap)) if cap is not None else "no cap",
                chance,
                "",
                b[2],
                f"{pounds(b[1])} to {pounds(b[3])}",
            ]
        )
        for fund in s.contract.funds:
            output = FUND + fund.name
            b = _band(s.runs.values(output), scale, True)
            chance, when = None, ""
            if fund.cap is not None:
                limit = int(fund.cap.scaleb(scale))
                chance = rate_number(
                    rate4(int((s.runs.values(output) >= limit).sum()), s.runs.runs)
                )
                when = _median_date_reached(s, output, limit, sim)
            cap_rows.append(
                [
                    f"{name}: outcome fund {fund.name} ({fund.share * 100:g}% of outcome payments)",
                    pounds(float(fund.cap)) if fund.cap is not None else "no cap",
                    chance,
                    when,
                    b[2],
                    f"{pounds(b[1])} to {pounds(b[3])}",
                ]
            )
    tables.append(
        {
            "key": "caps",
            "title": "Caps: the programme maximum and each outcome fund, by the end",
            "headers": [
                "Cap",
                "Amount",
                "Chance it is reached",
                "Median year it is reached",
                "Paid: median",
                "Paid: 80% band",
            ],
            "rows": cap_rows,
            "money": ["Paid: median"],
            "rates": ["Chance it is reached"],
        }
    )
    tables += investor_tables(sim)
    tables.append(
        {
            "key": "assumptions",
            "title": "Assumptions fitted from the records as of the date",
            "headers": ["Assumption", "Value"],
            "rows": [list(r) for r in base.assumptions.rows()]
            + [[f"What-if: {s}", "set"] for s in sim.settings],
            "money": [],
        }
    )
    return {
        "as_of": sim.as_of.isoformat(),
        "to": sim.to.isoformat(),
        "runs": base.runs.runs,
        "seed": base.runs.seed,
        "settings": list(sim.settings),
        "tables": tables,
        "charts": charts,
    }


def _float_band(values: Any) -> list[float] | None:
    """p10, median, p90 of the values that are numbers (None if none is)."""
    known = np.sort(values[~np.isnan(values)])
    if known.size == 0:
        return None
    pick = [known[max(int(np.ceil(p * known.size / 100)), 1) - 1] for p in (10, 50, 90)]
    return [float(x) for x in pick]


def investor_tables(sim: Simulation) -> list[dict[str, Any]]:
    """The investor's cash flows (contract ``[investment]``): what it puts in at most, its
    costs and income, money multiple and IRR, and each financial year's flows."""
    base = sim.baseline
    inv = investor_runs(base.contract, base.runs)
    if inv is None:
        return [
            {
                "key": "investor",
                "title": "The investor's cash flows",
                "headers": ["Figure", "Value"],
                "rows": [["Investor's terms", "the contract has no [investment] terms"]],
            }
        ]
    n = inv.runs
    costs = np.asarray([float(sum(c, Decimal(0))) for c in inv.costs])
    income = np.asarray([float(sum(i, Decimal(0))) for i in inv.income])

    def money_row(name: str, values: Any) -> list[Any]:
        b = _float_band(values)
        assert b is not None
        return [name, pounds(b[1]), f"{pounds(b[0])} to {pounds(b[2])}"]

    def rate_row(name: str, values: Any, fmt: str) -> list[Any]:
        b = _float_band(values)
        if b is None:
            return [name, "none", ""]
        return [name, fmt.format(b[1]), f"{fmt.format(b[0])} to {fmt.format(b[2])}"]

    over = int((inv.peak > float(inv.terms.committed)).sum())
    none = int(np.isnan(inv.irr).sum())
    rows = [
        money_row("Put in at most (net, at a year's end)", inv.peak),
        [
            f"Chance of needing more than the £{inv.terms.committed:,.0f} committed",
            f"{100 * over / n:.1f}%",
            "",
        ],
        money_row("Delivery costs paid", costs),
        money_row("Outcome payments and fees kept", income),
        rate_row("Money multiple (kept ÷ costs)", inv.multiple, "{:.2f}"),
        rate_row("IRR (a year)", inv.irr * 100, "{:.1f}%"),
        ["Runs with no IRR (the flows never turn)", f"{100 * none / n:.1f}%", ""],
    ]
    by_year = []
    for k, end in enumerate(inv.ends):
        c = np.asarray([float(x[k]) for x in inv.costs])
        i = np.asarray([float(x[k]) for x in inv.income])
        by_year.append(
            [
                _label(end, sim.to),
                *money_row("", c)[1:2],
                *money_row("", i)[1:2],
                *money_row("", i - c)[1:],
            ]
        )
    terms = inv.terms
    note = (
        f"£{terms.weekly_cost_per_referral:,} a referral-week and £{terms.monthly_fixed_cost:,} "
        "a month"
        + (
            f", return capped at {terms.return_cap_multiple}× costs"
            if terms.return_cap_multiple
            else ""
        )
    )
    return [
        {
            "key": "investor",
            "title": f"The investor's cash flows by the end (baseline; delivery costs {note})",
            "headers": ["Figure", "Median", "80% band"],
            "rows": rows,
        },
        {
            "key": "investor_by_year",
            "title": "The investor's flows in each financial year (baseline, medians)",
            "headers": ["Financial year", "Costs", "Income", "Net", "Net: 80% band"],
            "rows": by_year,
        },
    ]


def _median_date_reached(s: Scenario, output: str, limit: int, sim: Simulation) -> str:
    """The financial year (or E) by whose end the median run has reached ``limit``."""
    points = [t for t in s.runs.at if t >= sim.as_of]
    reached = np.full(s.runs.runs, len(points), dtype=np.int64)
    for i in reversed(range(len(points))):
        reached = np.where(s.runs.values(output, points[i]) >= limit, i, reached)
    middle = int(np.sort(reached)[(s.runs.runs - 1) // 2])
    return _label(points[middle], sim.to) if middle < len(points) else "not by the end"


def pounds(value: float) -> str:
    d = Decimal(str(value)).quantize(Decimal("1"))
    return f"−£{abs(d):,}" if d < 0 else f"£{d:,}"


def payload_tables(payload: dict[str, Any]) -> list[Table]:
    """The payload's tables as ``Table`` (for the template)."""
    out = []
    for t in payload["tables"]:
        money = set(t.get("money", []))
        out.append(
            Table(t["key"], t["title"], t["headers"], t["rows"], money, set(t.get("rates", [])))
        )
    return out


# -- how far to trust it: the simulator against the programme's own history -----------------------

CALIBRATION_RUNS = 300
CALIBRATION_MONTHS = 3
FIGURE_NAMES = {
    "referrals": "Referrals",
    "outcome_payments": "Outcome payments",
    "net_cash_saving": "Net cash saving",
}


def calibration_payload(*, as_of: dt.date, councils: Sequence[str] | None = None) -> dict[str, Any]:
    """The simulator checked on the records' own history: from each cut date (every three
    months, from a year after the start to three months before ``as_of``) simulate to
    ``as_of`` and see whether the 80% band holds what the records show by then."""
    contract = contract_current()
    scope = None if councils is None else Scope(frozenset(councils), None, False, False)
    enquiries, referrals, periods = report_frames(scope)
    cuts = []
    cut = add_months(contract.start, 12)
    while cut <= add_months(as_of, -CALIBRATION_MONTHS):
        cuts.append(cut)
        cut = add_months(cut, CALIBRATION_MONTHS)
    rows = calibrate(
        contract, enquiries, referrals, periods, cuts=cuts, to=as_of, runs=CALIBRATION_RUNS, seed=1
    )
    share = coverage(rows)
    summary = [
        [FIGURE_NAMES[f], len(rows), sum(bool(r[f"{f}_inside"]) for r in rows), share[f]]
        for f in FIGURES
    ]
    detail = []
    for r in rows:
        line: list[Any] = [r["as_of"]]
        for f in FIGURES:
            money = f != "referrals"
            show = (lambda v: pounds(float(v))) if money else (lambda v: str(int(v)))
            line += [
                f"{show(r[f'{f}_p10'])} to {show(r[f'{f}_p90'])}",
                show(r[f"{f}_actual"]),
                "yes" if r[f"{f}_inside"] else "no",
            ]
        detail.append(line)
    heads = ["Simulated from"]
    for f in FIGURES:
        heads += [f"{FIGURE_NAMES[f]}: 80% band", f"{FIGURE_NAMES[f]}: actual", "Inside"]
    return {
        "kind": "calibration",
        "as_of": as_of.isoformat(),
        "runs": CALIBRATION_RUNS,
        "tables": [
            {
                "key": "coverage",
                "title": f"How often the 80% band held the actual figure as of {as_of:%-d %B %Y} "
                "(aim: 70% to 90%)",
                "headers": ["Figure", "Cut dates", "Inside the band", "Coverage"],
                "rows": summary,
                "rates": ["Coverage"],
            },
            {
                "key": "calibration_cuts",
                "title": "Each cut date: the band simulated from it and the actual",
                "headers": heads,
                "rows": detail,
            },
        ],
        "charts": [],
    }
