"""Our side of the rolling benchmark: read a directory of returns, parse, merge, run the
rolling-origin backtests on the peer's four categories, print JSON.

Usage: python benchmarks/sufficiency/ours_rolling.py DIR TEST_YEAR [WINDOW_YEARS]

Reports, out of sample (each origin calibrated only on backtests it had seen): mean absolute
error per category and years ahead for the carried forecast, "no change", the damped trend
and the model's trend in full, and the 90% band's coverage; and the forecast of 31 March
TEST_YEAR made at 31 March TEST_YEAR - 1 (for the comparison with the peer). Times: reading,
the live forecast alone (one fit and projection, as the page's first step) and all the
rolling backtests.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

# polars' allocator (jemalloc) hands freed memory back at once instead of keeping it
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

import polars as pl  # noqa: E402

from stars.domain.sufficiency.forecast import fit_model, project  # noqa: E402
from stars.domain.sufficiency.rolling import rolling_backtests  # noqa: E402
from stars.domain.sufficiency.ssda903 import (  # noqa: E402
    ParsedFile,
    merge_returns,
    numbered_children,
    parse_episodes,
    parse_header,
)
from stars.domain.sufficiency.trust import TOTAL, calibrate, evaluate, forecast  # noqa: E402

# once a file is read and checked, the forecast needs only these columns (codes as categories)
EPISODE_KEEP = ("CHILD", "DECOM", "DEC", "REC", "LS", "PLACE", "YEAR")
HEADER_KEEP = ("CHILD", "DOB", "YEAR")
PEER_GROUPS = ("Fostering", "Residential", "Supported", "Other")
PEER_GROUP = pl.Enum(PEER_GROUPS)  # one byte a row, not a string
PEER_MAP = {
    **{f"U{i}": "Fostering" for i in range(1, 7)},
    "K2": "Residential",
    "R1": "Residential",
    "H5": "Supported",
    "P2": "Supported",
}


# codes as categories (a few values each); CHILD stays a string: an id of up to 12 characters
# is held in its 16-byte view, where the categories of a national return's half a million
# children cost about 90 bytes each for as long as the process lives
_categories = pl.col("REC", "LS", "PLACE").cast(pl.Categorical)


def read_returns(root: Path) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """The returns in ``root`` (a directory per collection year) read, checked and merged, a
    return at a time: (episodes with ``PEER_GROUP``, headers, errors found)."""
    years = sorted(int(p.name) for p in root.iterdir() if p.is_dir())
    errors = 0
    slim = os.environ.get("STARS_BENCH_ALL_COLUMNS") != "1"

    # one file at a time, read as bytes and merged as it comes: only one return's rows held
    def episode_files() -> Iterator[ParsedFile]:
        nonlocal errors
        for y in years:
            e = parse_episodes(
                f"{y}/episodes.csv", (root / str(y) / "episodes.csv").read_bytes(), y
            )
            errors += len(e.errors)
            if slim:  # the full frame is let go before the next file is read
                e = replace(e, frame=e.frame.select(EPISODE_KEEP).with_columns(_categories))
            yield e

    def header_files() -> Iterator[ParsedFile]:
        nonlocal errors
        for y in years:
            h = parse_header(f"{y}/header.csv", (root / str(y) / "header.csv").read_bytes(), y)
            errors += len(h.errors)
            if slim:
                h = replace(h, frame=h.frame.select(HEADER_KEEP))
            yield h

    # child ids as integers numbered in their sorted order, so every sort and join goes as
    # with the strings (the forecast only compares, sorts and joins them)
    merged = numbered_children(merge_returns(episode_files(), header_files()))
    episodes = merged.episodes.with_columns(
        pl.col("PLACE")
        .replace_strict(PEER_MAP, default="Other", return_dtype=PEER_GROUP)
        .alias("PEER_GROUP"),
    )
    return episodes, merged.headers, errors


def main() -> None:
    root, test_year = Path(sys.argv[1]), int(sys.argv[2])
    window = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    t0 = time.perf_counter()
    episodes, headers, errors = read_returns(root)
    t1 = time.perf_counter()
    origin = test_year - 1
    live = fit_model(
        episodes,
        headers,
        date(origin, 3, 31),
        window_years=window,
        groups=PEER_GROUPS,
        group_column="PEER_GROUP",
    )
    project(live, 3)
    t2 = time.perf_counter()
    rolling = rolling_backtests(
        episodes,
        headers,
        window_years=window,
        groups=PEER_GROUPS,
        group_column="PEER_GROUP",
    )
    t3 = time.perf_counter()
    if os.environ.get("STARS_BENCH_POINTS"):  # every backtest's point, for trying band rules
        Path(os.environ["STARS_BENCH_POINTS"]).write_text(
            json.dumps([p.__dict__ for p in rolling.points])
        )
    known = [p for p in rolling.points if p.actual is not None]
    evaluation = evaluate(rolling.points, PEER_GROUPS)
    at = [p for p in known if p.origin == origin and p.horizon == 1]
    at = [p for p in at if p.group != TOTAL] + [p for p in at if p.group == TOTAL]
    carry = calibrate([p for p in known if p.target <= origin], PEER_GROUPS)
    test = [
        {
            "group": p.group,
            "actual": p.actual,
            "ours": f.expected,
            "lower": f.lower,
            "upper": f.upper,
            "naive": p.now,
            "damped": p.damped,
            "model": p.model,
            "level": p.steady,
            "weight": carry[p.group].weight if p.group in carry else None,
            "trend": carry[p.group].trend_share if p.group in carry else None,
        }
        for p, f in zip(at, forecast(at, carry), strict=True)
    ]
    print(
        json.dumps(
            {
                "errors": errors,
                "episodes": episodes.height,
                "children": headers.height,
                "origins": list(evaluation.origins),
                "seconds_read_parse_merge": t1 - t0,
                "seconds_live_forecast": t2 - t1,
                "seconds_rolling_backtests": t3 - t2,
                "coverage": evaluation.coverage,
                "band_held": sum(r.covered for r in evaluation.rows if r.group != TOTAL),
                "band_backtests": sum(r.backtests for r in evaluation.rows if r.group != TOTAL),
                "rolling": [r.__dict__ for r in evaluation.rows],
                "test": test,
                "weights": {g: c.weight for g, c in calibrate(known, PEER_GROUPS).items()},
                "trend_shares": {
                    g: c.trend_share for g, c in calibrate(known, PEER_GROUPS).items()
                },
                "damped_share_of_total": calibrate(known, PEER_GROUPS)[TOTAL].damped,
                "composition": calibrate(known, PEER_GROUPS)[TOTAL].composition,
            }
        )
    )


if __name__ == "__main__":
    main()
