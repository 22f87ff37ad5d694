"""Benchmark: tracker import and the evaluation report end to end from the database.

For each size it writes a synthetic tracker (benchmarks/out/, git-ignored), imports it into a
fresh SQLite database with `stars import-tracker`'s service, then times the evaluation
report from the database (reading the frames and computing) several times.

    .venv/bin/python benchmarks/db/run.py [--sizes 1000 10000 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 10, 31)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=5, help="report timings per size")
    parser.add_argument("--imports", type=int, default=3, help="imports per size (fresh db)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="stars-bench-"))
    os.environ["STARS_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "stars.core.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from stars.demo.synthetic import generate_programme
    from stars.domain.contract.parsing import parse_contract
    from stars.domain.tracker.rows import write_tracker
    from stars.reports.evaluation import evaluation_for
    from stars.tracker.files import import_files

    contract_path = ROOT / "contracts" / "dn2-stars.toml"
    terms = parse_contract(contract_path.read_text())
    call_command("migrate", verbosity=0)
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; SQLite at {home}")
    print(
        f"{'referrals':>10} {'rows':>9} {'import s (median)':>18} {'rows/s':>9} "
        f"{'fastest import':>15} {'report s (median)':>18}"
    )
    for n in args.sizes:
        folder = ROOT / "benchmarks" / "out" / f"tracker-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        p = generate_programme(terms, n_referrals=n, as_of=AS_OF, seed=n)
        for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
            (folder / name).write_text(text)
        rows = p.enquiries.height + p.referrals.height + p.periods.height
        imports = []
        for _ in range(args.imports):
            call_command("flush", interactive=False, verbosity=0)
            t0 = time.perf_counter()
            import_files(
                contract=contract_path,
                enquiries=folder / "enquiries.csv",
                referrals=folder / "referrals.csv",
                periods=folder / "outcome_periods.csv",
            )
            imports.append(time.perf_counter() - t0)
        t_import = statistics.median(imports)
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            report = evaluation_for(scope=None, as_of=AS_OF)
            times.append(time.perf_counter() - t0)
        assert report["referrals"]["total"] == p.referrals.height
        print(
            f"{n:>10} {rows:>9} {t_import:>18.2f} {rows / t_import:>9.0f} "
            f"{min(imports):>15.2f} {statistics.median(times):>18.3f}"
        )


if __name__ == "__main__":
    main()
