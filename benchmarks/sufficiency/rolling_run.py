"""Rolling benchmark on independently generated returns: ours against "no change", a damped
trend and Data to Insight's cs-demand-model 0.5.1.

    .venv/bin/python benchmarks/sufficiency/rolling_run.py [--sizes council,national]
        [--shapes growing,flat,shrinking] [--council-draws 7] [--national-draws 3]

For each size, shape and draw it writes returns 2015..2025 with ``independent903.py`` to
benchmarks/out/independent/<size>-<shape>-<draw>/, then runs, each under /usr/bin/time -v:

* ours (``ours_rolling.py``): rolling-origin backtests on the peer's four categories, every
  31 March from 2017 (three years of returns before it) to 2024, 1-3 years ahead; and the
  forecast of 31 March 2025 made at 31 March 2024 (weights and band from the backtests whose
  31 March had passed);
* the peer, on the returns to 2024 only: ``demand-model predict DIR -s 2021-04-01 -e
  2024-03-31 --pd 2025-03-31 --export x.xlsx`` (its forecast read as in ``run.py``).

Prints markdown tables; results in benchmarks/out/independent/results.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from run import PEER_BIN, peer_totals, timed  # noqa: E402

OUT = ROOT / "benchmarks" / "out" / "independent"
CATEGORIES = ("Fostering", "Residential", "Supported", "Other", "total")
TEST_YEAR = 2025
KEEP_RETURNS = False  # --keep-returns: returns already written are not written again


def ours_again(run: dict) -> dict:
    """Our side re-run on the returns already written; the peer's figures kept."""
    full = OUT / f"{run['size']}-{run['shape']}-{run['draw']}" / "all"
    out, seconds, mb, rc = timed(
        [sys.executable, str(HERE / "ours_rolling.py"), str(full), str(TEST_YEAR)]
    )
    return {
        **run,
        "ours": json.loads(out) if rc == 0 else {},
        "ours_seconds": seconds,
        "ours_peak_mb": mb,
    }


