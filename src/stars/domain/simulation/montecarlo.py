"""The Monte Carlo: what happens after D, drawn run by run, priced by the engine.

Everything the records as of D show is fixed. Referrals that ended by D are priced once.
For every run, the draws (``fit.Assumptions``; each run also draws its own rates around the
fitted ones, so the bands carry the uncertainty of the fit) are:

- new enquiries from D to the end of the referral period, their progression, the lag to
  the referral, its cohort and funding; pending enquiries' progression; re-referrals;
- the day each live or new referral ends (closing early by the hazard of its weeks on the
  programme, or graduating at the end of the programme weeks);
- its outcome periods after D: the one going on at D continues until it breaks down, a
  new one starts after a gap, up to three.

The drawn referrals and periods, with a run number, are ordinary tracker frames: the
engine (``referral_figures``: the window rule, sustained weeks, each payment design's
columns) works out their integer weeks as of each date asked, and ``pricing`` prices each
run's sums exactly. Runs are drawn in chunks of ``CHUNK``, each from its own seeded
generator, so the same seed gives the same runs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.evaluation.report import contract_year_expr
from stars.domain.outcomes.engine import referral_figures
from stars.domain.outcomes.windows import day_number, days
from stars.domain.simulation.fit import NEVER, YEAR, Assumptions
from stars.domain.simulation.pricing import Ints, Key, Pricing, pricing, summed_columns
from stars.domain.simulation.records import Records

CHUNK = 500
# How much the fitted case rates are trusted, as a share of the records behind them: each
# run draws its closure, breakdown and cohort-mix rates as if from this share of the
# records, which widens the bands for what one programme's history cannot show (measured:
# benchmarks/simulator, 80% bands holding the actual 70-90% of the time)
EVIDENCE = 0.25  # cohort mix, progression and each cohort's closure ratio
RATES = 1.0  # the programme's closure and breakdown rates
SPELLS = 3  # outcome periods drawn after D per referral, at most
FUNDINGS = ("sib", "guaranteed")
# a referral's days on the programme as of a date: its window (referral_figures)
ON_PROGRAMME = (pl.col("window_end") - pl.col("referral_date")).dt.total_days().clip(0)
Floats = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Runs:
    """Every run's figures as of each date of ``at`` (the last is E)."""

    as_of: dt.date
    to: dt.date
    runs: int
    seed: int
    at: tuple[dt.date, ...]
    pricing: Pricing
    figures: dict[dt.date, dict[str, Ints]]  # date -> output -> one value per run

    def values(self, output: str, on: dt.date | None = None) -> Ints:
        return self.figures[on or self.to][output]


def contract_end(contract: Contract) -> dt.date:
    """The default E: the end of the referral period plus the programme weeks."""
    return contract.referral_period_end + dt.timedelta(weeks=contract.programme_weeks)


@dataclass(frozen=True)
class _Live:
    """Referrals live at D, as arrays, with their recorded outcome periods."""

    ids: list[str]
    council: npt.NDArray[np.int64]
    cohort: npt.NDArray[np.int64]
    guaranteed: npt.NDArray[np.bool_]
    day: Ints
    open_start: Ints  # start of the period going on at D, or -1
    last_end: Ints  # end of the last closed period, or -1
    closed: pl.DataFrame  # closed periods: _i (live index), start, end day numbers


def _codes(values: Sequence[str], known: Sequence[str]) -> tuple[list[str], dict[str, int]]:
    codes = list(known) + sorted(set(values) - set(known))
    return codes, {c: i for i, c in enumerate(codes)}


def _choice(rng: np.random.Generator, shares: Sequence[float], n: int) -> Ints:
    cum = np.cumsum(np.asarray(shares, dtype=np.float64))
    if n == 0 or cum[-1] <= 0:
        return np.zeros(n, dtype=np.int64)
    return np.minimum(np.searchsorted(cum / cum[-1], rng.random(n), side="right"), len(cum) - 1)


