"""Peer benchmark: our forecast/backtest against Data to Insight's cs-demand-model 0.5.1.

    .venv/bin/python benchmarks/sufficiency/run.py [--sizes small,medium,national]

For each size it writes seven synthetic SSDA903 returns (2014..2020) to benchmarks/out/<size>/,
then backtests 2020: fit on data to 31/03/2019 (three-year window), forecast 31/03/2020, compare
with the actual count per placement category and with the naive "no change" forecast. Ours runs
on all seven returns (it censors after 31/03/2019 itself); the peer gets only the returns to 2019
(`demand-model predict DIR -s 2016-04-01 -e 2019-03-31 --pd 2020-03-31 --export x.xlsx`).
Each side runs as a child process under /usr/bin/time -v (wall time and peak memory).
Results: benchmarks/out/results.json and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stars.demo.ssda903 import SyntheticConfig, generate, render_return  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
PEER_BIN = ROOT / "benchmarks" / ".venv-peer" / "bin"
SIZES = {"small": 1.0, "medium": 20.0, "national": 170.0}
YEARS = range(2014, 2021)
TEST_YEAR = 2020
CATEGORIES = ("Fostering", "Residential", "Supported", "Other")


def write_returns(size: str, scale: float) -> tuple[Path, Path, dict[str, int]]:
    data = generate(SyntheticConfig(seed=2024, scale=scale, first_year=YEARS[0]))
    full, upto = OUT / size / "all", OUT / size / f"upto{TEST_YEAR - 1}"
    rows = 0
    for y in YEARS:
        header, episodes = render_return(data, y)
        rows += episodes.count("\n") - 1
        for base in (full, upto) if y < TEST_YEAR else (full,):
            (base / str(y)).mkdir(parents=True, exist_ok=True)
            (base / str(y) / "header.csv").write_text(header)
            (base / str(y) / "episodes.csv").write_text(episodes)
    return full, upto, {"children": len(data.headers), "episode_rows": rows}


def peer_totals(xlsx: Path) -> dict[str, float]:
    """The peer's forecast per category and in total, read from its export in its own venv."""
    read = subprocess.run(
        [str(PEER_BIN / "python"), str(ROOT / "benchmarks/sufficiency/peer_read.py"), str(xlsx)],
        capture_output=True,
        text=True,
        check=True,
    )
    raw = json.loads(read.stdout)["totals"]
    out = {c: raw.get(c.upper(), 0.0) for c in CATEGORIES}
    out["total"] = sum(out.values())
    return out


def timed(cmd: list[str], timeout: int = 900) -> tuple[str, float, float, int]:
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=timeout
    )
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    seconds = 0.0
    if wall:
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    mb = int(rss.group(1)) / 1024 if rss else float("nan")
    return proc.stdout, seconds, mb, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="small,medium,national")
    args = parser.parse_args()
    results = {}
    if (OUT / "results.json").exists():
        results = json.loads((OUT / "results.json").read_text())
    for size in args.sizes.split(","):
        full, upto, shape = write_returns(size, SIZES[size])
        ours_out, ours_s, ours_mb, ours_rc = timed(
            [
                sys.executable,
                str(ROOT / "benchmarks/sufficiency/ours.py"),
                str(full),
                str(TEST_YEAR),
            ]
        )
        ours = json.loads(ours_out) if ours_rc == 0 else {}
        xlsx = OUT / size / "peer_forecast.xlsx"
        peer_cmd = [
            str(PEER_BIN / "demand-model"),
            "predict",
            str(upto),
            "-s",
            "2016-04-01",
            "-e",
            f"{TEST_YEAR - 1}-03-31",
            "--pd",
            f"{TEST_YEAR}-03-31",
            "--export",
            str(xlsx),
        ]
        peer_out, peer_s, peer_mb, peer_rc = timed(peer_cmd)
        peer: dict[str, float] = {}
        if peer_rc == 0:
            peer = peer_totals(xlsx)
        rows = []
        for r in ours.get("peer_groups", []):
            g = r["group"]
            rows.append(
                {
                    "group": g,
                    "actual": r["actual"],
                    "ours": r["forecast"],
                    "naive": r["naive"],
                    "peer": peer.get(g),
                    "ours_abs_err": abs(r["error"]),
                    "naive_abs_err": abs(r["naive_error"]),
                    "peer_abs_err": abs(peer[g] - r["actual"]) if g in peer else None,
                }
            )
        results[size] = {
            "shape": shape,
            "ours_seconds": ours_s,
            "ours_peak_mb": ours_mb,
            "ours_rc": ours_rc,
            "ours_detail": {k: v for k, v in ours.items() if k.startswith("seconds")},
            "peer_seconds": peer_s,
            "peer_peak_mb": peer_mb,
            "peer_rc": peer_rc,
            "peer_stderr_tail": "" if peer_rc == 0 else peer_out[-2000:],
            "rows": rows,
            "native_groups": ours.get("native_groups", []),
        }
        (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
        print(f"\n## {size}: {shape}")
        print(
            f"ours: {ours_s:.1f} s, {ours_mb:.0f} MB (rc {ours_rc}); "
            f"peer: {peer_s:.1f} s, {peer_mb:.0f} MB (rc {peer_rc})"
        )
        print("| group | actual | ours | peer | naive | ours err | peer err | naive err |")
        for r in rows:
            pe = "-" if r["peer"] is None else f"{r['peer']:.1f}"
            pae = "-" if r["peer_abs_err"] is None else f"{r['peer_abs_err']:.1f}"
            print(
                f"| {r['group']} | {r['actual']} | {r['ours']:.1f} | {pe} | {r['naive']} | "
                f"{r['ours_abs_err']:.1f} | {pae} | {r['naive_abs_err']} |"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
