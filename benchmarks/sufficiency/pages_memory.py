"""Peak memory and CPU of a sufficiency page's work at any size, in a new process.

    STARS_HOME=HOME python benchmarks/sufficiency/pages_memory.py PAGE COUNCIL [--steps]

PAGE is ``forecast`` (the stored returns read with ``FORECAST_COLUMNS``, then
``forecast_context`` with three years ahead: everything the page computes but the
template), ``dashboard`` (``dashboard_context``) or ``reconciliation`` (the reading with
``RECONCILIATION_COLUMNS``, then the episodes without short breaks). Prints one JSON line:
the SHA-256 of what the page shows (tables, figures, notes, charts; for the reconciliation
the episodes it reads and the children's ids), and the peak resident memory (VmHWM) and
CPU seconds of the whole process up to the end of the page's work (not the hashing after,
which the page does not do). ``stars`` is imported before polars, as by the ``stars``
command and the web server: it sets polars' allocator. ``--steps`` also prints the
resident memory between steps to stderr. Run it under ``/usr/bin/time`` for the
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
    shown: list[object] = []  # what the page shows, hashed once its work is done
    if page == "forecast":
        merged = council_returns(council, FORECAST_COLUMNS)
        assert merged is not None
        step("returns read")
        context = forecast_context(
            merged,
            council_years(council)[-1],
            Choices(years=3, residential_entries=0, to_inhouse=0),
        )
        shown += [(table.headers, table.rows) for table in context["tables"]]
        shown += [context[k] for k in ("trust", "notes", "growth", "total_cost", "chart")]
        shown.append(context["trust_chart"])
    elif page == "dashboard":
        context = dashboard_context(council)
        shown += [(table.headers, table.rows) for table in context["tables"]]
        shown += [context[k] for k in ("figures", "notes", "charts")]
    elif page == "reconciliation":
        merged = council_returns(council, RECONCILIATION_COLUMNS)
        assert merged is not None
        step("returns read")
        frame = without_short_breaks(merged.episodes)
        shown += [frame, merged.headers["CHILD"]]
    else:
        raise SystemExit(f"unknown page {page}; expected forecast, dashboard or reconciliation")
    step("figures")
    # the page's peak and CPU, before the hashing below (which the page does not do)
    peak = _status("VmHWM")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - start
    digest = hashlib.sha256()
    if page == "reconciliation":
        read = frame.select("CHILD", "DECOM", "DEC", "PLACE", "GROUP", "REC").with_columns(
            pl.col(pl.Categorical, pl.Enum).cast(pl.String)  # values, not their codes
        )
        digest.update(str(read.hash_rows().sum()).encode())
        digest.update(str(read.height).encode())
        digest.update(repr(sorted(merged.headers["CHILD"].to_list())).encode())
    else:
        for item in shown:
            digest.update(repr(item).encode())
    print(
        json.dumps(
            {
                "page": page,
                "sha256": digest.hexdigest(),
                "peak_mib": round(peak),
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "wall_s": round(wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
