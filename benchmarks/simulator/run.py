"""Contract simulator: calibration (80% band coverage over many cut dates) and speed.

Calibration: for each demo programme (the demo's generator, DN2 contract, several seeds) and
each cut date D in its history, simulate from the records as of D to the programme's census
date E (2024-11-30, the last date the records know), and check whether the actual figure as
of E (the evaluation report) lies inside the simulated 80% band [p10, p90]: referrals,
outcome payments and net cash saving. Coverage = share of (programme, cut) pairs inside.

Speed: N runs of the DN2 demo programme from its census date to the end of the contract,
fit included (no database).

    .venv/bin/python benchmarks/simulator/run.py calibrate [--runs 1000] [--seeds 2020,1,2,3]
    .venv/bin/python benchmarks/simulator/run.py speed [--runs 10000] [--as-of 2024-11-30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from stars.demo.synthetic import generate_programme
from stars.domain.calendar import add_months
from stars.domain.contract.parsing import parse_contract
from stars.domain.simulation.calibration import FIGURES, calibrate
from stars.domain.simulation.fit import fit
from stars.domain.simulation.montecarlo import contract_end, simulate
from stars.domain.simulation.records import records_as_of

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "contracts" / "dn2-stars.toml"
CENSUS = dt.date(2024, 11, 30)


def _contract():
    return parse_contract(CONTRACT.read_text(encoding="utf-8"), str(CONTRACT))


def speed(runs: int, as_of: dt.date, seed: int) -> None:
    contract = _contract()
    p = generate_programme(contract, n_referrals=228, as_of=CENSUS, seed=2020)
    start = time.perf_counter()
    rec = records_as_of(p.enquiries, p.referrals, p.periods, as_of)
    result = simulate(
        contract, rec, fit(contract, rec), to=contract_end(contract), runs=runs, seed=seed
    )
    took = time.perf_counter() - start
    print(json.dumps({"runs": result.runs, "as_of": as_of.isoformat(), "seconds": round(took, 2)}))


def cuts(first: dt.date, last: dt.date, months: int) -> list[dt.date]:
    out, d = [], first
    while d <= last:
        out.append(d)
        d = add_months(d, months)
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["calibrate", "speed"])
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", default="2020,1,2,3")
    ap.add_argument("--as-of", default=CENSUS.isoformat())
    ap.add_argument("--every", type=int, default=2, help="months between cut dates")
    args = ap.parse_args(argv)
    if args.what == "speed":
        speed(args.runs or 10_000, dt.date.fromisoformat(args.as_of), args.seed)
        return 0
    contract = _contract()
    dates = cuts(dt.date(2021, 9, 30), dt.date(2024, 5, 31), args.every)
    rows = []
    for s in (int(x) for x in args.seeds.split(",")):
        p = generate_programme(contract, n_referrals=228, as_of=CENSUS, seed=s)
        rows += calibrate(
            contract,
            p.enquiries,
            p.referrals,
            p.periods,
            cuts=dates,
            to=CENSUS,
            runs=args.runs or 1000,
            seed=args.seed,
            label=str(s),
        )
        print(f"programme seed {s}: {len(rows)} cuts so far", file=sys.stderr)
    summary = {f: round(sum(r[f"{f}_inside"] for r in rows) / len(rows), 3) for f in FIGURES}
    print(json.dumps({"cuts": len(rows), "coverage_80": summary}, indent=2))
    for r in rows:
        print(json.dumps(r, default=str), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
