"""Benchmark: each role's home page on the demo, over HTTP from the production server.

    .venv/bin/python benchmarks/home/run.py [--home DIR] [--reload] [--repeat 20]

Loads the demo (`stars demo`, both programmes) into DIR (default: a new temporary directory;
an existing demo there is reused unless --reload), serves it with `stars serve` (gunicorn,
2 workers), signs in as each role's demo user and times GET / : the first request (today's
work computed) and then --repeat more (cached per version of the records), as the client
sees them (connection to last byte). Figures: benchmarks/README.md, "Home pages".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from demo_server import ROLES, demo_server, signed_in  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--port", type=int, default=8392)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="stars-home-bench-"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with demo_server(home, args.port, reload=args.reload) as url:
        print(f"{'role':14} {'first':>8} {'median':>8} {'p95':>8} {'max':>8}  bytes")
        for role in ROLES:
            client = signed_in(url, role)
            times = []
            for _ in range(args.repeat + 1):
                started = time.perf_counter()
                with client.open(f"{url}/") as response:
                    body = response.read()
                    assert response.status == 200, (role, response.status)
                times.append((time.perf_counter() - started) * 1000)
            first, rest = times[0], sorted(times[1:])
            p95 = rest[max(0, round(0.95 * len(rest)) - 1)]
            print(
                f"{role:14} {first:6.0f}ms {statistics.median(rest):6.0f}ms {p95:6.0f}ms "
                f"{rest[-1]:6.0f}ms  {len(body)}"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
