"""Our side of the benchmark: read a directory of returns, parse, merge, backtest.

Usage: python benchmarks/sufficiency/ours.py DIR YEAR [WINDOW_YEARS]
DIR holds YEAR/header.csv and YEAR/episodes.csv for each collection year. Prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import polars as pl

from stars.domain.sufficiency.backtest import backtest
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header

PEER_GROUPS = ("Fostering", "Residential", "Supported", "Other")
PEER_MAP = {
    **{f"U{i}": "Fostering" for i in range(1, 7)},
    "K2": "Residential",
    "R1": "Residential",
    "H5": "Supported",
    "P2": "Supported",
}


def main() -> None:
    root, year = Path(sys.argv[1]), int(sys.argv[2])
    window = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    t0 = time.perf_counter()
    eps, hds, errors = [], [], 0
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        y = int(d.name)
        e = parse_episodes(f"{y}/episodes.csv", (d / "episodes.csv").read_text(), y)
        h = parse_header(f"{y}/header.csv", (d / "header.csv").read_text(), y)
        errors += len(e.errors) + len(h.errors)
        eps.append(e)
        hds.append(h)
    merged = merge_returns(eps, hds)
    t1 = time.perf_counter()
    episodes = merged.episodes.with_columns(
        pl.col("PLACE").replace_strict(PEER_MAP, default="Other").alias("PEER_GROUP")
    )
    peer = backtest(
        episodes,
        merged.headers,
        year,
        window_years=window,
        groups=PEER_GROUPS,
        group_column="PEER_GROUP",
    )
    t2 = time.perf_counter()
    native = backtest(episodes, merged.headers, year, window_years=window)
    t3 = time.perf_counter()
    print(
        json.dumps(
            {
                "errors": errors,
                "episodes": merged.episodes.height,
                "children": merged.headers.height,
                "seconds_read_parse_merge": t1 - t0,
                "seconds_backtest_peer_groups": t2 - t1,
                "seconds_backtest_native_groups": t3 - t2,
                "peer_groups": [r.__dict__ for r in peer.rows],
                "native_groups": [r.__dict__ for r in native.rows],
            }
        )
    )


if __name__ == "__main__":
    main()
