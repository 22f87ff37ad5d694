"""An independent SSDA903 generator for the forecast benchmark (not ``stars.demo.ssda903``).

Written apart from the project's demo generator and on different assumptions, so the
benchmark does not reward a model for matching the generator it was developed on:

* entries are Poisson by year, flat before 2012 and then ``growing`` (+5% a year), ``flat``
  or ``shrinking`` (-4% a year);
* a period of care lasts a log-normal time depending on the age at entry (not a constant
  hazard), ending at 18 at the latest; about one child in ten comes back into care later;
* within a period, placements last Weibull times with shape 0.7 (the longer a placement
  has lasted, the less likely it ends: duration dependence a Markov model does not have),
  the next placement drawn from a table by current type and age; young children leaving
  by adoption spend their last months placed for adoption;
* children are simulated from 1998 so the stock in the returns is in its own equilibrium.

Sizes: ``council`` (about 205 entries and 490 children looked after a year, as St Helens
in the seed's strategy) and ``national`` (about 31,000 entries a year).

    python benchmarks/sufficiency/independent903.py OUT_DIR SHAPE SIZE SEED [FIRST LAST]

writes ``OUT_DIR/<YEAR>/{header,episodes}.csv`` for collection years FIRST..LAST (default
2015..2025), DfE layout, dates dd/mm/YYYY, pseudo-postcodes ``ZZ99``. Standard library only.
"""

from __future__ import annotations

import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path

SHAPES = {"growing": 1.05, "flat": 1.0, "shrinking": 0.96}
ENTRIES = {"council": 205.0, "national": 31000.0}
START, TREND_FROM = 1998, 2012

