"""The outcomes engine: every referral's weeks and payments column-wise, money exact.

Inputs are Polars frames with the tracker's columns (``stars.domain.outcomes.frames``).
The rules are those of docs/tracker-format.md: the window and sustained weeks of
``stars.domain.outcomes.windows``, and each cohort's payment design
(``stars.domain.outcomes.designs``) for the weeks it pays and what it pays for them;
every sustained week is worth the cohort's weekly saving, cashable or avoided; a
guaranteed referral also earns ``guaranteed_funding.fee`` once it has started.

How it stays exact and fast: whole weeks per referral are integers computed column-wise
(dates as day numbers); they are summed per (council, cohort, funding) group; only then are
the few group totals priced at the contract's ``Decimal`` rates. Integer weeks × Decimal
rate is exact, so every sum is exact to the penny and beyond; rounding happens only for
display (``stars.domain.money``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.money import Money, fund_contribution, pence
from stars.domain.outcomes.designs.base import (
    LONGEST_RUN_BY,
    REFERRALS_FROM,
    SUSTAINED_BY,
    cohort_versions,
    earned_from,
    per_version,
)
from stars.domain.outcomes.designs.registry import DEFAULT, DESIGNS, design_for, designs_of
from stars.domain.outcomes.frames import referrals_as_of
from stars.domain.outcomes.windows import (
    day_number,
    days,
    longest_run_days,
    sustained_weeks,
    window_end_days,
)

WEEKS = ("sustained_weeks", "payable_weeks")  # every referral has these, whatever its design
# figures per referral a design may ask for (``PaymentDesign.inputs``), each worked out by
# the window rule, over the referral's periods, only when a design of the contract asks
INPUTS = {"longest_run_days": longest_run_days}


def design_columns(contract: Contract) -> dict[str, pl.Expr]:
    """``proving_weeks``, ``payable_weeks`` and every unit column, each row by its cohort's
    design (a cohort the contract lacks: the default design)."""
    used = designs_of(contract)
    default = DESIGNS[DEFAULT].columns(contract)
    if set(used) <= {DEFAULT}:
        return default
    columns = {name: DESIGNS[name].columns(contract) for name in used}
    out: dict[str, pl.Expr] = {}
    for col in dict.fromkeys([*default, *(c for cols in columns.values() for c in cols)]):
        zero = pl.lit(0, pl.Int64)
        expr = default.get(col, zero)
        for name, codes in used.items():
            cohort = pl.col("cohort").is_in(codes)
            expr = pl.when(cohort).then(columns[name].get(col, zero)).otherwise(expr)
        out[col] = expr
    return out


def unit_columns(contract: Contract) -> tuple[str, ...]:
    """The integer columns, beyond ``WEEKS``, that price the contract's outcome payments
    (and, with variations, its savings and guaranteed-funding fees: ``dated_columns``)."""
    names = [DEFAULT, *designs_of(contract)]
    return tuple(
        dict.fromkeys(
            [
                *(u for n in names for u in DESIGNS[n].units(contract) if u not in WEEKS),
                *dated_units(contract),
            ]
        )
    )


def dated_units(contract: Contract) -> tuple[str, ...]:
    """With variations, per variation date Bi: the sustained weeks earned before it (their
    savings' terms) and the referrals dated on or after it (their fee's terms)."""
    n = len(contract.variation_dates)
    return tuple(name.format(i) for i in range(1, n + 1) for name in (SUSTAINED_BY, REFERRALS_FROM))


def dated_columns(
    contract: Contract, refs: pl.DataFrame, window_end: str, periods: pl.DataFrame
) -> list[pl.Series]:
    """The figures before each variation date Bi (``SUSTAINED_BY``, ``LONGEST_RUN_BY`` if a
    design asks for runs, ``REFERRALS_FROM``): the same rules with the window ended at Bi."""
    out: list[pl.Series] = []
    runs = "longest_run_days" in inputs_of(contract)
    for i, on in enumerate(contract.variation_dates, start=1):
        clipped = refs.with_columns(
            pl.min_horizontal(pl.col(window_end), pl.lit(day_number(on), pl.Int64)).alias("_by")
        )
        out.append(sustained_weeks(clipped, "_by", periods).alias(SUSTAINED_BY.format(i)))
        if runs:
            out.append(longest_run_days(clipped, "_by", periods).alias(LONGEST_RUN_BY.format(i)))
        out.append(
            refs.select(
                (days("referral_date") >= day_number(on))
                .cast(pl.Int64)
                .alias(REFERRALS_FROM.format(i))
            ).to_series()
        )
    return out


def inputs_of(contract: Contract) -> tuple[str, ...]:
    """The per-referral inputs (``INPUTS``) the contract's payment designs ask for."""
    names = [DEFAULT, *designs_of(contract)]
    return tuple(dict.fromkeys(i for n in names for i in DESIGNS[n].inputs))


