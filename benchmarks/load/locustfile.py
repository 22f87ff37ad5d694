"""The load test: users of every role signing in and reading the pages of their day.

Each simulated user signs in as one of the demo accounts (`benchmarks/load/build.py` loads
them with the programme) and then, with a pause of 1-5 s between requests (``wait_time =
between(1, 5)``), opens the pages of its role, following links to records it finds on them
(referrals, cases, claims). What each role opens, and how often, is one table: ``ROLES``. Pages
and downloads (files: XLSX, CSV, PDF, JSON) are timed apart: every response time is kept,
and at the end ``STARS_LOAD_SUMMARY`` (default ``load-summary.json``) gets the count, errors
and percentiles of each kind and of each page.

    locust -f benchmarks/load/locustfile.py --host http://127.0.0.1:8000 \\
        --headless -u 50 -r 5 -t 10m --only-summary
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
from collections import defaultdict

from locust import HttpUser, between, events

PASSWORD = os.environ.get("STARS_LOAD_PASSWORD", "stars-demo-password")
AS_OF = os.environ.get("STARS_LOAD_AS_OF", "2024-11-30")
COUNCILS = ("", "-nottingham", "-nottinghamshire")
REFERRAL = re.compile(r'href="/referrals/([^/"]+)/"')
CASE = re.compile(r'href="/cases/(R[^/"]+)/"')  # a case's id, not a page such as outcomes
CLAIM = re.compile(r'href="(/finance/claims/[^"]+/)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

TIMES: dict[tuple[str, str], list[float]] = defaultdict(list)  # (kind, name) -> ms
ERRORS: dict[tuple[str, str], int] = defaultdict(int)


@events.request.add_listener
def _keep(request_type, name, response_time, response_length, exception=None, **kw):  # noqa: ANN001
    kind = "download" if name.startswith("download ") else "page"
    if name.startswith("sign-in"):
        kind = "sign-in"
    TIMES[(kind, name)].append(response_time)
    if exception is not None:
        ERRORS[(kind, name)] += 1


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _stats(values: list[float], errors: int) -> dict[str, float]:
    return {
        "requests": len(values),
        "errors": errors,
        "median_ms": round(statistics.median(values), 1),
        "p95_ms": round(_pct(values, 0.95), 1),
        "p99_ms": round(_pct(values, 0.99), 1),
        "max_ms": round(max(values), 1),
    }


@events.test_stop.add_listener
def _summary(environment, **kw):  # noqa: ANN001
    out: dict[str, object] = {"users": environment.parsed_options.num_users}
    for kind in ("page", "download", "sign-in"):
        keys = [k for k in TIMES if k[0] == kind]
        values = [t for k in keys for t in TIMES[k]]
        if values:
            out[kind + "s"] = _stats(values, sum(ERRORS[k] for k in keys))
    out["by_name"] = {
        f"{kind}: {name}": _stats(TIMES[(kind, name)], ERRORS[(kind, name)])
        for kind, name in sorted(TIMES)
    }
    path = os.environ.get("STARS_LOAD_SUMMARY", "load-summary.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)


class Staff(HttpUser):
    """A signed-in user; the roles (below, from ``ROLES``) say which pages and how often."""

    abstract = True
    wait_time = between(1, 5)
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        self.referrals: list[str] = []
        self.cases: list[str] = []
        self.claims: list[str] = []
        page = self.client.get("/sign-in/", name="sign-in form")
        token = TOKEN.search(page.text)
        self.client.post(
            "/sign-in/",
            data={
                "username": random.choice(self.usernames),
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/sign-in/"},
            name="sign-in",
        )

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as r:
            if r.status_code != 200 or "/sign-in/" in r.url:
                r.failure(f"{r.status_code} at {r.url}")
                return ""
            return r.text

    def download(self, url: str, name: str) -> None:
        with self.client.get(url, name="download " + name, catch_response=True) as r:
            if r.status_code != 200 or not r.content:
                r.failure(f"{r.status_code}")

    # -- what a user opens: each a task of the ROLES table ---------------------------------

    def home(self) -> None:
        self.page("/", "/")

    def referral_list(self) -> None:
        n = random.randint(1, 20)
        text = self.page(f"/referrals/?page={n}", "/referrals/?page=N")
        self.referrals = REFERRAL.findall(text)[:50] or self.referrals

    def referral(self) -> None:
        if not self.referrals:
            return self.referral_list()
        rid = random.choice(self.referrals)
        text = self.page(f"/referrals/{rid}/", "/referrals/ID/")
        self.cases = CASE.findall(text)[:5] or self.cases

    def caseload(self) -> None:
        text = self.page("/cases/caseload/", "/cases/caseload/")
        self.cases = CASE.findall(text)[:50] or self.cases

    def case(self) -> None:
        if not self.cases:
            return self.referral() if self.referrals else self.caseload()
        self.page(f"/cases/{random.choice(self.cases)}/", "/cases/ID/")

    def chronology(self) -> None:
        if self.cases:
            cid = random.choice(self.cases)
            self.page(f"/cases/{cid}/chronology/", "/cases/ID/chronology/")

    def enquiries(self) -> None:
        self.page(f"/enquiries/?page={random.randint(1, 20)}", "/enquiries/?page=N")

    def waiting_list(self) -> None:
        self.page("/enquiries/waiting-list/", "/enquiries/waiting-list/")

    def search(self) -> None:
        self.page(f"/search/?q={random.choice(SEARCHES)}", "/search/?q=TEXT")

    def money(self) -> None:
        self.page(f"/finance/money/?as_of={AS_OF}", "/finance/money/")

    def claim_list(self) -> None:
        text = self.page("/finance/claims/", "/finance/claims/")
        self.claims = CLAIM.findall(text)[:20] or self.claims

    def claim(self) -> None:
        if not self.claims:
            return self.claim_list()
        self.page(random.choice(self.claims), "/finance/claims/COUNCIL/MONTH/")

    def evaluation(self) -> None:
        self.page(f"/reports/evaluation/?as_of={AS_OF}", "/reports/evaluation/")

    def outcomes(self) -> None:
        self.page("/cases/outcomes/", "/cases/outcomes/")

    def targets(self) -> None:
        self.page("/targets/", "/targets/")

    def investor(self) -> None:
        self.page(f"/finance/investor/?as_of={AS_OF}", "/finance/investor/")

    def audit(self) -> None:
        self.page(f"/audit/?page={random.randint(1, 20)}", "/audit/?page=N")

    def evaluation_xlsx(self) -> None:
        self.download(f"/reports/evaluation/?as_of={AS_OF}&format=xlsx", "evaluation XLSX")

    def evaluation_json(self) -> None:
        self.download(f"/reports/evaluation/?as_of={AS_OF}&format=json", "evaluation JSON")

    def extract(self) -> None:
        self.download(f"/finance/extract/?as_of={AS_OF}&format=csv", "evaluation extract CSV")


SEARCHES = ("sam", "smith", "R-", "jones", "ali")  # a name, a word of one, an id's start

# role: (weight among the users, demo accounts, {task: how often})
ROLES: dict[str, tuple[int, tuple[str, ...], dict[str, int]]] = {
    "Spoc": (
        8,
        tuple("spoc" + c for c in COUNCILS),
        {
            "home": 3,
            "referral_list": 4,
            "referral": 6,
            "enquiries": 3,
            "waiting_list": 1,
            "search": 1,
        },
    ),
    "KeyWorker": (
        10,
        ("keyworker", "keyworker2", "keyworker3"),
        {"home": 2, "caseload": 3, "case": 6, "chronology": 2, "search": 1},
    ),
    "Manager": (
        8,
        ("manager",),
        {
            "home": 2,
            "referral_list": 3,
            "referral": 4,
            "case": 3,
            "caseload": 1,
            "money": 2,
            "claim_list": 2,
            "claim": 2,
            "evaluation": 2,
            "outcomes": 1,
            "enquiries": 1,
            "search": 1,
        },
    ),
    "Commissioner": (
        6,
        tuple("commissioner" + c for c in COUNCILS),
        {
            "home": 2,
            "money": 3,
            "evaluation": 2,
            "claim_list": 2,
            "claim": 2,
            "targets": 1,
            "referral_list": 2,
            "evaluation_xlsx": 1,
        },
    ),
    "Investor": (
        3,
        ("investor",),
        {"home": 2, "investor": 3, "targets": 1, "outcomes": 1},
    ),
    "Evaluator": (
        3,
        ("evaluator",),
        {"home": 2, "evaluation": 3, "outcomes": 1, "evaluation_json": 1, "extract": 1},
    ),
    "Admin": (
        2,
        ("admin",),
        {"home": 2, "audit": 2, "money": 2, "referral_list": 2, "referral": 2},
    ),
}

for _name, (_weight, _usernames, _tasks) in ROLES.items():
    globals()[_name] = type(
        _name,
        (Staff,),
        {
            "weight": _weight,
            "usernames": _usernames,
            "tasks": {getattr(Staff, t): n for t, n in _tasks.items()},
        },
    )
