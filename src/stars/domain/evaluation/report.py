"""The evaluation report of docs/tracker-format.md, as a dict with exact ``Decimal`` money.

``evaluation_report`` returns every key of the published JSON shape: every cohort and
council of the contract is present even without records (zeros, null rates), and every
contract year started by the as-of date is listed. ``report_to_json`` rounds money to pence
(half up) and rates to four places only when printing.

Enquiries are counted under the enquiry's cohort; referrals, cases and money under the
referral's.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from operator import itemgetter
from typing import Any

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.disclosure import (
    SUPPRESSED,
    is_small,
    parts_pin,
    published_amount,
    published_rate,
    suppress,
    suppress_amounts,
    suppress_breakdowns,
    suppress_funnel,
    suppress_over_time,
    suppress_parts,
    suppress_table,
)
from stars.domain.money import ZERO, Money, capped_split, rate4, to_json_ready
from stars.domain.outcomes.claims import payable_money
from stars.domain.outcomes.designs.registry import design_for
from stars.domain.outcomes.engine import WEEKS, money_of_group, referral_figures, unit_columns
from stars.domain.vocabulary import CLOSED, DECISIONS, STATUSES

# the key of the outcome payments earned above a maximum outcome payment (not payable)
ABOVE_MAXIMUM = "outcome_payments_above_maximum"
RATE_KEYS = frozenset(
    {"closed_early_rate", "closed_early_rate_by_cohort", "closed_early_rate_by_local_authority"}
)


def _tally(rows: list[tuple[Any, ...]], key: Any, value: Any) -> dict[Any, int]:
    """Sum the last field of ``rows`` (a count) per ``key(row)``."""
    out: dict[Any, int] = {}
    for row in rows:
        k = key(row)
        out[k] = out.get(k, 0) + int(value(row))
    return out


@dataclass(frozen=True)
class EnquiryCounts:
    """The enquiries received by ``as_of``, counted: ``rows`` of (cohort, local_authority,
    decision as recorded, how many of them had their decision made by ``as_of``, how many),
    one per combination. All the report needs of the enquiries, which a database can count
    without handing over every row (``stars.tracker.selectors.report_inputs``)."""

    as_of: dt.date
    rows: tuple[tuple[str, str, str, int, int], ...]


def enquiry_counts(enquiries: pl.DataFrame, as_of: dt.date) -> EnquiryCounts:
    """``EnquiryCounts`` of enquiry rows (``ENQUIRY_SCHEMA``)."""
    decided = pl.col("decision_date").is_not_null() & (pl.col("decision_date") <= as_of)
    rows = (
        enquiries.lazy()
        .filter(pl.col("enquiry_date") <= as_of)
        .group_by("cohort", "local_authority", "decision")
        .agg(decided.sum().cast(pl.Int64), pl.len().cast(pl.Int64))
        .collect()
        .rows()
    )
    return EnquiryCounts(as_of, tuple(rows))


def contract_year_expr(contract: Contract, column: str) -> pl.Expr:
    """The contract year of a date column (vectorised ``Contract.contract_year``)."""
    d, s = pl.col(column), contract.start
    # the start's day in the date's month, clamped to the month's last day (add_months)
    start_day = pl.min_horizontal(d.dt.month_end().dt.day().cast(pl.Int64), pl.lit(s.day))
    months = (
        (d.dt.year().cast(pl.Int64) - s.year) * 12
        + (d.dt.month().cast(pl.Int64) - s.month)
        - (d.dt.day().cast(pl.Int64) < start_day).cast(pl.Int64)
    )
    return (months // 12 + 1).alias("contract_year")


def _decisions(counts: dict[Any, int], key: str) -> dict[str, int]:
    row = {d: counts.get((key, d), 0) for d in DECISIONS}
    return {"total": sum(row.values()), **row}


def _closed_early_rate(counts: Mapping[Any, int], key: str) -> Decimal | None:
    closed = sum(counts.get((key, s), 0) for s in CLOSED)
    return rate4(counts.get((key, "closed_early"), 0), closed)


def _above(m: Money, above: bool) -> dict[str, Any]:
    """The line of outcome payments earned above a maximum outcome payment (not payable),
    in a report where any are: ``outcome_payments`` is what is payable."""
    return {ABOVE_MAXIMUM: m.above_maximum} if above else {}


def _finance_cohort(m: Money, figures: Mapping[str, Any], above: bool = False) -> dict[str, Any]:
    return {
        "sustained_weeks": m.sustained_weeks,
        "payable_weeks": m.payable_weeks,
        "savings": m.savings,
        "outcome_payments": m.outcome_payments,
        **_above(m, above),
        **figures,  # the payment design's own (continuous_milestones: milestones)
    }


def _finance_council(m: Money, above: bool = False) -> dict[str, Any]:
    return {
        "sustained_weeks": m.sustained_weeks,
        "cashable_savings": m.cashable_savings,
        "cost_avoidance": m.cost_avoidance,
        "outcome_payments": m.outcome_payments,
        **_above(m, above),
        "guaranteed_funding_payments": m.guaranteed_funding_payments,
        "net_cash_saving": m.net_cash_saving,
    }


def _sum(money: dict[tuple[str, str], Money], keep: Any) -> Money:
    total = Money()
    for key, m in money.items():
        if keep(key):
            total = total + m
    return total


@dataclass(frozen=True)
class Counted:
    """The evaluation report as of a date (``report``, exact) with the counts its
    publication needs beside it (``published_counts``): the cases by (cohort, status) and
    (council, status), which the rates are worked out from, and the guaranteed-funding
    referrals by council, whose fees are a price times them."""

    report: dict[str, Any]
    status_cohort: Mapping[tuple[str, str], int]
    status_la: Mapping[tuple[str, str], int]
    guaranteed_by_la: Mapping[str, int]


def evaluation_report(
    contract: Contract,
    enquiries: pl.DataFrame | EnquiryCounts,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    as_of: dt.date,
    *,
    programme: Mapping[tuple[str, str], Money] | None = None,
    published: bool = False,
) -> dict[str, Any]:
    """The evaluation report as of a date (``evaluation_counted``'s): counts as ints, money
    as exact ``Decimal``. ``published``: its counts of children as a role that sees figures
    only is given them as of that day alone (``published_counts``: "c" for a count from 1
    to 4 and whatever would reveal one); quarter after quarter, ``published_over_time``."""
    counted = evaluation_counted(
        contract, enquiries, referrals, periods, as_of, programme=programme
    )
    return published_counts(counted) if published else counted.report


def evaluation_counted(
    contract: Contract,
    enquiries: pl.DataFrame | EnquiryCounts,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    as_of: dt.date,
    *,
    programme: Mapping[tuple[str, str], Money] | None = None,
) -> Counted:
    """The evaluation report as of a date, exact, with what its publication needs.

    Outcome payments are what the contract pays, within each maximum outcome payment
    (``payable_money``); where any were earned above one, each finance section also states
    them (``outcome_payments_above_maximum``, not payable), so earned = both together.
    ``programme``: the whole programme's money per (council, cohort) (``money_by_group``)
    when the frames are a part of it (a council's records), for the contract's maximum.

    Frames have the tracker's columns (``stars.domain.outcomes.engine.*_SCHEMA``), the ids
    as text or as integer keys alike (the report only joins on them and sees which are
    missing); the enquiries may come already counted as of the same date
    (``EnquiryCounts``). Records of a
    council or cohort the contract does not know count in the programme totals only.
    """
    cohorts = contract.cohort_codes
    councils = contract.council_codes

    # one small table of counts per (cohort, council, decision), then plain Python: an
    # enquiry whose decision was not made by ``as_of`` is pending then
    counted = (
        enquiries if isinstance(enquiries, EnquiryCounts) else enquiry_counts(enquiries, as_of)
    )
    if counted.as_of != as_of:
        raise ValueError(f"enquiries counted as of {counted.as_of}, not {as_of}")
    e_rows = [
        row
        for cohort, la, decision, decided, n in counted.rows
        for row in ((cohort, la, decision, decided), (cohort, la, "pending", n - decided))
        if row[3]
    ]
    by_cohort_decision = _tally(e_rows, lambda r: (r[0], r[2]), lambda r: r[3])
    by_la_decision = _tally(e_rows, lambda r: (r[1], r[2]), lambda r: r[3])

    # one small table of counts and integer weeks (and the payment designs' other integer
    # units) per combination of the referral's codes
    figures = referral_figures(contract, referrals, periods, as_of)
    summed = ("referrals", *WEEKS, *unit_columns(contract))
    groups = (
        figures.lazy()
        .with_columns(
            contract_year_expr(contract, "referral_date"),
            pl.col("enquiry_id").is_null().alias("re_referral"),
        )
        .group_by(
            "local_authority",
            "cohort",
            "funding",
            "status_as_of",
            "closure_reason_as_of",
            "contract_year",
            "re_referral",
        )
        .agg(pl.len().alias("referrals"), *[pl.col(c).sum() for c in summed[1:]])
        .collect()
        .rows()
    )
    n = itemgetter(7)  # the count of referrals of a group
    years = _tally(groups, lambda r: r[5], n)
    by_cohort = _tally(groups, lambda r: r[1], n)
    by_la = _tally(groups, lambda r: r[0], n)
    status = _tally(groups, lambda r: r[3], n)
    reasons = _tally([r for r in groups if r[3] == "closed_early"], lambda r: r[4], n)
    status_cohort = _tally(groups, lambda r: (r[1], r[3]), n)
    status_la = _tally(groups, lambda r: (r[0], r[3]), n)
    closed = sum(status.get(s, 0) for s in CLOSED)

    # money is linear in counts and weeks: sum the integers per (council, cohort, funding)
    # first, then price each sum once (exact either way; far fewer Decimal operations)
    weeks: dict[tuple[str, str, str], list[int]] = {}
    for row in groups:  # (council, cohort, funding, 4 more codes, then the integers summed)
        w = weeks.setdefault(row[:3], [0] * len(summed))
        for i, value in enumerate(row[7:]):
            w[i] += value
    money: dict[tuple[str, str], Money] = {}
    units: dict[str, dict[str, int]] = {c: dict.fromkeys(summed, 0) for c in cohorts}
    for (la, cohort, funding), sums in weeks.items():
        m = money_of_group(contract, cohort, funding, dict(zip(summed, sums, strict=True)))
        money[(la, cohort)] = money[(la, cohort)] + m if (la, cohort) in money else m
        if cohort in units:
            for name, value in zip(summed, sums, strict=True):
                units[cohort][name] += value
    # what the contract pays: within each maximum outcome payment
    money = payable_money(contract, money, programme)
    above = any(m.above_maximum for m in money.values())
    # the outcome funds pay their shares of all outcome payments, each up to its cap
    total = _sum(money, lambda k: True)
    funds = _fund_contributions(contract, money, programme)
    grand = replace(total, fund_contributions=sum(funds.values(), ZERO))

    report = {
        "as_of": as_of.isoformat(),
        "enquiries": {
            "total": sum(r[3] for r in e_rows),
            "by_cohort": {c: _decisions(by_cohort_decision, c) for c in cohorts},
            "by_local_authority": {la: _decisions(by_la_decision, la) for la in councils},
        },
        "referrals": {
            "total": sum(r[7] for r in groups),
            "re_referrals": sum(r[7] for r in groups if r[6]),
            "guaranteed_funding": sum(r[7] for r in groups if r[2] == "guaranteed"),
            "by_cohort": {c: by_cohort.get(c, 0) for c in cohorts},
            "by_local_authority": {la: by_la.get(la, 0) for la in councils},
            "by_contract_year": {str(y): years.get(y, 0) for y in contract.years_started(as_of)},
        },
        "cases": {
            "status": {s: status.get(s, 0) for s in STATUSES},
            "closure_reasons": {r: reasons.get(r, 0) for r in contract.closure_reasons},
            "closed_early_rate": rate4(status.get("closed_early", 0), closed),
            "closed_early_rate_by_cohort": {
                c: _closed_early_rate(status_cohort, c) for c in cohorts
            },
            "closed_early_rate_by_local_authority": {
                la: _closed_early_rate(status_la, la) for la in councils
            },
        },
        "finance": {
            "by_cohort": {
                c: _finance_cohort(
                    _sum(money, lambda k, c=c: k[1] == c),
                    design_for(contract, c).figures(contract, c, units[c]),
                    above,
                )
                for c in cohorts
            },
            "by_local_authority": {
                la: _finance_council(_sum(money, lambda k, la=la: k[0] == la), above)
                for la in councils
            },
            "sustained_weeks": grand.sustained_weeks,
            "cashable_savings": grand.cashable_savings,
            "cost_avoidance": grand.cost_avoidance,
            "outcome_payments": grand.outcome_payments,
            **_above(grand, above),
            "guaranteed_funding_payments": grand.guaranteed_funding_payments,
            "net_cash_saving": grand.net_cash_saving,
            "lcf_contribution": grand.fund_contributions,
            "council_cost": grand.council_cost,
            "outcome_funds": funds,
        },
    }
    guaranteed = _tally([r for r in groups if r[2] == "guaranteed"], lambda r: r[0], n)
    return Counted(report, status_cohort, status_la, guaranteed)


def _rate_shown(counts: Mapping[Any, int], key: str) -> Decimal | str | None:
    """A group's closed-early rate as published: "c" unless both its cases closed early and
    its other ended cases are shown (neither from 1 to 4)."""
    early = counts.get((key, "closed_early"), 0)
    closed = sum(counts.get((key, s), 0) for s in CLOSED)
    return published_rate(
        _closed_early_rate(counts, key), [suppress(early), suppress(closed - early)]
    )


def status_hidden(closure_reasons: Mapping[str, int], hidden: Iterable[str] = ()) -> list[str]:
    """The case statuses to publish as "c" whatever their size: "closed early" where the
    reasons published beside it (with those ``hidden`` hidden whatever their size) would
    give themselves away (``parts_pin``: two reasons of 4 beside 8 closed early). The
    evaluation report, the board card and the investor view hide it alike."""
    return ["closed_early"] if parts_pin(closure_reasons, hidden=hidden) else []


# every count of children the report publishes, keyed alike from quarter to quarter:
# (section, code) or (section, code, code), e.g. ("by_cohort", "A"),
# ("enquiries_by_cohort", "A", "accepted"), ("milestones", "A", "m1")
CountKey = tuple[str, ...]
REFERRAL_BREAKDOWNS = ("by_cohort", "by_local_authority", "by_contract_year")
ENQUIRY_TABLES = ("by_cohort", "by_local_authority")


def report_counts(counted: Counted) -> dict[CountKey, int]:
    """Every count of children the report publishes, exact (``published_cells`` gives them
    as published): what ``published_over_time`` follows from quarter to quarter."""
    return _count_cells(counted.report, counted.guaranteed_by_la)


def published_cells(published: dict[str, Any], counted: Counted) -> dict[CountKey, int | str]:
    """``report_counts`` as ``published`` (the report of ``counted`` as published) gives
    them: a council's guaranteed-funding referrals, which it does not print, are hidden
    where their fees are (the fees are a price times them)."""
    fin = published["finance"]["by_local_authority"]
    guaranteed: dict[str, int | str] = {
        la: SUPPRESSED if fin[la]["guaranteed_funding_payments"] == SUPPRESSED else n
        for la, n in _guaranteed(counted).items()
    }
    return _count_cells(published, guaranteed)


def _guaranteed(counted: Counted) -> dict[str, int]:
    councils = counted.report["finance"]["by_local_authority"]
    return {la: counted.guaranteed_by_la.get(la, 0) for la in councils}


def _count_cells(report: dict[str, Any], guaranteed: Mapping[str, Any]) -> dict[CountKey, Any]:
    enq, refs, cases = report["enquiries"], report["referrals"], report["cases"]
    councils = report["finance"]["by_local_authority"]
    return {
        ("enquiries", "total"): enq["total"],
        **{
            (f"enquiries_{t}", k, d): n
            for t in ENQUIRY_TABLES
            for k, row in enq[t].items()
            for d, n in row.items()
        },
        **{("referrals", k): refs[k] for k in ("total", "re_referrals", "guaranteed_funding")},
        **{(g, k): n for g in REFERRAL_BREAKDOWNS for k, n in refs[g].items()},
        **{("status", k): n for k, n in cases["status"].items()},
        **{("closure_reasons", k): n for k, n in cases["closure_reasons"].items()},
        **{
            ("milestones", c, m): n
            for c, f in report["finance"]["by_cohort"].items()
            for m, n in f.get("milestones", {}).items()
        },
        **{("guaranteed_by_la", la): guaranteed.get(la, 0) for la in councils},
    }


def published_over_time(series: Sequence[Counted]) -> list[dict[str, Any]]:
    """The reports of ``series`` (as of each quarter's end from the programme's first,
    oldest first) as a role that sees figures only is given them, quarter after quarter:
    every count of children (``report_counts``) by ``suppress_over_time``, so that a count
    once published is never changed, two counts shown one quarter after the other differ
    by 0 or by 5 or more, and money that is a price times a count hidden in a quarter is
    hidden with it (decision 0018). A quarter's report depends on it and the quarters
    before only, so it reads the same in every later quarter's series."""
    reports: list[dict[str, Any]] = []

    def publish(
        counts: Mapping[CountKey, int], hidden: frozenset[CountKey]
    ) -> dict[CountKey, int | str]:
        counted = series[len(reports)]  # suppress_over_time publishes quarter by quarter
        reports.append(published_counts(counted, hidden))
        return published_cells(reports[-1], counted)

    suppress_over_time([report_counts(c) for c in series], publish)
    return reports


def published_counts(counted: Counted, hidden: Iterable[CountKey] = ()) -> dict[str, Any]:
    """The report as a role that sees figures only is given it: every count of children by
    the rule of ``stars.domain.disclosure`` that the board card and the investor view apply
    to the same figures (decision 0012). Each breakdown (referrals by cohort, council and
    contract year; cases by status; closures by reason) is ``suppress_group``'s, with one
    total hidden where any breakdown hides it (``suppress_breakdowns``); enquiries by cohort
    or council and decision are two-way tables (``suppress_table``); the referrals that
    earned each milestone, each a part of the one before, a funnel (``suppress_funnel``);
    a rate is shown only when the counts it is worked out from are. Money that is a known
    price times a hidden count is hidden with it, and so are the totals and figures it would
    be worked out from (``published_finance``). ``status_cohort`` and ``status_la``: the
    cases by (cohort, status) and (council, status), which the rates are worked out from
    (``counted``'s). ``hidden``: counts (``report_counts``' keys) to hide whatever their size,
    with what would give them away (``published_over_time``'s)."""
    report, status_cohort, status_la = counted.report, counted.status_cohort, counted.status_la
    enq, refs, cases, fin = (report[k] for k in ("enquiries", "referrals", "cases", "finance"))
    forced = set(hidden)

    def of(section: str) -> list[Any]:
        """The codes of the counts of ``section`` to hide whatever their size."""
        return [k[1] if len(k) == 2 else k[1:] for k in forced if k[0] == section]

    def table(name: str, grand_hidden: bool) -> tuple[dict[str, dict[str, Any]], Any]:
        decisions = {k: {d: v[d] for d in DECISIONS} for k, v in enq[name].items()}
        codes = of(f"enquiries_{name}")
        cells, totals, grand = suppress_table(
            decisions,
            hidden=[(k, d) for k, d in codes if d != "total"],
            hidden_totals=[k for k, d in codes if d == "total"],
            grand_hidden=grand_hidden,
        )
        return {k: {"total": totals[k], **cells[k]} for k in decisions}, grand

    # one enquiries total beside two tables: hidden in both where either hides it
    grand_hidden = ("enquiries", "total") in forced
    tables = {t: table(t, grand_hidden) for t in ENQUIRY_TABLES}
    if not grand_hidden and enq["total"] and any(g == SUPPRESSED for _, g in tables.values()):
        tables = {t: table(t, True) for t in ENQUIRY_TABLES}
    enquiries = {
        "total": SUPPRESSED if any(g == SUPPRESSED for _, g in tables.values()) else enq["total"],
        **{t: cells for t, (cells, _) in tables.items()},
    }
    groups = {k: refs[k] for k in REFERRAL_BREAKDOWNS}
    over = {g: set(of(g)) for g in groups}
    breakdowns, total = suppress_breakdowns(
        {**groups, "status": cases["status"]},
        refs["total"],
        hidden={
            **over,
            "status": {
                *of("status"),
                *status_hidden(cases["closure_reasons"], of("closure_reasons")),
            },
        },
        total_hidden=("referrals", "total") in forced,
    )
    status = breakdowns.pop("status")
    reasons = suppress_parts(
        cases["closure_reasons"], status["closed_early"], hidden=of("closure_reasons")
    )

    def alone(key: str) -> int | str:
        n: int = refs[key]
        return SUPPRESSED if ("referrals", key) in forced and n else suppress(n)

    guaranteed = alone("guaranteed_funding")
    return {
        **report,
        "enquiries": enquiries,
        "referrals": {
            **refs,
            "total": total,
            "re_referrals": alone("re_referrals"),
            "guaranteed_funding": guaranteed,
            **breakdowns,
        },
        "cases": {
            "status": status,
            "closure_reasons": reasons,
            "closed_early_rate": published_rate(
                cases["closed_early_rate"], [status[s] for s in CLOSED]
            ),
            "closed_early_rate_by_cohort": {
                c: _rate_shown(status_cohort, c) for c in cases["closed_early_rate_by_cohort"]
            },
            "closed_early_rate_by_local_authority": {
                la: _rate_shown(status_la, la)
                for la in cases["closed_early_rate_by_local_authority"]
            },
        },
        "finance": published_finance(
            fin,
            guaranteed,
            counted.guaranteed_by_la,
            refs["by_local_authority"],
            hidden=forced,
        ),
    }


def published_finance(
    fin: dict[str, Any],
    guaranteed: int | str,
    guaranteed_by_la: Mapping[str, int],
    referrals_by_la: Mapping[str, int] | None = None,
    *,
    hidden: Iterable[CountKey] = (),
) -> dict[str, Any]:
    """The report's money as a role that sees figures only is given it (decision 0012):
    an amount that is a known price times a hidden count hidden with the count
    (``stars.domain.disclosure.published_amount``), and the totals and figures it could be
    worked out from hidden beside it (``suppress_amounts``):

    - guaranteed-funding fees (the referrals funded times the contract's weekly fee times
      its minimum weeks): the programme's where its guaranteed-funding referrals are hidden
      (``guaranteed``, as published), a council's where its own are from 1 to 4;
    - a milestone cohort's outcome payments (the referrals that earned each milestone times
      its price): where a milestone's count is hidden (``suppress_funnel``); the programme's
      outcome payments then where they would give it away (a weekly cohort's payments are
      its weeks times its price, so never hidden in its place), and a council's so that the
      councils' do not add up to a hidden total;
    - the net cash saving, council cost and outcome funds' contributions, worked out from
      those, where any of them is hidden;
    - what was earned above a maximum outcome payment, where the outcome payments beside
      it are hidden (with the maximum, printed in the contract, it would give them away);
    - a council's money and weeks where its referrals (``referrals_by_la``) are from 1 to
      4 (they would be those children's outcomes), and another council's beside it where
      the programme's figure less the others would give it away (decision 0018).

    ``hidden``: counts (``report_counts``' keys) hidden whatever their size
    (``published_over_time``'s): a milestone's referrals, and a council's guaranteed-funding
    referrals, whose fees are then hidden."""
    forced = set(hidden)
    by_cohort = {
        c: {**f, "milestones": _funnel(f["milestones"], c, forced)} if "milestones" in f else f
        for c, f in fin["by_cohort"].items()
    }
    by_la = fin["by_local_authority"]
    few = [la for la in by_la if is_small((referrals_by_la or {}).get(la, 0))]
    fees, fees_total = suppress_amounts(
        {la: f["guaranteed_funding_payments"] for la, f in by_la.items()},
        [
            la
            for la in by_la
            if is_small(guaranteed_by_la.get(la, 0))
            or la in few
            or ("guaranteed_by_la", la) in forced
        ],
        total_hidden=guaranteed == SUPPRESSED,
    )
    milestone_hidden = [
        c for c, f in by_cohort.items() if SUPPRESSED in f.get("milestones", {}).values()
    ]
    paid_cohort, paid_total = suppress_amounts(
        {c: f["outcome_payments"] for c, f in by_cohort.items()},
        milestone_hidden,
        fixed=[c for c, f in by_cohort.items() if "milestones" not in f],
    )
    paid_la, _ = suppress_amounts(
        {la: f["outcome_payments"] for la, f in by_la.items()},
        few,
        total_hidden=paid_total == SUPPRESSED,
    )
    # a council of few children: its other money and weeks too, beside the programme's
    own = {
        key: suppress_amounts({la: Decimal(f[key]) for la, f in by_la.items()}, few)[0]
        for key in ("sustained_weeks", "cashable_savings", "cost_avoidance")
    }

    def council(la: str, f: dict[str, Any]) -> dict[str, Any]:
        shown = [fees[la], paid_la[la], own["cashable_savings"][la]]
        return {
            **f,
            **{key: f[key] if own[key][la] != SUPPRESSED else SUPPRESSED for key in own},
            "outcome_payments": paid_la[la],
            **_above_shown(f, paid_la[la]),
            "guaranteed_funding_payments": fees[la],
            "net_cash_saving": published_amount(f["net_cash_saving"], shown),
        }

    shown = [fees_total, paid_total]
    return {
        **fin,
        "by_cohort": {
            c: {**f, "outcome_payments": paid_cohort[c], **_above_shown(f, paid_cohort[c])}
            for c, f in by_cohort.items()
        },
        "by_local_authority": {la: council(la, f) for la, f in by_la.items()},
        **_above_shown(fin, paid_total),
        "outcome_payments": published_amount(fin["outcome_payments"], [paid_total]),
        "guaranteed_funding_payments": published_amount(
            fin["guaranteed_funding_payments"], [fees_total]
        ),
        "net_cash_saving": published_amount(fin["net_cash_saving"], shown),
        "lcf_contribution": published_amount(fin["lcf_contribution"], [paid_total]),
        "council_cost": published_amount(fin["council_cost"], shown),
        "outcome_funds": {
            k: published_amount(v, [paid_total]) for k, v in fin["outcome_funds"].items()
        },
    }


def _above_shown(figures: Mapping[str, Any], paid: Decimal | str) -> dict[str, Any]:
    """What was earned above a maximum (where ``figures`` hold it) as published beside the
    outcome payments (``paid``, as published): hidden with them."""
    if ABOVE_MAXIMUM not in figures:
        return {}
    return {ABOVE_MAXIMUM: published_amount(figures[ABOVE_MAXIMUM], [paid])}


def _funnel(
    earned: Mapping[str, int], cohort: str = "", hidden: Collection[CountKey] = ()
) -> dict[str, int | str]:
    """The referrals that earned each milestone (each a part of those that earned the one
    before), as published, with the cohort's milestones ``hidden`` names hidden."""
    forced = [i for i, m in enumerate(earned) if ("milestones", cohort, m) in hidden]
    return dict(zip(earned, suppress_funnel(list(earned.values()), hidden=forced), strict=True))


def _fund_contributions(
    contract: Contract,
    money: dict[tuple[str, str], Money],
    programme: Mapping[tuple[str, str], Money] | None,
) -> dict[str, Decimal]:
    """What each outcome fund meets of the outcome payments in ``money`` (payable).

    Of the whole programme: its share, up to its cap. Of a part (``programme`` given: a
    council's records), a capped fund's programme total is split between every council in
    proportion to their outcome payments, to the penny (``capped_split``, as the money page
    splits it), and the part takes its councils' shares, each in proportion to what it holds
    of that council's outcome payments: a fund's cap counts every council, not each alone."""
    mine = _sum(money, lambda k: True).outcome_payments
    if programme is None or all(f.cap is None for f in contract.funds):
        return contract.fund_contributions(mine)
    whole = payable_money(contract, programme)
    councils = list(contract.council_codes)
    theirs = [_sum(whole, lambda k, c=c: k[0] == c).outcome_payments for c in councils]
    held = [_sum(money, lambda k, c=c: k[0] == c).outcome_payments for c in councils]
    out: dict[str, Decimal] = {}
    for f in contract.funds:
        parts = capped_split(f.contribution(sum(theirs, ZERO)), [f.share * o for o in theirs])
        out[f.name] = sum(
            (p if h == o else p * h / o for p, h, o in zip(parts, held, theirs, strict=True) if o),
            ZERO,
        )
    return out


def money_of_section(finance: Mapping[str, Any]) -> Money:
    """The ``Money`` of one of the report's finance sections (the programme's, a council's
    or a cohort's), exact or as printed (numbers are read through their text). Figures a
    section does not hold are 0: a council's or cohort's holds no fund contribution."""

    def amount(key: str) -> Decimal:
        return Decimal(str(finance.get(key, 0)))

    return Money(
        sustained_weeks=int(finance.get("sustained_weeks", 0)),
        payable_weeks=int(finance.get("payable_weeks", 0)),
        cashable_savings=amount("cashable_savings"),
        cost_avoidance=amount("cost_avoidance"),
        outcome_payments=amount("outcome_payments"),
        guaranteed_funding_payments=amount("guaranteed_funding_payments"),
        fund_contributions=amount("lcf_contribution"),
        above_maximum=amount(ABOVE_MAXIMUM),
    )


def empty_report(as_of: dt.date) -> dict[str, Any]:
    """The report of a database with no contract and nothing imported: zeros, empty maps."""
    return {
        "as_of": as_of.isoformat(),
        "enquiries": {"total": 0, "by_cohort": {}, "by_local_authority": {}},
        "referrals": {
            "total": 0,
            "re_referrals": 0,
            "guaranteed_funding": 0,
            "by_cohort": {},
            "by_local_authority": {},
            "by_contract_year": {},
        },
        "cases": {
            "status": {s: 0 for s in STATUSES},
            "closure_reasons": {},
            "closed_early_rate": None,
            "closed_early_rate_by_cohort": {},
            "closed_early_rate_by_local_authority": {},
        },
        "finance": {
            "by_cohort": {},
            "by_local_authority": {},
            "sustained_weeks": 0,
            "cashable_savings": ZERO,
            "cost_avoidance": ZERO,
            "outcome_payments": ZERO,
            "guaranteed_funding_payments": ZERO,
            "net_cash_saving": ZERO,
            "lcf_contribution": ZERO,
            "council_cost": ZERO,
            "outcome_funds": {},
        },
    }


def report_to_plain(report: dict[str, Any]) -> dict[str, Any]:
    """The report with money rounded to pence and rates to four places, as JSON numbers."""
    plain: dict[str, Any] = to_json_ready(report, RATE_KEYS)
    return plain


def report_to_json(report: dict[str, Any], *, indent: int | None = 2) -> str:
    """The report as JSON text: money in pounds (≤ 2 decimals), rates to 4 places."""
    return json.dumps(report_to_plain(report), indent=indent, ensure_ascii=False)
