"""Time the vectorised evaluation report against the row-by-row baseline.

    .venv/bin/python benchmarks/engine/run.py                 # 1k, 10k and 100k referrals
    .venv/bin/python benchmarks/engine/run.py --sizes 1000 --repeat 3
    .venv/bin/python benchmarks/engine/run.py --write-trackers var/bench  # CSVs for DB timing

For each size it generates a synthetic tracker (``stars.demo.synthetic``), checks that
the two implementations print identical report JSON, then times each (best of
``--repeat`` runs). Pure computation: the engine starts from Polars frames, the baseline
from Python row dicts (the conversion is not timed, which favours the baseline). Also
timed, for information: parsing and checking the three CSVs (``parse_tracker``).

The database path (import, then the report from the database) is timed by
``benchmarks/db/run.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import baseline_report  # noqa: E402

from stars.demo.synthetic import Programme, generate_programme  # noqa: E402
from stars.domain.contract.parsing import parse_contract  # noqa: E402
from stars.domain.contract.terms import Contract  # noqa: E402
from stars.domain.evaluation.report import evaluation_report, report_to_json  # noqa: E402
from stars.domain.tracker.parsing import parse_tracker  # noqa: E402
from stars.domain.tracker.rows import write_tracker  # noqa: E402

AS_OF = dt.date(2024, 11, 30)
SIZES = (1_000, 10_000, 100_000)


@dataclass(frozen=True)
class Timing:
    label: str
    best: float  # seconds of wall-clock time, the fastest run
    cpu: float  # seconds of CPU time of this process (all threads), the least of the runs
    runs: int


def measure(label: str, fn: Callable[[], object], repeat: int = 3) -> Timing:
    """The best wall-clock and CPU times of ``repeat`` calls of ``fn`` (GC run between)."""
    best = cpu = float("inf")
    for _ in range(repeat):
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return Timing(label, best, cpu, repeat)


def contract() -> Contract:
    path = ROOT / "contracts" / "dn2-stars.toml"
    return parse_contract(path.read_text(encoding="utf-8"), str(path))


def make_tracker(terms: Contract, n_referrals: int, seed: int = 2020) -> Programme:
    """A synthetic tracker of ``n_referrals`` referrals as of 30 November 2024."""
    return generate_programme(terms, n_referrals=n_referrals, as_of=AS_OF, seed=seed)


def write_trackers(out_dir: Path, sizes: tuple[int, ...] = SIZES) -> dict[int, Path]:
    """Write ``<out_dir>/<n>/`` with the three CSVs for each size (for import timing)."""
    terms = contract()
    out: dict[int, Path] = {}
    for n in sizes:
        folder = out_dir / str(n)
        folder.mkdir(parents=True, exist_ok=True)
        p = make_tracker(terms, n)
        for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
            (folder / name).write_text(text, encoding="utf-8")
        out[n] = folder
    return out


def bench(sizes: tuple[int, ...], repeat: int) -> list[dict[str, object]]:
    terms = contract()
    rows: list[dict[str, object]] = []
    for n in sizes:
        t0 = time.perf_counter()
        p = make_tracker(terms, n)
        generated = time.perf_counter() - t0
        enq, ref, per = p.enquiries.to_dicts(), p.referrals.to_dicts(), p.periods.to_dicts()

        fast = report_to_json(evaluation_report(terms, p.enquiries, p.referrals, p.periods, AS_OF))
        slow = report_to_json(baseline_report(terms, enq, ref, per, AS_OF))
        assert fast == slow, f"reports differ at {n} referrals"

        engine = measure(
            "engine",
            lambda p=p: evaluation_report(terms, p.enquiries, p.referrals, p.periods, AS_OF),
            repeat,
        )
        base = measure(
            "baseline",
            lambda enq=enq, ref=ref, per=per: baseline_report(terms, enq, ref, per, AS_OF),
            repeat,
        )
        files = write_tracker(p.enquiries, p.referrals, p.periods)
        parse = measure("parse", lambda files=files: parse_tracker(terms, *files.items()), 1)
        rows.append(
            {
                "referrals": p.referrals.height,
                "enquiries": p.enquiries.height,
                "periods": p.periods.height,
                "generate_s": generated,
                "engine_s": engine.best,
                "baseline_s": base.best,
                "speedup": base.best / engine.best,
                "engine_cpu_s": engine.cpu,
                "baseline_cpu_s": base.cpu,
                "parse_s": parse.best,
            }
        )
        print(
            f"{n:>7} referrals: engine {engine.best * 1000:8.1f} ms, baseline "
            f"{base.best * 1000:9.1f} ms, {base.best / engine.best:5.1f}x (CPU time: engine "
            f"{engine.cpu * 1000:.1f} ms, baseline {base.cpu * 1000:.1f} ms); "
            f"generate {generated:.2f} s, parse CSVs {parse.best:.2f} s; identical JSON",
            flush=True,
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write-trackers", type=Path, help="write the CSVs of each size here")
    args = ap.parse_args()
    if args.write_trackers:
        for n, folder in write_trackers(args.write_trackers, tuple(args.sizes)).items():
            print(f"{n} referrals -> {folder}")
        return
    rows = bench(tuple(args.sizes), args.repeat)
    print()
    print(
        "| referrals | enquiries | periods | engine | baseline | speed-up "
        "| engine CPU | baseline CPU | parse CSVs |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['referrals']:,} | {r['enquiries']:,} | {r['periods']:,} "
            f"| {float(r['engine_s']) * 1000:.1f} ms "
            f"| {float(r['baseline_s']) * 1000:.1f} ms | {float(r['speedup']):.1f}× "
            f"| {float(r['engine_cpu_s']) * 1000:.0f} ms "
            f"| {float(r['baseline_cpu_s']) * 1000:.0f} ms "
            f"| {float(r['parse_s']):.2f} s |"
        )


if __name__ == "__main__":
    main()