def one(size: str, shape: str, draw: int) -> dict[str, object]:
    base = OUT / f"{size}-{shape}-{draw}"
    full, upto = base / "all", base / f"upto{TEST_YEAR - 1}"
    if not (KEEP_RETURNS and (full / str(TEST_YEAR) / "episodes.csv").exists()):
        subprocess.run(
            [sys.executable, str(HERE / "independent903.py"), str(full), shape, size, str(draw)],
            check=True,
            capture_output=True,
        )
    upto.mkdir(parents=True, exist_ok=True)
    for d in full.iterdir():
        link = upto / d.name
        if int(d.name) < TEST_YEAR and not link.exists():
            link.symlink_to(d.resolve())
    out, ours_s, ours_mb, rc = timed(
        [sys.executable, str(HERE / "ours_rolling.py"), str(full), str(TEST_YEAR)]
    )
    ours = json.loads(out) if rc == 0 else {}
    xlsx = base / "peer_forecast.xlsx"
    _, peer_s, peer_mb, peer_rc = timed(
        [
            str(PEER_BIN / "demand-model"),
            "predict",
            str(upto),
            "-s",
            f"{TEST_YEAR - 4}-04-01",
            "-e",
            f"{TEST_YEAR - 1}-03-31",
            "--pd",
            f"{TEST_YEAR}-03-31",
            "--export",
            str(xlsx),
        ]
    )
    peer = peer_totals(xlsx) if peer_rc == 0 else {}
    return {
        "size": size,
        "shape": shape,
        "draw": draw,
        "ours": ours,
        "ours_seconds": ours_s,
        "ours_peak_mb": ours_mb,
        "peer": {k.lower() if k == "total" else k: v for k, v in peer.items()},
        "peer_seconds": peer_s,
        "peer_peak_mb": peer_mb,
        "peer_rc": peer_rc,
    }


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def report(runs: list[dict]) -> None:
    keys = sorted({(r["size"], r["shape"]) for r in runs}, key=lambda k: (k[0] != "council", k))
    for size, shape in keys:
        rs = [r for r in runs if r["size"] == size and r["shape"] == shape and r["ours"]]
        if not rs:
            continue
        o = rs[0]["ours"]
        print(
            f"\n### {size}, {shape}: {len(rs)} draw(s); about {o['children']:,} children, "
            f"{o['episodes']:,} episodes (returns 2015-2025)\n"
        )
        actual = mean(
            [next(t for t in r["ours"]["test"] if t["group"] == "total")["actual"] for r in rs]
        )
        print(f"Children looked after at 31 March {TEST_YEAR}: {actual:,.0f} (mean of draws)\n")
        print(
            f"Forecast of 31 March {TEST_YEAR} from 31 March {TEST_YEAR - 1}, mean absolute error"
        )
        print(
            "\n| category | ours | peer | no change | damped trend "
            "| ours <= no change | ours <= peer |"
        )
        print("| --- | ---: | ---: | ---: | ---: | :-: | :-: |")
        for g in CATEGORIES:
            rows = [next(t for t in r["ours"]["test"] if t["group"] == g) for r in rs]
            ours = mean([abs(t["ours"] - t["actual"]) for t in rows])
            naive = mean([abs(t["naive"] - t["actual"]) for t in rows])
            damped = mean([abs(t["damped"] - t["actual"]) for t in rows])
            peers = [
                abs(r["peer"][g] - t["actual"])
                for r, t in zip(rs, rows, strict=True)
                if g in r["peer"]
            ]
            peer = mean(peers)
            print(
                f"| {g} | {ours:.2f} | {peer:.2f} | {naive:.2f} | {damped:.2f} | "
                f"{'yes' if ours <= naive + 1e-9 else 'no'} | "
                f"{'yes' if peers and ours <= peer + 1e-9 else 'no'} |"
            )
        print("\nRolling backtests (origins 2017-2024), mean absolute error by years ahead")
        print(
            "\n| category | years ahead | backtests | ours | no change | damped trend "
            "| model in full | in 90% band |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for g in CATEGORIES:
            for h in (1, 2, 3):
                rows = [
                    x
                    for r in rs
                    for x in r["ours"]["rolling"]
                    if x["group"] == g and x["horizon"] == h
                ]
                n = sum(x["backtests"] for x in rows)

                def m(k: str, rows: list[dict] = rows, n: int = n) -> float:
                    return sum(x[k] * x["backtests"] for x in rows) / n

                covered = sum(x["covered"] for x in rows)
                print(
                    f"| {g} | {h} | {n} | {m('forecast'):.2f} | {m('no_change'):.2f} | "
                    f"{m('damped'):.2f} | {m('model'):.2f} | {covered} of {n} |"
                )
        held = sum(r["ours"]["band_held"] for r in rs)
        total = sum(r["ours"]["band_backtests"] for r in rs)
        share = 100 * held / total
        print(f"\n90% band coverage over the four categories: {held} of {total} ({share:.1f}%)")

        def worst(key: str, part: str = "", rs: list[dict] = rs) -> float:
            return max(float(r["ours"][part] if part else r[key]) for r in rs)

        print(
            f"\nTime and peak memory (worst draw): ours {worst('ours_seconds'):.1f} s, "
            f"{worst('ours_peak_mb'):.0f} MB (the live forecast alone "
            f"{worst('', 'seconds_live_forecast'):.1f} s, all rolling backtests "
            f"{worst('', 'seconds_rolling_backtests'):.1f} s, reading "
            f"{worst('', 'seconds_read_parse_merge'):.1f} s); peer "
            f"{worst('peer_seconds'):.1f} s, {worst('peer_peak_mb'):.0f} MB"
        )
        sys.stdout.flush()


def main() -> None:
    global OUT, KEEP_RETURNS  # noqa: PLW0603 - one run writes one folder
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="council,national")
    parser.add_argument("--shapes", default="growing,flat,shrinking")
    # the draws the README's tables rest on: 1-7 of each shape at council size, 1-3 at national
    parser.add_argument("--council-draws", type=int, default=7)
    parser.add_argument("--national-draws", type=int, default=3)
    parser.add_argument("--from-draw", type=int, default=1, help="keep the draws before it")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--ours-only", action="store_true", help="re-run ours, keep the peer's")
    parser.add_argument("--keep-returns", action="store_true", help="reuse returns written")
    parser.add_argument("--out", type=Path, default=OUT, help="returns and results.json here")
    args = parser.parse_args()
    OUT = args.out
    KEEP_RETURNS = args.keep_returns
    OUT.mkdir(parents=True, exist_ok=True)
    results = OUT / "results.json"
    runs: list[dict] = json.loads(results.read_text()) if results.exists() else []
    if args.ours_only:
        for i, run in enumerate(runs):
            runs[i] = ours_again(run)
            results.write_text(json.dumps(runs, indent=1, default=str))
            print(f"ours again {run['size']} {run['shape']} {run['draw']}", file=sys.stderr)
    elif not args.report_only:
        for size in args.sizes.split(","):
            draws = args.council_draws if size == "council" else args.national_draws
            for shape in args.shapes.split(","):
                for draw in range(args.from_draw, draws + 1):
                    runs = [
                        r for r in runs if (r["size"], r["shape"], r["draw"]) != (size, shape, draw)
                    ]
                    runs.append(one(size, shape, draw))
                    results.write_text(json.dumps(runs, indent=1, default=str))
                    print(f"done {size} {shape} {draw}", file=sys.stderr, flush=True)
    report(runs)


if __name__ == "__main__":
    main()
