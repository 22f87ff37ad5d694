"""Backtest error at council size over many synthetic councils and test years, ours and peer.

    .venv/bin/python benchmarks/sufficiency/small_seeds.py [--seeds 1,2,...] [--years 2019,2020]

One council and one year is a single draw: at about 470 children looked after, a year's
count moves by ±20 by chance alone. This script repeats the backtest of `run.py` (fit on the
three years to 31 March T-1, forecast 31 March T) for several seeds of the synthetic council
(scale 1) and several test years T, runs our model in this process and the peer's CLI
(`benchmarks/.venv-peer`, see README) on the same returns, and prints the mean absolute
error per placement category of ours, the peer's and the naive "no change" forecast.
Results also go to benchmarks/out/small_seeds.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ours import PEER_GROUPS, PEER_MAP  # noqa: E402
from run import PEER_BIN, peer_totals  # noqa: E402

from stars.demo.ssda903 import SyntheticConfig, generate, render_return  # noqa: E402
from stars.domain.sufficiency.backtest import backtest  # noqa: E402
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "small_seeds"


def peer_forecast(folder: Path, year: int) -> dict[str, float]:
    xlsx = folder / "peer.xlsx"
    subprocess.run(
        [
            str(PEER_BIN / "demand-model"),
            "predict",
            str(folder),
            "-s",
            f"{year - 4}-04-01",
            "-e",
            f"{year - 1}-03-31",
            "--pd",
            f"{year}-03-31",
            "--export",
            str(xlsx),
        ],
        check=True,
        capture_output=True,
    )
    return peer_totals(xlsx)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="2024,1,2,3,4,5,6,7")
    ap.add_argument("--years", default="2019,2020")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    years = [int(y) for y in args.years.split(",")]
    errors: dict[str, dict[str, list[float]]] = {}
    trials = []
    for seed in seeds:
        data = generate(SyntheticConfig(seed=seed, scale=1.0, first_year=2014))
        texts = {y: render_return(data, y) for y in range(2014, 2021)}
        eps = [parse_episodes(f"{y}/episodes.csv", texts[y][1], y) for y in texts]
        hds = [parse_header(f"{y}/header.csv", texts[y][0], y) for y in texts]
        merged = merge_returns(eps, hds)
        episodes = merged.episodes.with_columns(
            pl.col("PLACE").replace_strict(PEER_MAP, default="Other").alias("PEER_GROUP")
        )
        for year in years:
            folder = OUT / f"seed{seed}-upto{year - 1}"
            for y in range(2014, year):
                (folder / str(y)).mkdir(parents=True, exist_ok=True)
                (folder / str(y) / "header.csv").write_text(texts[y][0])
                (folder / str(y) / "episodes.csv").write_text(texts[y][1])
            peer = peer_forecast(folder, year)
            ours = backtest(
                episodes,
                merged.headers,
                year,
                window_years=3,
                groups=PEER_GROUPS,
                group_column="PEER_GROUP",
            )
            for r in ours.rows:
                e = errors.setdefault(r.group, {"ours": [], "peer": [], "naive": []})
                e["ours"].append(abs(r.forecast - r.actual))
                e["peer"].append(abs(peer[r.group] - r.actual))
                e["naive"].append(abs(r.naive - r.actual))
                trials.append(
                    {
                        "seed": seed,
                        "year": year,
                        "group": r.group,
                        "actual": r.actual,
                        "ours": r.forecast,
                        "peer": peer[r.group],
                        "naive": r.naive,
                    }
                )
            print(f"seed {seed}, test year {year}: done", file=sys.stderr, flush=True)
    n = len(seeds) * len(years)
    print(f"Mean absolute error over {n} backtests (seeds {args.seeds}; years {args.years})")
    print("| group | ours | peer | naive | ours better than peer in |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for group, e in errors.items():
        wins = sum(o <= p for o, p in zip(e["ours"], e["peer"], strict=True))
        print(
            f"| {group} | {sum(e['ours']) / n:.2f} | {sum(e['peer']) / n:.2f} | "
            f"{sum(e['naive']) / n:.2f} | {wins} of {n} |"
        )
    (OUT / "small_seeds.json").write_text(json.dumps(trials, indent=1))


if __name__ == "__main__":
    main()