# age at entry: (lowest age, highest age + 1, share)
ENTRY_AGES = ((0, 1, 0.22), (1, 5, 0.14), (5, 10, 0.17), (10, 16, 0.35), (16, 18, 0.12))
# median years in care and log-normal sigma by age at entry
STAY = {0: (2.2, 0.9), 1: (1.8, 1.0), 5: (1.6, 1.1), 10: (1.1, 1.2), 16: (0.8, 0.7)}
# placements: code, provider choices, median years (Weibull scale), by age band weights
PLACEMENTS = {
    "U1": (("PR1",), 1.6),
    "U4": (("PR1", "PR1", "PR4"), 1.4),
    "U6": (("PR4", "PR4", "PR1"), 1.3),
    "K2": (("PR3", "PR3", "PR1"), 0.7),
    "R1": (("PR3",), 0.5),
    "H5": (("PR3", "PR1"), 0.6),
    "P2": (("PR0",), 0.5),
    "P1": (("PR0",), 0.7),
    "S1": (("PR3",), 0.8),
    "Z1": (("PR0",), 0.3),
}
FIRST_PLACEMENT = {  # by age band at entry
    0: {"U1": 20, "U4": 40, "U6": 20, "P1": 12, "Z1": 8},
    1: {"U1": 18, "U4": 35, "U6": 30, "P1": 10, "Z1": 7},
    5: {"U1": 15, "U4": 30, "U6": 35, "K2": 8, "P1": 7, "Z1": 5},
    10: {"U1": 10, "U4": 25, "U6": 33, "K2": 18, "R1": 4, "S1": 2, "P1": 4, "Z1": 4},
    16: {"U4": 12, "U6": 20, "K2": 18, "H5": 35, "P2": 10, "Z1": 5},
}
NEXT_PLACEMENT = {  # by age band at the move (the current placement is not repeated)
    0: {"U1": 25, "U4": 45, "U6": 25, "Z1": 5},
    1: {"U1": 20, "U4": 40, "U6": 30, "P1": 5, "Z1": 5},
    5: {"U1": 12, "U4": 35, "U6": 38, "K2": 10, "Z1": 5},
    10: {"U1": 8, "U4": 26, "U6": 34, "K2": 22, "R1": 4, "S1": 2, "Z1": 4},
    16: {"U4": 10, "U6": 15, "K2": 20, "H5": 45, "P2": 10},
}
ETHNIC = ("WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "MOTH", "APKN", "BAFR", "BCRB", "OOTH")
DAY = timedelta(days=1)


def band(age: float) -> int:
    return 16 if age >= 16 else 10 if age >= 10 else 5 if age >= 5 else 1 if age >= 1 else 0


def pick(rng: random.Random, weights: dict[str, int], avoid: str = "") -> str:
    items = [(k, w) for k, w in weights.items() if k != avoid]
    total = sum(w for _, w in items)
    x = rng.random() * total
    for k, w in items:
        x -= w
        if x < 0:
            return k
    return items[-1][0]


def poisson(rng: random.Random, lam: float) -> int:
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def entry_rate(shape: str, size: str, year: int) -> float:
    g = SHAPES[shape]
    return ENTRIES[size] * g ** max(0, year - TREND_FROM)


def simulate(shape: str, size: str, seed: int, last: int) -> tuple[list[tuple], list[tuple]]:
    """Headers (CHILD, SEX, DOB, ETHNIC) and episodes (CHILD, DECOM, DEC, PLACE, PROVIDER,
    LS, RNE, REC, REASON) up to 31 March ``last`` (DEC None while open then)."""
    rng = random.Random(f"{seed}-{shape}-{size}")
    end = date(last, 3, 31)
    headers: list[tuple] = []
    episodes: list[tuple] = []
    n = 0
    for year in range(START, last + 1):
        y0 = date(year - 1, 4, 1)  # the financial year ending 31 March ``year``
        for _ in range(poisson(rng, entry_rate(shape, size, year))):
            n += 1
            child = f"I{n:07d}"
            start = y0 + timedelta(days=rng.randrange(365))
            lo, hi, _ = rng.choices(ENTRY_AGES, weights=[w for *_, w in ENTRY_AGES])[0]
            age = lo + rng.random() * (hi - lo)
            dob = start - timedelta(days=int(age * 365.25))
            headers.append((child, rng.choice("12"), dob, rng.choice(ETHNIC)))
            cin = f"N{rng.choice((1, 1, 1, 1, 2, 3, 4, 5, 6, 8))}"
            while start <= end:
                _period(rng, child, dob, start, cin, end, episodes)
                if rng.random() > 0.1:
                    break
                last_dec = episodes[-1][2]
                if last_dec is None:
                    break
                start = last_dec + timedelta(days=30 + int(rng.expovariate(1 / 400)))
                if (start - dob).days >= 17 * 365:
                    break
    return headers, episodes


def _period(rng, child, dob, start, cin, end, out) -> None:
    age = (start - dob).days / 365.25
    median, sigma = STAY[band(age)]
    years = median * math.exp(sigma * rng.gauss(0, 1))
    eighteen = date(dob.year + 18, dob.month, min(dob.day, 28))
    stop = min(start + timedelta(days=max(1, int(years * 365.25))), eighteen)
    adopted = age < 5 and (stop - start).days > 300 and rng.random() < 0.45
    legal = "V2" if rng.random() < 0.08 else "C2"
    place = pick(rng, FIRST_PLACEMENT[band(age)])
    decom, rne, reason = start, "S", ""
    while True:
        if adopted and (stop - decom).days <= 270:
            place, legal = rng.choice(("A5", "A6")), "E1"
            providers, median_place = ("PR1",), 10.0
        else:
            providers, median_place = PLACEMENTS[place]
        weib = median_place / math.log(2) ** (1 / 0.7) * rng.weibullvariate(1.0, 0.7)
        dec = decom + timedelta(days=max(1, int(weib * 365.25)))
        if adopted and place not in ("A5", "A6"):
            dec = min(dec, stop - timedelta(days=270))
            if dec <= decom:
                dec = decom + DAY
        last = dec >= stop
        dec = min(dec, stop)
        provider = rng.choice(providers)
        if dec > end:
            out.append((child, decom, None, place, provider, legal, rne, None, reason, cin))
            return
        if last:
            rec = "E11" if place in ("A5", "A6") else rng.choice(("E13", "E41", "E8", "E4A"))
            if dec >= eighteen:
                rec = "E8"
            out.append((child, decom, dec, place, provider, legal, rne, rec, reason, cin))
            return
        out.append((child, decom, dec, place, provider, legal, rne, "X1", reason, cin))
        decom, rne = dec, "P"
        reason = rng.choice(("CARPL", "CHILD", "LAREQ", "PLACE", "OTHER"))
        if not (adopted and (stop - decom).days <= 270):
            place = pick(rng, NEXT_PLACEMENT[band((decom - dob).days / 365.25)], avoid=place)


def fmt(d: date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def write(out: Path, shape: str, size: str, seed: int, first: int, last: int) -> dict[str, int]:
    headers, episodes = simulate(shape, size, seed, last)
    by_child = {h[0]: h for h in headers}
    rows = 0
    for year in range(first, last + 1):
        y0, y1 = date(year - 1, 4, 1), date(year, 3, 31)
        kept = [e for e in episodes if e[1] <= y1 and (e[2] is None or e[2] >= y0)]
        children = sorted({e[0] for e in kept})
        folder = out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"]
        for c in children:
            _, sex, dob, eth = by_child[c]
            lines.append(f"{c},{sex},{fmt(dob)},{eth},,,")
        (folder / "header.csv").write_text("\n".join(lines) + "\n")
        lines = [
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
            "HOME_POST,PL_POST,URN"
        ]
        for child, decom, dec, place, prov, ls, rne, rec, reason, cin in sorted(
            kept, key=lambda e: (e[0], e[1])
        ):
            open_now = dec is None or dec > y1
            lines.append(
                f"{child},{fmt(decom)},{rne},{ls},{cin},{place},{prov},"
                f"{'' if open_now else fmt(dec)},{'' if open_now else rec},{reason},"
                "ZZ99 1AA,ZZ99 2BB,"
            )
        rows += len(lines) - 1
        (folder / "episodes.csv").write_text("\n".join(lines) + "\n")
    return {"children": len(headers), "episode_rows": rows}


def main() -> None:
    out, shape, size, seed = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 2015
    last = int(sys.argv[6]) if len(sys.argv) > 6 else 2025
    print(write(out, shape, size, seed, first, last))


if __name__ == "__main__":
    main()
