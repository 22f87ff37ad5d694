"""Our side of the benchmark: read a directory of returns, parse, merge, backtest.

Usage: python benchmarks/sufficiency/ours.py DIR YEAR [WINDOW_YEARS]
DIR holds YEAR/header.csv and YEAR/episodes.csv for each collection year. Prints JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from stars import ALLOCATOR_SETTING

# the product's setting of polars' allocator (jemalloc), before polars loads: memory let go
# goes back to the system after 100 ms
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR_SETTING)

import polars as pl  # noqa: E402

from stars.domain.sufficiency.backtest import backtest  # noqa: E402
from stars.domain.sufficiency.ssda903 import (  # noqa: E402
    FORECAST_COLUMNS,
    ParsedFile,
    compact,
    merge_returns,
    numbered_children,
    parse_episodes,
    parse_header,
)

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
    years = sorted(int(p.name) for p in root.iterdir() if p.is_dir())
    errors = 0

    # the pages' reading (and ours_rolling.py's): a file at a time, read as bytes, parsed
    # and checked, cut to the columns the backtests read (codes as categories: ``compact``)
    # and merged as it comes; child ids numbered in their sorted order once merged
    def files(kind: str, columns: tuple[str, ...]) -> Iterator[ParsedFile]:
        nonlocal errors
        parse = parse_episodes if kind == "episodes" else parse_header
        for y in years:
            f = parse(f"{y}/{kind}.csv", (root / str(y) / f"{kind}.csv").read_bytes(), y)
            errors += len(f.errors)
            yield compact(f, columns)

    merged = numbered_children(
        merge_returns(
            files("episodes", (*FORECAST_COLUMNS.episodes, "PLACE")),
            files("header", FORECAST_COLUMNS.headers),
        )
    )
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