# -- integer weeks per referral -------------------------------------------------------------


def referral_figures(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> pl.DataFrame:
    """One row per referral existing on ``as_of``, with its integer weeks.

    Columns: every referral column, then ``status_as_of``, ``closure_reason_as_of``,
    ``window_end`` (exclusive), ``sustained_weeks``, ``proving_weeks`` (the sustained weeks
    not paid: the cohort's proving weeks, or ``minimum_weeks`` for a guaranteed referral),
    ``payable_weeks``, the inputs (``INPUTS``) and any other column of the contract's
    payment designs.
    """
    refs = referrals_as_of(referrals, as_of).with_columns(
        window_end_days(contract.programme_weeks, as_of).alias("_window_end")
    )
    return _weeks_of(contract, refs, periods).drop("_window_end")


def _weeks_of(contract: Contract, refs: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """``refs`` (rows with the window's end as a day number in ``_window_end``; a referral
    may have several rows) with ``window_end``, its weeks, inputs and design columns."""
    figures = refs.with_columns(
        pl.from_epoch(pl.col("_window_end"), time_unit="d").alias("window_end"),
        sustained_weeks(refs, "_window_end", periods),
        *[INPUTS[name](refs, "_window_end", periods) for name in inputs_of(contract)],
        *dated_columns(contract, refs, "_window_end", periods),
    )
    for name, expr in design_columns(contract).items():  # in order: each may use the last
        figures = figures.with_columns(expr.alias(name))
    return figures


# -- exact money ----------------------------------------------------------------------------


def group_weeks(figures: pl.DataFrame, units: tuple[str, ...] = ()) -> pl.DataFrame:
    """Integer totals per (local_authority, cohort, funding) of ``referral_figures``."""
    return figures.group_by("local_authority", "cohort", "funding").agg(
        pl.len().alias("referrals"), *[pl.col(c).sum() for c in (*WEEKS, *units)]
    )


def money_of_group(
    contract: Contract, cohort_code: str, funding: str, sums: Mapping[str, int]
) -> Money:
    """The exact money of referrals of one cohort and funding from their summed integers:
    ``referrals``, ``sustained_weeks``, ``payable_weeks`` and the design's unit columns."""
    referrals, sustained, payable = (
        sums["referrals"],
        sums["sustained_weeks"],
        sums["payable_weeks"],
    )
    outcome = design_for(contract, cohort_code).outcome_payments(contract, cohort_code, sums)
    dates = contract.variation_dates
    n = len(dates)
    gf = Decimal(0)
    if funding == "guaranteed":
        fees = [contract.guaranteed_funding_on(d).fee for d in dates]
        counts = per_version(referrals, [sums[REFERRALS_FROM.format(i)] for i in range(1, n + 1)])
        gf = sum(
            (f * c for f, c in zip([contract.guaranteed_funding.fee, *fees], counts, strict=True)),
            Decimal(0),
        )
    terms = cohort_versions(contract, cohort_code)
    if terms is None:
        saving, cashable = Decimal(0), True
    else:
        weeks = earned_from(contract, SUSTAINED_BY, "sustained_weeks", sums)
        saving = sum((t.weekly_saving * w for t, w in zip(terms, weeks, strict=True)), Decimal(0))
        cashable = terms[0].saving_kind == "cashable"
    return Money(
        referrals=referrals,
        sustained_weeks=sustained,
        payable_weeks=payable,
        cashable_savings=saving if cashable else Decimal(0),
        cost_avoidance=Decimal(0) if cashable else saving,
        outcome_payments=outcome,
        guaranteed_funding_payments=gf,
        fund_contributions=fund_contribution(outcome, contract.lcf_share),
    )


def money_by_group(contract: Contract, figures: pl.DataFrame) -> dict[tuple[str, str], Money]:
    """Exact money per (council, cohort) from ``referral_figures``."""
    units = unit_columns(contract)
    out: dict[tuple[str, str], Money] = {}
    for row in group_weeks(figures, units).iter_rows(named=True):
        key = (row["local_authority"], row["cohort"])
        m = money_of_group(contract, row["cohort"], row["funding"], row)
        out[key] = out[key] + m if key in out else m
    return out


# rows (referral, date) worked out at once by ``money_by_dates``: bounds its memory
ROWS_PER_PASS = 2_000_000


def money_by_dates(
    contract: Contract,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    dates: Sequence[dt.date],
    rows_per_pass: int = ROWS_PER_PASS,
) -> list[Money]:
    """The exact money of all ``referrals`` as of each date, in the order given: the sum of
    ``money_by_dates_and_group``'s groups on each date."""
    out = []
    for groups in money_by_dates_and_group(contract, referrals, periods, dates, rows_per_pass):
        total = Money()
        for m in groups.values():
            total = total + m
        out.append(total)
    return out


def money_by_dates_and_group(
    contract: Contract,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    dates: Sequence[dt.date],
    rows_per_pass: int = ROWS_PER_PASS,
) -> list[dict[tuple[str, str], Money]]:
    """The exact money per (council, cohort) of all ``referrals`` as of each date, in the
    order given.

    Equal, date by date, to ``money_by_group`` of ``referral_figures`` as of that
    date, but worked out for many dates together: each referral is paired with every date
    on or after its referral date (the window then ends at the earliest of the programme
    weeks, its end date and that date) and every pair's weeks are counted in one pass of
    the same column rules, rather than running the engine once per date.
    """
    if not dates:
        return []
    units = unit_columns(contract)
    per_pass = max(1, rows_per_pass // max(1, referrals.height))
    totals: list[dict[tuple[str, str], Money]] = [{} for _ in dates]
    for first in range(0, len(dates), per_pass):
        chunk = pl.DataFrame(
            {
                "_at": pl.Series(range(first, min(first + per_pass, len(dates))), dtype=pl.Int64),
                "_as_of": pl.Series(
                    [day_number(d) for d in dates[first : first + per_pass]], dtype=pl.Int64
                ),
            }
        )
        refs = (
            referrals.lazy()
            .join(chunk.lazy(), how="cross")
            .filter(days("referral_date") <= pl.col("_as_of"))
            .with_columns(
                window_end_days(contract.programme_weeks, pl.col("_as_of")).alias("_window_end")
            )
            .collect()
        )
        sums = (
            _weeks_of(contract, refs, periods)
            .group_by("_at", "local_authority", "cohort", "funding")
            .agg(pl.len().alias("referrals"), *[pl.col(c).sum() for c in (*WEEKS, *units)])
        )
        for row in sums.iter_rows(named=True):
            groups, key = totals[row["_at"]], (row["local_authority"], row["cohort"])
            m = money_of_group(contract, row["cohort"], row["funding"], row)
            groups[key] = groups[key] + m if key in groups else m
    return totals


@dataclass(frozen=True)
class ReferralPayment:
    """What one referral has earned by a date: outcome payment and guaranteed fee."""

    referral_id: str
    sustained_weeks: int
    payable_weeks: int
    weekly_rate: Decimal
    outcome_payment: Decimal
    guaranteed_fee: Decimal
    milestones: tuple[str, ...] = ()  # the milestones it earned (continuous_milestones)

    @property
    def total(self) -> Decimal:
        return self.outcome_payment + self.guaranteed_fee

    @property
    def claimable(self) -> Decimal:
        """What claims pay for it in all: its outcome payment and its fee, each to the penny
        (claims pay whole pence: ``stars.domain.outcomes.claims``)."""
        return pence(self.outcome_payment) + pence(self.guaranteed_fee)


def outcome_payments_as_of(
    contract: Contract, referrals: pl.DataFrame, periods: pl.DataFrame, as_of: dt.date
) -> dict[str, ReferralPayment]:
    """Per referral existing on ``as_of``: what it has earned by then, exactly.

    What is owed for a referral for a month is this figure at the month's end minus the
    figure at its start (``stars.domain.outcomes.claims``), so monthly claims add up to the
    total exactly.
    """
    figures = referral_figures(contract, referrals, periods, as_of)
    on = as_of - dt.timedelta(days=1)  # the terms in force on the last day counted
    rates = {c.code: contract.terms_on(c.code, on).weekly_outcome_payment for c in contract.cohorts}
    units = unit_columns(contract)
    out: dict[str, ReferralPayment] = {}
    for row in figures.select(
        "referral_id", "cohort", "funding", "referral_date", *WEEKS, *units
    ).iter_rows(named=True):
        rid, cohort = row["referral_id"], row["cohort"]
        design = design_for(contract, cohort)
        fee = contract.guaranteed_funding_on(row["referral_date"]).fee
        out[rid] = ReferralPayment(
            referral_id=rid,
            sustained_weeks=int(row["sustained_weeks"]),
            payable_weeks=int(row["payable_weeks"]),
            weekly_rate=rates.get(cohort, Decimal(0)),
            outcome_payment=design.outcome_payments(contract, cohort, row),
            guaranteed_fee=fee if row["funding"] == "guaranteed" else Decimal(0),
            milestones=tuple(
                name
                for name, n in design.figures(contract, cohort, row).get("milestones", {}).items()
                if n
            ),
        )
    return out
