"""Synthetic SSDA903 returns, seeded and shaped like a council's sufficiency figures.

Entirely made up: child ids ``C0000001``..., postcodes in the unused ``ZZ99`` area, no real
names or records. The default calibrates on the seed council (St Helens, 2020): about 500
looked after at 31 March 2020, about 190 starters a year, roughly three in four fostered,
children looked after up about 20% over five years (starters growing ``growth`` a year).
``scale`` multiplies the council: ``scale=170`` is about England (83,000 looked after;
about 300,000 children and 800,000 episode rows over seven returns).

The simulation: each child enters on a random day at an age drawn by band, stays a time
drawn from a short/long mixture (never past 18), changes placement as a Poisson process
(group drawn by age), and has an interim care order become a full care order after some
months. A few short-break children (V3/V4) exercise the exclusions. Each collection year's
return holds the episodes open at some point in that year, with DEC/REC blank when the
episode had not yet ended at 31 March, as a real return would.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from stars.domain.sufficiency.codes import (
    AGENCY_FOSTERING,
    EXTERNAL_RESIDENTIAL,
    INHOUSE_FOSTERING,
    INHOUSE_RESIDENTIAL,
    KINSHIP,
    OTHER,
    SECURE,
    SUPPORTED,
    WITH_PARENTS,
)
from stars.domain.sufficiency.ssda903 import DATE_FORMAT, EPISODE_COLUMNS, HEADER_COLUMNS


class HeaderRow(NamedTuple):
    CHILD: str
    SEX: str
    DOB: date
    ETHNIC: str
    UPN: str
    MOTHER: str
    MC_DOB: date | None


class EpisodeRow(NamedTuple):
    CHILD: str
    DECOM: date
    RNE: str
    LS: str
    CIN: str
    PLACE: str
    PLACE_PROVIDER: str
    DEC: date | None
    REC: str
    REASON_PLACE_CHANGE: str
    HOME_POST: str
    PL_POST: str
    URN: str


@dataclass(frozen=True)
class SyntheticConfig:
    seed: int = 4
    first_year: int = 2014  # first collection year returned
    last_year: int = 2020
    scale: float = 1.0
    starters_per_year: float = 190.0  # in the last year, at scale 1
    growth: float = 0.04  # yearly growth of starters (0 = steady state)
    burn_in_years: int = 14
    short_break_share: float = 0.03


@dataclass(frozen=True)
class SyntheticData:
    config: SyntheticConfig
    headers: tuple[HeaderRow, ...]
    episodes: tuple[EpisodeRow, ...]  # full history, DEC blank only if open at the end


ENTRY_BANDS = ((0, 1, 0.20), (1, 5, 0.16), (5, 10, 0.17), (10, 16, 0.35), (16, 18, 0.12))
# placement group weights by age band at the time of placing
GROUP_WEIGHTS: dict[int, tuple[tuple[str, float], ...]] = {
    0: ((KINSHIP, 21), (INHOUSE_FOSTERING, 40), (AGENCY_FOSTERING, 20), (WITH_PARENTS, 9),
        (OTHER, 8), (INHOUSE_RESIDENTIAL, 1), (EXTERNAL_RESIDENTIAL, 1)),
    1: ((KINSHIP, 15), (INHOUSE_FOSTERING, 28), (AGENCY_FOSTERING, 27), (EXTERNAL_RESIDENTIAL, 15),
        (INHOUSE_RESIDENTIAL, 4), (WITH_PARENTS, 5), (SECURE, 1), (SUPPORTED, 2), (OTHER, 3)),
    2: ((KINSHIP, 8), (INHOUSE_FOSTERING, 16), (AGENCY_FOSTERING, 22), (EXTERNAL_RESIDENTIAL, 14),
        (INHOUSE_RESIDENTIAL, 3), (SUPPORTED, 33), (SECURE, 1), (OTHER, 3)),
}  # fmt: skip
PLACE_CODES: dict[str, tuple[tuple[str, str, str], ...]] = {
    KINSHIP: (("U1", "PR1", ""), ("U3", "PR1", "")),
    INHOUSE_FOSTERING: (("U4", "PR1", ""), ("U6", "PR1", ""), ("U5", "PR1", "")),
    AGENCY_FOSTERING: (("U4", "PR4", ""), ("U6", "PR4", ""), ("U6", "PR5", "")),
    INHOUSE_RESIDENTIAL: (("K2", "PR1", "SC"),),
    EXTERNAL_RESIDENTIAL: (("K2", "PR4", "SC"), ("K2", "PR5", "SC"), ("R1", "PR4", "SC"),
                           ("S1", "PR4", "")),
    WITH_PARENTS: (("P1", "PR0", ""),),
    SUPPORTED: (("H5", "PR4", ""), ("P2", "PR4", ""), ("H5", "PR5", "")),
    SECURE: (("K1", "PR2", "SC"), ("R5", "PR3", "")),
    # drawn as "other" so that the demo's returns stay as they were: A4 (placed for
    # adoption) is read back as the adoption group
    OTHER: (("R3", "PR4", ""), ("A4", "PR1", ""), ("Z1", "PR4", ""), ("T0", "PR1", "")),
}  # fmt: skip
ETHNIC_WEIGHTS = (("WBRI", 74), ("WOTH", 4), ("MWBC", 5), ("MOTH", 3), ("BAFR", 3),
                  ("BCRB", 2), ("APKN", 2), ("AOTH", 2), ("OOTH", 3), ("NOBT", 2))  # fmt: skip
CHANGE_REASONS = ("CARPL", "CHILD", "LAREQ", "PLACE", "STAND", "OTHER")
DAY = timedelta(days=1)


def _band_of(age_years: float) -> int:
    return 0 if age_years < 10 else 1 if age_years < 16 else 2


def _pick(rng: random.Random, weights: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return date(dob.year + years, 3, 1)


def _exit_reason(rng: random.Random, age: float, at_18: bool) -> str:
    if at_18:
        return rng.choice(("E17", "E5", "E5", "E6", "E8"))
    if age < 5:
        return _pick(rng, (("E11", 30), ("E12", 5), ("E4A", 30), ("E45", 10), ("E46", 10),
                           ("E41", 5), ("E13", 5), ("E8", 5)))  # fmt: skip
    if age < 16:
        return _pick(rng, (("E4A", 45), ("E4B", 5), ("E41", 8), ("E45", 8), ("E46", 8),
                           ("E13", 10), ("E3", 4), ("E9", 2), ("E8", 10)))  # fmt: skip
    return _pick(rng, (("E4A", 30), ("E5", 25), ("E6", 10), ("E13", 10), ("E9", 5), ("E8", 20)))


def _child(
    rng: random.Random, child: str, start: date, horizon: date
) -> tuple[HeaderRow, list[EpisodeRow]]:
    lo, hi, _ = _pick_band(rng)
    age = rng.uniform(lo, hi)
    dob = start - timedelta(days=int(age * 365.25))
    if dob >= start:
        dob = start - DAY
    turns_18 = _birthday(dob, 18)
    stay_years = rng.expovariate(1 / 0.35) if rng.random() < 0.33 else rng.expovariate(1 / 6.5)
    end = start + timedelta(days=max(1, int(stay_years * 365.25)))
    at_18 = end >= turns_18
    end = min(end, turns_18)
    sex = rng.choice("12")
    header = HeaderRow(
        CHILD=child,
        SEX=sex,
        DOB=dob,
        ETHNIC=_pick(rng, ETHNIC_WEIGHTS),
        UPN=f"Z{rng.randrange(10**11, 10**12)}",
        MOTHER="0" if sex == "2" else "",  # DfE: completed for every girl looked after
        MC_DOB=None,
    )
    # change points: (day, kind) with kind "P" placement or "L" legal status
    changes: list[tuple[date, str]] = []
    t = start
    while True:
        t += timedelta(days=max(1, int(rng.expovariate(0.33) * 365.25)))
        if t >= end:
            break
        changes.append((t, "P"))
    ls = _pick(rng, (("C1", 52), ("V2", 38), ("L2", 4), ("E1", 2), ("J1", 2), ("C2", 2)))
    if ls == "C1":
        full = start + timedelta(days=rng.randint(120, 330))
        if full < end:
            changes.append((full, "L"))
    changes.sort()
    cin = _pick(rng, (("N1", 62), ("N2", 3), ("N3", 3), ("N4", 8), ("N5", 14), ("N6", 2),
                      ("N7", 1), ("N8", 6), ("N9", 1)))  # fmt: skip
    home = f"ZZ99 {rng.randint(1, 9)}{rng.choice('ABDEFGHJLN')}{rng.choice('PQRSTUWXYZ')}"

    def placement(on: date) -> tuple[str, str, str, str]:
        band = _band_of((on - dob).days / 365.25)
        group = _pick(rng, GROUP_WEIGHTS[band])
        place, provider, urn = rng.choice(PLACE_CODES[group])
        urn = f"SC{rng.randrange(100000, 999999)}" if urn else ""
        pl_post = f"ZZ99 {rng.randint(1, 9)}{rng.choice('ABDEFGHJLN')}{rng.choice('PQRSTUWXYZ')}"
        return place, provider, urn, pl_post

    episodes: list[EpisodeRow] = []
    current = placement(start)
    decom, rne, reason = start, "S", ""
    for when, kind in changes:
        if when <= decom:
            continue
        episodes.append(
            EpisodeRow(
                child,
                decom,
                rne,
                ls,
                cin,
                current[0],
                current[1],
                when,
                "X1",
                reason,
                home,
                current[3],
                current[2],
            )  # fmt: skip
        )
        decom = when
        if kind == "P":
            current, rne, reason = placement(when), "P", rng.choice(CHANGE_REASONS)
        else:
            ls, rne, reason = "C2", "L", ""
    closed = end <= horizon
    episodes.append(
        EpisodeRow(
            child,
            decom,
            rne,
            ls,
            cin,
            current[0],
            current[1],
            end if closed else None,
            _exit_reason(rng, (end - dob).days / 365.25, at_18) if closed else "",
            reason,
            home,
            current[3],
            current[2],
        )  # fmt: skip
    )
    return header, episodes


def _pick_band(rng: random.Random) -> tuple[int, int, float]:
    r = rng.random()
    for band in ENTRY_BANDS:
        r -= band[2]
        if r < 0:
            return band
    return ENTRY_BANDS[-1]


def _short_breaks(
    rng: random.Random, child: str, start: date, horizon: date
) -> tuple[HeaderRow, list[EpisodeRow]]:
    dob = start - timedelta(days=rng.randint(5 * 365, 15 * 365))
    header = HeaderRow(child, rng.choice("12"), dob, "WBRI", f"Z{rng.randrange(10**11, 10**12)}",
                       "", None)  # fmt: skip
    episodes = []
    t = start
    for _ in range(rng.randint(2, 8)):
        end = t + timedelta(days=rng.randint(1, 4))
        if end > horizon:
            break
        episodes.append(EpisodeRow(child, t, "S", rng.choice(("V3", "V4")), "N2", "U6", "PR1",
                                   end, "E8", "", "ZZ99 1AA", "ZZ99 2BB", ""))  # fmt: skip
        t = end + timedelta(days=rng.randint(20, 60))
    return header, episodes


def generate(config: SyntheticConfig = SyntheticConfig()) -> SyntheticData:
    """Simulate the children's full histories up to 31 March of ``config.last_year``."""
    rng = random.Random(config.seed)
    horizon = date(config.last_year, 3, 31)
    headers: list[HeaderRow] = []
    episodes: list[EpisodeRow] = []
    first_sim = config.first_year - config.burn_in_years
    serial = 0
    for year in range(first_sim, config.last_year + 1):
        start = date(year - 1, 4, 1)
        mean = (
            config.starters_per_year
            * config.scale
            * (1 + config.growth) ** (year - config.last_year)
        )
        count = max(0, round(rng.gauss(mean, mean**0.5)))
        breaks = round(count * config.short_break_share)
        for i in range(count + breaks):
            serial += 1
            day = start + timedelta(days=rng.randrange(365))
            maker = _short_breaks if i >= count else _child
            header, rows = maker(rng, f"C{serial:07d}", day, horizon)
            if rows and (rows[-1].DEC is None or date(config.first_year - 1, 4, 1) <= rows[-1].DEC):
                headers.append(header)
                episodes.extend(rows)
    return SyntheticData(config, tuple(headers), tuple(episodes))


def return_rows(
    data: SyntheticData, collection_year: int
) -> tuple[list[HeaderRow], list[EpisodeRow]]:
    """The header and episode rows of one year's return, as known at its 31 March."""
    start, end = date(collection_year - 1, 4, 1), date(collection_year, 3, 31)
    rows: list[EpisodeRow] = []
    for e in data.episodes:
        if end < e.DECOM or (e.DEC is not None and start > e.DEC):
            continue
        if e.DEC is not None and end < e.DEC:
            e = e._replace(DEC=None, REC="")
        rows.append(e)
    children = {e.CHILD for e in rows}
    return [h for h in data.headers if h.CHILD in children], rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)


def render_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text in DfE's layout (dd/mm/YYYY dates, blank for none)."""
    lines = [",".join(columns)]
    lines.extend(",".join(_cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def render_return(data: SyntheticData, collection_year: int) -> tuple[str, str]:
    """(header CSV, episodes CSV) of one collection year's return."""
    headers, episodes = return_rows(data, collection_year)
    return render_csv(HEADER_COLUMNS, headers), render_csv(EPISODE_COLUMNS, episodes)
