"""Peak memory and CPU of a sufficiency page's work at any size, in a new process.

    STARS_HOME=HOME python benchmarks/sufficiency/pages_memory.py PAGE COUNCIL [--steps]

PAGE is ``forecast`` (the stored returns read with ``FORECAST_COLUMNS``, then
``forecast_context`` with three years ahead: everything the page computes but the
template), ``dashboard`` (``dashboard_context``) or ``reconciliation`` (the reading with
``RECONCILIATION_COLUMNS``, then the episodes without short breaks). Prints one JSON line:
the SHA-256 of what the page shows (tables, figures, notes, charts; for the reconciliation
the episodes it reads and the children's ids), the peak resident memory (VmHWM) and the
CPU seconds of the whole process (``stars`` is imported before polars, as by the
``stars`` command and the web server: it sets polars' allocator). ``--steps`` also prints
the resident memory between steps to stderr. Run it under ``/usr/bin/time`` for the
process's own figures.
"""

from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from pathlib import Path

# first, as in the product's entry points: importing stars sets polars' allocator
import stars  # noqa: F401

# isort: split
import polars as pl


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


STEPS = "--steps" in sys.argv


def step(name: str) -> None:
    if STEPS:
        print(
            f"{name}: resident {_status('VmRSS'):.0f} MiB, peak {_status('VmHWM'):.0f}",
            file=sys.stderr,
        )


def main() -> None:
    page, code = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    from stars.cli.console import setup

    setup(migrate=False)
    step("django set up")
    from stars.domain.sufficiency.figures import without_short_breaks
    from stars.domain.sufficiency.ssda903 import FORECAST_COLUMNS, RECONCILIATION_COLUMNS
    from stars.partnership.models import Council
    from stars.sufficiency.dashboard import dashboard_context
    from stars.sufficiency.forecasting import Choices, forecast_context
    from stars.sufficiency.services import council_returns, council_years

    step("modules imported")
    council = Council.objects.get(code=code)
    digest = hashlib.sha256()
    if page == "forecast":
        merged = council_returns(council, FORECAST_COLUMNS)
        assert merged is not None
        step("returns read")
        context = forecast_context(
            merged,
            council_years(council)[-1],
            Choices(years=3, residential_entries=0, to_inhouse=0),
        )
        for table in context["tables"]:
            digest.update(repr((table.headers, table.rows)).encode())
        for key in ("trust", "notes", "growth", "total_cost", "chart", "trust_chart"):
            digest.update(repr(context[key]).encode())
    elif page == "dashboard":
        context = dashboard_context(council)
        for table in context["tables"]:
            digest.update(repr((table.headers, table.rows)).encode())
        for key in ("figures", "notes", "charts"):
            digest.update(repr(context[key]).encode())
    elif page == "reconciliation":
        merged = council_returns(council, RECONCILIATION_COLUMNS)
        assert merged is not None
        step("returns read")
        frame = without_short_breaks(merged.episodes)
        read = frame.select("CHILD", "DECOM", "DEC", "PLACE", "GROUP", "REC").with_columns(
            pl.col(pl.Categorical, pl.Enum).cast(pl.String)  # values, not their codes
        )
        digest.update(str(read.hash_rows().sum()).encode())
        digest.update(str(read.height).encode())
        digest.update(repr(sorted(merged.headers["CHILD"].to_list())).encode())
    else:
        raise SystemExit(f"unknown page {page}; expected forecast, dashboard or reconciliation")
    step("figures")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "page": page,
                "sha256": digest.hexdigest(),
                "peak_mib": round(_status("VmHWM")),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "wall_s": round(time.perf_counter() - start, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
