"""Build the load test's programme: the demo at scale (referrals, case records, claims).

Loads `stars demo`'s synthetic programme with N referrals (default 100,000) into the
database ``DATABASE_URL`` names (PostgreSQL for the load test), through the same services
as `stars demo`: the tracker import and the demo users, every referral's case records, and
the monthly claims of every council (all months, or the last ``--claim-months``). The
first stage erases that database. On PostgreSQL each run ends with VACUUM ANALYZE (without
fresh statistics the planner takes the lists' 13,000 open enquiries for a few hundred;
without the vacuum the search's trigram indexes still hold the bulk load in their pending
lists, and each search reads them whole). Stages
can be run one at a time (``--stage``), in order.

    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python benchmarks/load/build.py \\
        [--referrals 100000] [--seed 2020] [--stage all|programme|cases|claims] \\
        [--claim-months N]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--stage", choices=["all", "programme", "cases", "claims"], default="all")
    parser.add_argument("--claim-months", type=int, default=None)
    parser.add_argument(
        "--maximum-payment",
        default="9120000000.00",
        help="the contract's maximum outcome payment for the programme's size (DN2's "
        "£9.12m is for 228 referrals: a larger programme's claims would be refused)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the (PostgreSQL) database to erase and load")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from rich.console import Console

    from stars.demo import case_records, claims
    from stars.demo.programme import programme_load
    from stars.partnership.services import contract_load

    console = Console(stderr=True)
    call_command("migrate", interactive=False, verbosity=0)
    stages = ["programme", "cases", "claims"] if args.stage == "all" else [args.stage]
    for stage in stages:
        t0 = time.perf_counter()
        if stage == "programme":
            programme_load(
                contract_path=ROOT / "contracts" / "dn2-stars.toml",
                seed=args.seed,
                console=console,
                n_referrals=args.referrals,
            )
        elif stage == "cases":
            case_records.load_demo(seed=args.seed, console=console)
        else:
            text = (ROOT / "contracts" / "dn2-stars.toml").read_text("utf-8")
            text = re.sub(
                r"(?m)^maximum_outcome_payment = .*$",
                f"maximum_outcome_payment = {args.maximum_payment}",
                text,
            )
            contract_load(text=text, source=str(ROOT / "contracts" / "dn2-stars.toml"))
            claims.load_demo(seed=args.seed, console=console, last_months=args.claim_months)
        print(f"{stage}: {time.perf_counter() - t0:.0f} s", flush=True)
    from django.db import connection

    if connection.vendor == "postgresql":  # the planner's statistics of the rows just loaded,
        with connection.cursor() as cursor:  # and the GIN indexes' pending lists merged
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
