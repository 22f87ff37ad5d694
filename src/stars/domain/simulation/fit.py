"""The simulator's assumptions, fitted from the records as of a date D.

- **Enquiries** arrive at the programme's rate over the last year before D (the whole
  history if shorter), with a trend: the log ratio of the last year's enquiries to the year
  before's (0 without two years), and the uncertainty of both from the counts. Each is
  given a council and a cohort by their shares of every enquiry to D.
- **Progression**: the share of decided enquiries that progressed, per council and cohort
  (council share × cohort share ÷ programme share: stable on small cells); a progressed
  enquiry becomes a referral after a lag drawn from the recorded lags, in a cohort drawn
  from the recorded moves (an enquiry of B referred as A). Pending enquiries progress
  likewise. **Re-referrals** (no enquiry) arrive at their rate over the last year.
- **Guaranteed funding**: the share of the last year's referrals of each cohort that were
  guaranteed-funding ones.
- **Closing early**: a hazard per day in bands of weeks on the programme, the bands'
  rates from every referral's exposure to D, times a ratio per cohort and one for
  guaranteed-funding referrals (observed ÷ expected ends, shrunk towards 1). A referral
  that does not end early graduates at the end of its programme weeks.
- **Weeks sustained**: the lag from referral to the first outcome period (or none), the
  rate at which a period breaks down per sustained day, and the gap before the next.

Everything is plain numbers; ``montecarlo`` draws from them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.outcomes.windows import day_number, days
from stars.domain.simulation.records import Records

YEAR = 365
NEVER = -1  # a referral whose outcome never started
BAND_WEEKS = (0, 13, 26, 52, 78)  # the bands of weeks on the programme for closing early
TREND_PRIOR_SE = 0.35  # the trend's uncertainty (log per year) before two years of records
DEFAULT_GAP = 14  # days between two outcome periods when no gap is on record


@dataclass(frozen=True)
class Assumptions:
    """Everything the Monte Carlo draws from; ``whatif`` may change any of it."""

    # arrivals
    enquiries_per_day: float
    enquiries_seen: int  # enquiries behind the rate (its uncertainty)
    trend_per_year: float  # log growth of the rate per year
    trend_se: float
    council_share: Mapping[str, float]
    cohort_share: Mapping[str, float]  # of enquiries, by the enquiry's cohort
    enquiries_total: int  # enquiries behind the shares (their uncertainty)
    progression: Mapping[tuple[str, str], float]  # (council, enquiry cohort) -> P(progress)
    progressed_seen: Mapping[str, int]  # progressed enquiries behind each cohort's rate
    cohort_moves: Mapping[str, Mapping[str, float]]  # enquiry cohort -> referral cohorts
    referral_lags: tuple[int, ...]  # days from enquiry to referral
    re_referrals_per_day: float
    re_referral_mix: Mapping[tuple[str, str], float]  # (council, cohort) shares
    guaranteed_share: Mapping[str, float]  # by referral cohort
    # closing early
    band_days: tuple[int, ...]  # first day of each band
    hazard: tuple[float, ...]  # early ends per referral-day in each band
    hazard_ratio: Mapping[str, float]  # by cohort
    hazard_ratio_seen: Mapping[str, int]  # early ends behind each cohort's ratio
    guaranteed_ratio: float
    early_ends_seen: int
    # weeks sustained
    start_lags: tuple[int, ...]  # days from referral to the first period; NEVER: none
    breaks_per_day: float
    breaks_seen: int
    gaps: tuple[int, ...]  # days between two periods
    # what-ifs (multipliers; 1 = as fitted)
    referral_rate: float = 1.0
    closure_rate: float = 1.0

    def rows(self) -> list[tuple[str, str]]:
        """The assumptions in words, for the page and the workbook."""
        hazard = ", ".join(
            f"weeks {b // 7}+: {pct(1 - math.exp(-7 * h))}"
            for b, h in zip(self.band_days, self.hazard, strict=True)
        )
        return [
            ("Enquiries per month at the as-of date", f"{30.44 * self.enquiries_per_day:.2f}"),
            ("Trend of enquiries per year", f"{pct(math.exp(self.trend_per_year) - 1)}"),
            ("Enquiries behind the rate", str(self.enquiries_seen)),
            (
                "Share of decided enquiries progressed",
                ", ".join(f"{la} {c}: {pct(p)}" for (la, c), p in self.progression.items()),
            ),
            ("Median days from enquiry to referral", str(_median(self.referral_lags))),
            ("Re-referrals per month", f"{30.44 * self.re_referrals_per_day:.2f}"),
            (
                "Guaranteed-funding share of referrals",
                ", ".join(f"{c}: {pct(s)}" for c, s in self.guaranteed_share.items()),
            ),
            ("Chance of closing early in a week, by weeks on the programme", hazard),
            (
                "Closing early relative to the programme, by cohort",
                ", ".join(f"{c}: {r:.2f}" for c, r in self.hazard_ratio.items()),
            ),
            (
                "Closing early relative to the programme, guaranteed funding",
                f"{self.guaranteed_ratio:.2f}",
            ),
            ("Early ends behind the rates", str(self.early_ends_seen)),
            ("Median days from referral to the first sustained day", str(_median(self.start_lags))),
            (
                "Outcome periods breaking down per sustained year",
                f"{YEAR * self.breaks_per_day:.2f}",
            ),
            ("Median days between two outcome periods", str(_median(self.gaps))),
            ("Referral rate (what-if multiplier)", f"{self.referral_rate:g}"),
            ("Closure rate (what-if multiplier)", f"{self.closure_rate:g}"),
        ]


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _median(values: tuple[int, ...]) -> int | str:
    known = sorted(v for v in values if v != NEVER)
    return known[len(known) // 2] if known else "none on record"


def _shares(counts: Mapping[str, int], keys: tuple[str, ...]) -> dict[str, float]:
    """Shares of ``counts`` over ``keys`` (equal shares when nothing is counted)."""
    total = sum(counts.get(k, 0) for k in keys)
    if total == 0:
        return {k: 1 / len(keys) for k in keys} if keys else {}
    return {k: counts.get(k, 0) / total for k in keys}


def _count(frame: pl.DataFrame, column: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in frame.group_by(column).len().iter_rows()}


def _pairs(frame: pl.DataFrame, a: str, b: str) -> dict[tuple[str, str], int]:
    return {(str(x), str(y)): int(n) for x, y, n in frame.group_by(a, b).len().iter_rows()}


def fit(contract: Contract, records: Records) -> Assumptions:
    """The assumptions the records as of D show (``records_as_of``)."""
    d = records.day
    start = day_number(contract.start)
    councils, cohorts = contract.council_codes, contract.cohort_codes
    enq = records.enquiries.with_columns(days("enquiry_date").alias("_day"))
    refs = records.referrals.with_columns(
        days("referral_date").alias("_day"), days("end_date").alias("_end")
    )

    # -- enquiries: rate, trend, shares -------------------------------------------------------
    span = max(min(YEAR, d - start + 1), 1)
    recent = enq.filter(pl.col("_day") > d - span)
    n_recent = recent.height
    rate = n_recent / span
    trend, trend_se = 0.0, TREND_PRIOR_SE
    if d - start + 1 >= 2 * YEAR:
        before = enq.filter((pl.col("_day") > d - 2 * YEAR) & (pl.col("_day") <= d - YEAR)).height
        trend = math.log((n_recent + 0.5) / (before + 0.5))
        trend_se = math.sqrt(1 / (n_recent + 0.5) + 1 / (before + 0.5))
    council_share = _shares(_count(enq, "local_authority"), councils)
    cohort_share = _shares(_count(enq, "cohort"), cohorts)

    # -- progression ----------------------------------------------------------------------------
    decided = enq.filter(pl.col("decision") != "pending")
    went = decided.filter(pl.col("decision") == "progressed")
    p_all = (went.height + 0.5) / (decided.height + 1)
    by_la = _count(went, "local_authority"), _count(decided, "local_authority")
    by_c = _count(went, "cohort"), _count(decided, "cohort")
    progression = {}
    for la in councils:
        p_la = (by_la[0].get(la, 0) + p_all) / (by_la[1].get(la, 0) + 1)
        for c in cohorts:
            p_c = (by_c[0].get(c, 0) + p_all) / (by_c[1].get(c, 0) + 1)
            progression[(la, c)] = min(max(p_la * p_c / p_all, 0.0), 1.0)

    linked = refs.join(
        enq.select("enquiry_id", pl.col("cohort").alias("_from"), pl.col("_day").alias("_asked")),
        on="enquiry_id",
        how="inner",
    )
    lags = tuple(int(x) for x in (linked["_day"] - linked["_asked"]).clip(0).to_list()) or (0,)
    moves: dict[str, dict[str, float]] = {}
    pairs = _pairs(linked, "_from", "cohort")
    for c in cohorts:
        row = {to: n for (frm, to), n in pairs.items() if frm == c and to in cohorts}
        moves[c] = _shares(row, cohorts) if row else {k: float(k == c) for k in cohorts}

    re_refs = refs.filter(pl.col("enquiry_id").is_null())
    re_rate = re_refs.filter(pl.col("_day") > d - span).height / span
    mix = _pairs(re_refs if re_refs.height else refs, "local_authority", "cohort")
    keys = tuple((la, c) for la in councils for c in cohorts)
    total = sum(mix.get(k, 0) for k in keys)
    re_mix = {k: (mix.get(k, 0) / total if total else 1 / len(keys)) for k in keys}

    last_year = refs.filter(pl.col("_day") > d - span)
    g_all = last_year.filter(pl.col("funding") == "guaranteed").height
    g_share_all = (g_all + 0.5) / (last_year.height + 1) if last_year.height else 0.0
    g_by = _count(last_year.filter(pl.col("funding") == "guaranteed"), "cohort")
    n_by = _count(last_year, "cohort")
    guaranteed = {
        c: (g_by.get(c, 0) + g_share_all) / (n_by.get(c, 0) + 1) if g_all else 0.0 for c in cohorts
    }

    # -- closing early: exposure and ends per band -----------------------------------------------
    horizon = 7 * contract.programme_weeks
    bands = tuple(7 * w for w in BAND_WEEKS if 7 * w < horizon) or (0,)
    edges = (*bands, horizon)
    ages = refs.select(
        "cohort",
        "funding",
        pl.min_horizontal(pl.col("_end").fill_null(d), pl.lit(d), pl.col("_day") + horizon)
        .sub(pl.col("_day"))
        .alias("_age"),
        (pl.col("_end").is_not_null() & (pl.col("_end") - pl.col("_day") < horizon)).alias(
            "_early"
        ),
    )
    age_list = ages["_age"].to_list()
    early_list = ages["_early"].to_list()
    exposure = [0.0] * len(bands)
    ends = [0] * len(bands)
    for age, early in zip(age_list, early_list, strict=True):
        for i in range(len(bands)):
            exposure[i] += max(0, min(age, edges[i + 1]) - edges[i])
            if early and edges[i] <= age < edges[i + 1]:
                ends[i] += 1
    n_early = sum(ends)
    base = (n_early + 0.5) / (sum(exposure) + 1)
    hazard = tuple((e + base * 30) / (x + 30) for e, x in zip(ends, exposure, strict=True))

    def expected(age: int) -> float:
        return sum(h * max(0, min(age, edges[i + 1]) - edges[i]) for i, h in enumerate(hazard))

    exp_by: dict[str, float] = {}
    obs_by: dict[str, int] = {}
    for c, f, age, early in ages.iter_rows():
        for key in (c, f"funding:{f}"):
            exp_by[key] = exp_by.get(key, 0.0) + expected(age)
            obs_by[key] = obs_by.get(key, 0) + int(early)
    ratio = {c: (obs_by.get(c, 0) + 1) / (exp_by.get(c, 0.0) + 1) for c in cohorts}
    g_ratio = (obs_by.get("funding:guaranteed", 0) + 1) / (
        exp_by.get("funding:guaranteed", 0.0) + 1
    )
    s_ratio = (obs_by.get("funding:sib", 0) + 1) / (exp_by.get("funding:sib", 0.0) + 1)
    g_ratio = g_ratio / s_ratio if s_ratio else 1.0

    # -- weeks sustained ---------------------------------------------------------------------------
    pers = (
        records.periods.join(refs.select("referral_id", "_day", "_end"), on="referral_id")
        .with_columns(days("start_date").alias("_s"), days("end_date").alias("_e"))
        .sort("referral_id", "_s")
    )
    first = pers.group_by("referral_id").agg(pl.col("_s").min(), pl.col("_day").first())
    start_lags = [int(x) for x in (first["_s"] - first["_day"]).clip(0).to_list()]
    with_period = set(first["referral_id"].to_list())
    for rid, day, end in refs.select("referral_id", "_day", "_end").iter_rows():
        if rid not in with_period and ((end if end is not None else d) - day) >= 60:
            start_lags.append(NEVER)
    sustained = pers.select(
        (
            pl.min_horizontal(pl.col("_e").fill_null(d), pl.col("_end").fill_null(d), pl.lit(d))
            - pl.col("_s")
        ).clip(0)
    ).to_series()
    broke = pers.filter(
        pl.col("_e").is_not_null() & (pl.col("_end").is_null() | (pl.col("_end") > pl.col("_e")))
    )
    n_breaks = broke.height
    breaks_per_day = (n_breaks + 0.5) / (float(sustained.sum() or 0) + 1)
    gap_frame = pers.with_columns(
        (pl.col("_s") - pl.col("_e").shift(1).over("referral_id")).alias("_gap")
    ).filter(pl.col("_gap").is_not_null())
    gaps = tuple(int(g) for g in gap_frame["_gap"].clip(0).to_list()) or (DEFAULT_GAP,)

    return Assumptions(
        enquiries_per_day=rate,
        enquiries_seen=n_recent,
        trend_per_year=trend,
        trend_se=trend_se,
        council_share=council_share,
        cohort_share=cohort_share,
        enquiries_total=enq.height,
        progression=progression,
        progressed_seen={c: by_c[0].get(c, 0) for c in cohorts},
        cohort_moves=moves,
        referral_lags=lags,
        re_referrals_per_day=re_rate,
        re_referral_mix=re_mix,
        guaranteed_share=guaranteed,
        band_days=bands,
        hazard=hazard,
        hazard_ratio=ratio,
        hazard_ratio_seen={c: obs_by.get(c, 0) for c in cohorts},
        guaranteed_ratio=g_ratio,
        early_ends_seen=n_early,
        start_lags=tuple(start_lags) or (0,),
        breaks_per_day=breaks_per_day,
        breaks_seen=n_breaks,
        gaps=gaps,
    )