def _choice_per_run(rng: np.random.Generator, shares: Floats, run: Ints) -> Ints:
    """One index per row, from its run's shares (runs × choices)."""
    if run.size == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(shares, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(run.size)
    picked = np.minimum((u[:, None] > cum[run]).sum(axis=1), shares.shape[1] - 1)
    return np.asarray(picked, dtype=np.int64)


def _pick(rng: np.random.Generator, values: Sequence[int], n: int) -> Ints:
    arr = np.asarray(values, dtype=np.int64)
    return arr[rng.integers(0, len(arr), size=n)]


class Simulator:
    """The fixed part of a programme as of D and the draws of its future."""

    def __init__(
        self,
        contract: Contract,
        records: Records,
        assumptions: Assumptions,
        *,
        to: dt.date,
        at: Sequence[dt.date] = (),
    ) -> None:
        self.contract = contract
        self.records = records
        self.a = assumptions
        self.to = to
        self.at = tuple(sorted({*at, to}))
        self.d = records.day
        self.horizon = 7 * contract.programme_weeks
        self.last_referral = min(day_number(contract.referral_period_end), day_number(to))
        refs = records.referrals
        frozen = to <= records.as_of
        ended = refs if frozen else refs.filter(pl.col("end_date").is_not_null())
        live = refs.head(0) if frozen else refs.filter(pl.col("end_date").is_null())
        self.councils, self.council_ix = _codes(
            refs["local_authority"].to_list(), contract.council_codes
        )
        self.cohorts, self.cohort_ix = _codes(refs["cohort"].to_list(), contract.cohort_codes)
        keys: list[Key] = [
            (la, c, f) for la in self.councils for c in self.cohorts for f in FUNDINGS
        ]
        self.pricing: Pricing = pricing(
            contract, keys, {"la": contract.council_codes, "cohort": contract.cohort_codes}
        )
        self.columns = summed_columns(contract)
        self.width = len(keys) * len(self.columns)
        # the contract years with a referral minimum: referrals counted per year too
        self.years = [y.year for y in contract.contract_years if y.minimum_referrals]
        self.fixed = {
            t: self._sums_of(referral_figures(contract, ended, records.periods, t), check=True)
            for t in self.at
        }
        self.live = self._live(live, records.periods)
        self.frozen = frozen
        self.pending = records.enquiries.filter(pl.col("decision") == "pending").select(
            days("enquiry_date").alias("_day"), "local_authority", "cohort"
        )

    # -- the fixed part -------------------------------------------------------------------------
    def _key_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "local_authority": [k[0] for k in self.pricing.keys],
                "cohort": [k[1] for k in self.pricing.keys],
                "funding": [k[2] for k in self.pricing.keys],
                "_g": list(range(len(self.pricing.keys))),
            }
        )

    def _sums_of(self, figures: pl.DataFrame, *, check: bool = False) -> Ints:
        """One run's (or the fixed part's) sums, keys·columns, then the days on the
        programme."""
        grouped = figures.group_by("local_authority", "cohort", "funding").agg(
            pl.len().alias("referrals"), *[pl.col(c).sum() for c in self.columns[1:]]
        )
        out = np.zeros(self.width + 1 + len(self.years), dtype=np.int64)
        out[self.width] = int(figures.select(ON_PROGRAMME.sum()).item() or 0)
        by_year = figures.group_by(contract_year_expr(self.contract, "referral_date")).len()
        for year, n in by_year.iter_rows():
            if year in self.years:
                out[self.width + 1 + self.years.index(year)] = n
        for row in grouped.iter_rows(named=True):
            key = (row["local_authority"], row["cohort"], row["funding"])
            if key not in self.pricing.keys:
                continue
            base = self.pricing.index(key) * len(self.columns)
            for j, c in enumerate(self.columns):
                out[base + j] = int(row[c])
            if check:
                self.pricing.check(self.contract, key, {c: int(row[c]) for c in self.columns})
        return out

    def figures(self, sums: Ints) -> dict[str, Ints]:
        """Every output of each run from its sums (``price``), and ``case_days``: the days
        its referrals have been on the programme (each one's window: the provider's work)."""
        years = {
            f"referrals@year:{y}": sums[:, self.width + 1 + i] for i, y in enumerate(self.years)
        }
        return {
            **self.pricing.apply(sums[:, : self.width]),
            "case_days": sums[:, self.width],
            **years,
        }

    def _live(self, live: pl.DataFrame, periods: pl.DataFrame) -> _Live:
        ids = live["referral_id"].to_list()
        index = pl.DataFrame(
            {"referral_id": ids, "_i": list(range(len(ids)))},
            schema={"referral_id": pl.Utf8, "_i": pl.Int64},
        )
        pers = periods.join(index, on="referral_id", how="inner").select(
            "_i", days("start_date").alias("start"), days("end_date").alias("end")
        )
        open_start = np.full(len(ids), -1, dtype=np.int64)
        last_end = np.full(len(ids), -1, dtype=np.int64)
        for i, s, e in pers.iter_rows():
            if e is None:
                open_start[i] = max(open_start[i], s)
            else:
                last_end[i] = max(last_end[i], e)
        return _Live(
            ids=ids,
            council=np.asarray(
                [self.council_ix[c] for c in live["local_authority"].to_list()], dtype=np.int64
            ),
            cohort=np.asarray(
                [self.cohort_ix[c] for c in live["cohort"].to_list()], dtype=np.int64
            ),
            guaranteed=np.asarray(
                [f == "guaranteed" for f in live["funding"].to_list()], dtype=np.bool_
            ),
            day=np.asarray(
                live.select(days("referral_date")).to_series().to_list(), dtype=np.int64
            ),
            open_start=open_start,
            last_end=last_end,
            closed=pers.filter(pl.col("end").is_not_null()),
        )

    # -- draws ------------------------------------------------------------------------------------
    def _new_referrals(
        self,
        rng: np.random.Generator,
        runs: int,
        rate: Floats,
        trend: Floats,
        mix: Floats,
        prog: Floats,
    ) -> dict[str, Ints]:
        a, d = self.a, self.d
        span = self.last_referral - d
        nc = len(self.contract.cohort_codes)
        parts: list[dict[str, Ints]] = []
        if span > 0 and nc and self.contract.council_codes:
            g = trend / YEAR
            small = np.abs(g) < 1e-9
            integral = np.where(small, span, np.expm1(g * span) / np.where(small, 1.0, g))
            n = rng.poisson(a.enquiries_per_day * rate * integral)
            run = np.repeat(np.arange(runs), n)
            u = rng.random(run.size)
            gr = g[run]
            grs = np.where(np.abs(gr) < 1e-9, 1.0, gr)
            t = np.where(np.abs(gr) < 1e-9, u * span, np.log1p(u * np.expm1(gr * span)) / grs)
            enquiry_day = d + 1 + np.minimum(np.floor(t).astype(np.int64), span - 1)
            la = _choice(rng, [a.council_share[c] for c in self.contract.council_codes], run.size)
            cohort = _choice_per_run(rng, mix, run)
            parts.append(self._progress(rng, run, enquiry_day, la, cohort, prog))
            # re-referrals
            m = rng.poisson(a.re_referrals_per_day * a.referral_rate * span, size=runs)
            rrun = np.repeat(np.arange(runs), m)
            keys = list(a.re_referral_mix)
            k = _choice(rng, [a.re_referral_mix[x] for x in keys], rrun.size)
            la_of = np.asarray([self.council_ix[x[0]] for x in keys], dtype=np.int64)
            c_of = np.asarray([self.cohort_ix[x[1]] for x in keys], dtype=np.int64)
            parts.append(
                {
                    "run": rrun,
                    "day": d + 1 + rng.integers(0, span, size=rrun.size),
                    "council": la_of[k] if keys else k,
                    "cohort": c_of[k] if keys else k,
                    "guaranteed": np.zeros(rrun.size, dtype=np.int64),
                }
            )
        if span > 0 and self.pending.height:
            p = self.pending
            n0 = p.height
            run = np.repeat(np.arange(runs), n0)
            day = np.tile(np.asarray(p["_day"].to_list(), dtype=np.int64), runs)
            la = np.tile(
                np.asarray(
                    [self.council_ix.get(x, 0) for x in p["local_authority"].to_list()],
                    dtype=np.int64,
                ),
                runs,
            )
            cohort = np.tile(
                np.asarray(
                    [self.cohort_ix.get(x, 0) for x in p["cohort"].to_list()], dtype=np.int64
                ),
                runs,
            )
            known = (la < len(self.contract.council_codes)) & (cohort < nc)
            new = self._progress(rng, run[known], day[known], la[known], cohort[known], prog)
            new["day"] = np.maximum(new["day"], d + 1)
            parts.append(new)
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return {k: empty for k in ("run", "day", "council", "cohort", "guaranteed")}
        out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        keep = out["day"] <= self.last_referral
        return {k: v[keep] for k, v in out.items()}

    def _progress(
        self,
        rng: np.random.Generator,
        run: Ints,
        enquiry_day: Ints,
        la: Ints,
        cohort: Ints,
        prog: Floats,
    ) -> dict[str, Ints]:
        a = self.a
        councils, cohorts = self.contract.council_codes, self.contract.cohort_codes
        p = np.asarray([[a.progression[(x, c)] for c in cohorts] for x in councils])
        keep = rng.random(run.size) < p[la, cohort] * prog[run, cohort]
        run, enquiry_day, la, cohort = run[keep], enquiry_day[keep], la[keep], cohort[keep]
        day = enquiry_day + _pick(rng, a.referral_lags, run.size)
        moves = np.cumsum(
            np.asarray([[a.cohort_moves[c][x] for x in cohorts] for c in cohorts]), axis=1
        )
        u = rng.random(run.size)
        to = np.minimum(
            (u[:, None] > moves[cohort] / moves[cohort][:, -1:]).sum(axis=1), len(cohorts) - 1
        )
        share = np.asarray([a.guaranteed_share[c] for c in cohorts])
        guaranteed = (rng.random(run.size) < share[to]).astype(np.int64)
        return {
            "run": run,
            "day": day,
            "council": la,
            "cohort": to.astype(np.int64),
            "guaranteed": guaranteed,
        }

    def _ends(self, rng: np.random.Generator, day: Ints, guaranteed: Ints, haz: Floats) -> Ints:
        """The day each referral ends (exclusive of nothing: its end date)."""
        a = self.a
        edges = np.asarray([*a.band_days, self.horizon], dtype=np.float64)
        cum = np.concatenate([[0.0], np.cumsum(np.asarray(a.hazard) * np.diff(edges))])
        ratio = np.where(guaranteed == 1, a.guaranteed_ratio, 1.0) * haz
        age = np.clip(self.d - day, 0, None).astype(np.float64)
        target = np.interp(age, edges, cum) + rng.exponential(size=day.size) / np.maximum(
            ratio, 1e-12
        )
        t = np.interp(target, cum, edges)
        t = np.where(target >= cum[-1], self.horizon, np.ceil(t))
        end = day + np.maximum(t.astype(np.int64), np.maximum(self.d - day, 0) + 1)
        return np.where(target >= cum[-1], np.maximum(day + self.horizon, self.d + 1), end)

    def _periods(
        self,
        rng: np.random.Generator,
        rid: Ints,
        start: Ints,
        going: npt.NDArray[np.bool_],
        end: Ints,
        brk: Floats,
    ) -> tuple[Ints, Ints, Ints]:
        """Outcome periods from ``start`` (a period going on at D when ``going``)."""
        a = self.a
        out_r, out_s, out_e = [], [], []
        s = start.copy()
        for spell in range(SPELLS):
            active = (s >= 0) & (s < end)
            frm = np.maximum(s, self.d) if spell == 0 else s
            broke = frm + np.ceil(rng.exponential(size=s.size) / np.maximum(brk, 1e-12)).astype(
                np.int64
            )
            broke = np.where(going & (spell == 0), np.maximum(broke, self.d + 1), broke)
            stops = active & (broke < end) & (spell < SPELLS - 1)
            out_r.append(rid[active])
            out_s.append(s[active])
            out_e.append(np.where(stops, broke, -1)[active])
            gap = _pick(rng, a.gaps, s.size)
            s = np.where(stops, broke + np.maximum(gap, 1), -1)
        return np.concatenate(out_r), np.concatenate(out_s), np.concatenate(out_e)

    def chunk(self, runs: int, seed: int, index: int) -> dict[dt.date, Ints]:
        """The sums of ``runs`` runs (runs × keys·columns) as of each date."""
        rng = np.random.default_rng([seed, index])
        a = self.a
        rate = (
            rng.gamma(a.enquiries_seen + 0.5, 1 / (a.enquiries_seen + 0.5), runs) * a.referral_rate
        )
        trend = np.clip(rng.normal(a.trend_per_year, a.trend_se, runs), -1.5, 1.5)
        ends, breaks = RATES * a.early_ends_seen + 0.5, RATES * a.breaks_seen + 0.5
        haz = rng.gamma(ends, 1 / ends, runs) * a.closure_rate
        brk = rng.gamma(breaks, 1 / breaks, runs) * a.breaks_per_day
        if self.frozen:
            return {t: np.tile(self.fixed[t], (runs, 1)) for t in self.at}

        shares = np.asarray([a.cohort_share[c] for c in self.contract.cohort_codes])
        mix = (
            rng.dirichlet(shares * EVIDENCE * max(a.enquiries_total, 1) + 0.5, runs)
            if shares.size
            else np.zeros((runs, 0))
        )
        seen = np.asarray([EVIDENCE * a.hazard_ratio_seen.get(c, 0) + 1 for c in self.cohorts])
        mean = np.asarray([a.hazard_ratio.get(c, 1.0) for c in self.cohorts])
        ratios = rng.gamma(seen, mean / seen, (runs, len(self.cohorts))) * haz[:, None]
        went = np.asarray(
            [EVIDENCE * a.progressed_seen.get(c, 0) + 1 for c in self.contract.cohort_codes]
        )
        prog = rng.gamma(went, 1 / went, (runs, went.size))
        new = self._new_referrals(rng, runs, rate, trend, mix, prog)
        lv = self.live
        nl = len(lv.ids)
        live_run = np.repeat(np.arange(runs), nl)
        run = np.concatenate([live_run, new["run"]])
        day = np.concatenate([np.tile(lv.day, runs), new["day"]])
        council = np.concatenate([np.tile(lv.council, runs), new["council"]])
        cohort = np.concatenate([np.tile(lv.cohort, runs), new["cohort"]])
        guaranteed = np.concatenate(
            [np.tile(lv.guaranteed.astype(np.int64), runs), new["guaranteed"]]
        )
        n = run.size
        rid = np.arange(n, dtype=np.int64)
        end = self._ends(rng, day, guaranteed, ratios[run, cohort])

        # where each referral's outcome stands after D
        lag = _pick(rng, a.start_lags, n)
        first = np.where(lag == NEVER, -1, day + lag)
        gap = _pick(rng, a.gaps, n)
        start = first.copy()
        going = np.zeros(n, dtype=np.bool_)
        if nl:
            o, le = np.tile(lv.open_start, runs), np.tile(lv.last_end, runs)
            resumed = np.where(
                le + np.maximum(gap[: nl * runs], 1) > self.d,
                le + np.maximum(gap[: nl * runs], 1),
                -1,
            )
            later = np.where(first[: nl * runs] > self.d, first[: nl * runs], -1)
            start[: nl * runs] = np.where(o >= 0, o, np.where(le >= 0, resumed, later))
            going[: nl * runs] = o >= 0
        pr, ps, pe = self._periods(rng, rid, start, going, end, brk[run])
        if nl and lv.closed.height:
            ci = np.asarray(lv.closed["_i"].to_list(), dtype=np.int64)
            offs = np.repeat(np.arange(runs) * nl, ci.size)
            pr = np.concatenate([pr, np.tile(ci, runs) + offs])
            ps = np.concatenate(
                [ps, np.tile(np.asarray(lv.closed["start"].to_list(), dtype=np.int64), runs)]
            )
            pe = np.concatenate(
                [pe, np.tile(np.asarray(lv.closed["end"].to_list(), dtype=np.int64), runs)]
            )

        councils = pl.Series(self.councils)
        cohorts = pl.Series(self.cohorts)
        refs = pl.DataFrame(
            {
                "referral_id": rid,
                "run": run,
                "local_authority": councils.gather(council),
                "cohort": cohorts.gather(cohort),
                "funding": pl.Series(FUNDINGS).gather(guaranteed),
                "referral_date": pl.Series(day).cast(pl.Int32).cast(pl.Date),
                "end_date": pl.Series(end).cast(pl.Int32).cast(pl.Date),
                "status": pl.repeat("graduated", n, eager=True),
                "closure_reason": pl.repeat(None, n, dtype=pl.Utf8, eager=True),
            }
        )
        pers = pl.DataFrame({"referral_id": pr, "_s": ps, "_e": pe}).select(
            "referral_id",
            pl.col("_s").cast(pl.Int32).cast(pl.Date).alias("start_date"),
            pl.when(pl.col("_e") >= 0)
            .then(pl.col("_e"))
            .cast(pl.Int32)
            .cast(pl.Date)
            .alias("end_date"),
        )
        return self.price(refs, pers, runs)

    def price(
        self, referrals: pl.DataFrame, periods: pl.DataFrame, runs: int
    ) -> dict[dt.date, Ints]:
        """The sums of each run (runs × keys·columns) as of each date: the fixed part plus
        ``referrals`` (tracker columns and ``run``, 0 to runs − 1: what happens after D)
        with their ``periods``, through the engine's ``referral_figures``."""
        keys = self._key_frame()
        out: dict[dt.date, Ints] = {}
        for t in self.at:
            figures = referral_figures(self.contract, referrals, periods, t)
            grouped = (
                figures.group_by("run", "local_authority", "cohort", "funding")
                .agg(pl.len().alias("referrals"), *[pl.col(c).sum() for c in self.columns[1:]])
                .join(keys, on=["local_authority", "cohort", "funding"], how="inner")
            )
            sums = np.tile(self.fixed[t], (runs, 1))
            on = figures.group_by("run").agg(ON_PROGRAMME.sum().alias("_on"))
            sums[on["run"].to_numpy().astype(np.int64), self.width] += on["_on"].to_numpy()
            per_year = figures.group_by(
                "run", contract_year_expr(self.contract, "referral_date")
            ).len()
            for i, y in enumerate(self.years):
                these = per_year.filter(pl.col("contract_year") == y)
                rows = these["run"].to_numpy().astype(np.int64)
                sums[rows, self.width + 1 + i] += these["len"].to_numpy()
            r = grouped["run"].to_numpy().astype(np.int64)
            g = grouped["_g"].to_numpy().astype(np.int64)
            for j, c in enumerate(self.columns):
                np.add.at(
                    sums, (r, g * len(self.columns) + j), grouped[c].to_numpy().astype(np.int64)
                )
            out[t] = sums
        return out


def simulate(
    contract: Contract,
    records: Records,
    assumptions: Assumptions,
    *,
    to: dt.date,
    runs: int,
    seed: int,
    at: Sequence[dt.date] = (),
    progress: Progress | None = None,
) -> Runs:
    """``runs`` runs of the programme from the records as of D to ``to`` (E)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    sim = Simulator(contract, records, assumptions, to=to, at=at)
    parts: dict[dt.date, list[Ints]] = {t: [] for t in sim.at}
    done = 0
    for index in range(math.ceil(runs / CHUNK)):
        n = min(CHUNK, runs - done)
        for t, sums in sim.chunk(n, seed, index).items():
            parts[t].append(sums)
        done += n
        if progress is not None:
            progress(done, runs)
    figures = {t: sim.figures(np.concatenate(parts[t])) for t in sim.at}
    return Runs(records.as_of, to, runs, seed, sim.at, sim.pricing, figures)
