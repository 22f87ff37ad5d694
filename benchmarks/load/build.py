"""Build the load test's programme: the demo at scale (referrals, case records, claims).

Loads `stars demo`'s synthetic programme with N referrals (default 100,000) into the
database ``DATABASE_URL`` names (PostgreSQL for the load test), through the same services
as `stars demo`: the tracker import, the demo users, every referral's case records, the
monthly claims of every council and a council's SSDA903 returns. It erases that database.

    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/load/build.py \\
        [--referrals 100000] [--seed 2020]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the (PostgreSQL) database to erase and load")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from rich.console import Console

    from stars.demo.load import demo_load

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    users = demo_load(
        contract_path=ROOT / "contracts" / "dn2-stars.toml",
        seed=args.seed,
        console=Console(stderr=True),
        n_referrals=args.referrals,
    )
    print(f"loaded {args.referrals} referrals in {time.perf_counter() - t0:.0f} s")
    for u in users:
        print(f"{u.username}\t{u.role}\t{u.council}")


if __name__ == "__main__":
    main()
