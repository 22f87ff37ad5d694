"""Single requests in one process: CPU, wall time and queries per page, for the demo's users.

    DATABASE_URL=postgres://... STARS_CACHE_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python benchmarks/load/probe.py [--repeat 8] [--only TEXT] [--profile]

Signs each user in with Django's test client, then opens each page of ``PAGES`` (user, url)
once to warm the cache and the connection, then ``--repeat`` times through the WSGI
application as the production server calls it (the whole middleware stack, templates and
context processors; ``STARS_DEBUG`` off), with the user's session cookie. Each line: the
median CPU of this process (``time.process_time``) and wall time of the repeats, the CPU of
the PostgreSQL backend serving them per request (read from ``/proc``: a server on this
machine; in 10 ms ticks, so a mean over the repeats), and the queries of one more request.
``--profile`` prints cProfile's top functions over all the repeats as well; ``--set
NAME=VALUE`` (a Python literal) overrides a setting, e.g. ``--set
SESSION_SAVE_EVERY_REQUEST=True``; the last line is the mean per request over every page. Works on a
database loaded by ``benchmarks/load/build.py`` (the demo's user names); writes to the
database what the pages write (the access log, sessions).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import io
import os
import pstats
import re
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# (user, url): the load test's most frequent pages (benchmarks/load/locustfile.py); REFERRAL,
# CASE and CLAIM are replaced by the first referral, case and claim on the user's lists.
PAGES = [
    ("spoc", "/"),
    ("spoc", "/referrals/?page=3"),
    ("spoc", "/referrals/REFERRAL/"),
    ("spoc", "/enquiries/?page=3"),
    ("keyworker", "/"),
    ("keyworker", "/cases/caseload/"),
    ("keyworker", "/cases/caseload/?sort=due"),
    ("keyworker", "/cases/CASE/"),
    ("manager", "/"),
    ("manager", "/referrals/REFERRAL/"),
    ("manager", "/cases/caseload/?sort=due"),
    ("commissioner", "/"),
    ("investor", "/"),
    ("evaluator", "/reports/evaluation/?as_of=2024-11-30"),
    ("spoc", "/enquiries/waiting-list/"),
    ("spoc", "/search/?q=smith"),
    ("manager", "/referrals/?page=3"),
    ("manager", "/finance/money/?as_of=2024-11-30"),
    ("commissioner", "/finance/money/?as_of=2024-11-30"),
    ("manager", "/finance/claims/CLAIM/"),
    ("commissioner", "/finance/claims/CLAIM/"),
]
REFERRAL = re.compile(r'href="/referrals/([^/"]+)/"')
CASE = re.compile(r'href="/cases/(R[^/"]+)/"')
CLAIM = re.compile(r'href="/finance/claims/([^"?]+)/"')


HANDLER: list[WSGIHandler] = []  # made once the settings are final


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client: Client, url: str) -> int:
    """GET ``url`` through the WSGI application with the client's session cookie."""
    path, _, query = url.partition("?")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={cookie}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
    }
    status: list[str] = []
    result = HANDLER[0](environ, lambda s, headers: status.append(s))
    b"".join(result)
    result.close()
    return int(status[0].split()[0])


def _url(client: Client, url: str) -> str:
    if "REFERRAL" in url:
        found = REFERRAL.findall(client.get("/referrals/").content.decode())
        url = url.replace("REFERRAL", found[0])
    if "CASE" in url:
        found = CASE.findall(client.get("/cases/caseload/").content.decode())
        url = url.replace("CASE", found[0])
    if "CLAIM" in url:
        found = CLAIM.findall(client.get("/finance/claims/").content.decode())
        url = url.replace("CLAIM", found[0])
    return url


def _backend_cpu_ms() -> float:
    """CPU time so far of the PostgreSQL backend of this process's connection (0 when it
    cannot be read: another machine, or not PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", default="", help="only the pages whose url contains this")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    for assignment in args.set:
        name, _, value = assignment.partition("=")
        setattr(settings, name, ast.literal_eval(value))
    HANDLER.append(WSGIHandler())
    all_cpu: list[float] = []
    all_wall: list[float] = []
    all_backend = 0.0
    clients: dict[str, Client] = {}
    profiler = cProfile.Profile() if args.profile else None
    print(f"load average {os.getloadavg()[0]:.1f}")
    for username, template in PAGES:
        if args.only and args.only not in template:
            continue
        client = clients.get(username) or clients.setdefault(username, _client(username))
        url = _url(client, template)
        assert _get(client, url) == 200, (username, url)
        cpu, wall = [], []
        backend = _backend_cpu_ms()
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            status = _get(client, url)
            if profiler:
                profiler.disable()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            assert status == 200, (username, url, status)
        backend = (_backend_cpu_ms() - backend) / args.repeat
        all_cpu += cpu
        all_wall += wall
        all_backend += backend * args.repeat
        with CaptureQueriesContext(connection) as queries:
            _get(client, url)
        print(
            f"{username:13} {template:40} cpu {statistics.median(cpu):6.1f} ms "
            f"({min(cpu):.1f}-{max(cpu):.1f})  postgres {backend:5.1f} ms  "
            f"wall {statistics.median(wall):6.1f} ms  queries {len(queries)}"
        )
    n = len(all_cpu)
    print(
        f"mean of {n} requests: cpu {sum(all_cpu) / n:.2f} ms  postgres {all_backend / n:.2f} ms  "
        f"wall {sum(all_wall) / n:.1f} ms  (load average {os.getloadavg()[0]:.1f})"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
