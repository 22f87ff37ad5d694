"""The load test: users of every role signing in and reading the pages of their day.

Each simulated user signs in as one of the demo accounts (`benchmarks/load/build.py` loads
them with the programme) and then, with a pause of 1-5 s between requests, opens the pages
of its role, following links to records it finds on them (referrals, cases, claims). Pages
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

from locust import HttpUser, between, events, task

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
    """A signed-in user; subclasses are the roles, weighted as a programme's staff are."""

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

    def case(self) -> None:
        if not self.cases:
            return self.referral()
        self.page(f"/cases/{random.choice(self.cases)}/", "/cases/ID/")


class Spoc(Staff):
    weight = 8
    usernames = tuple("spoc" + c for c in COUNCILS)

    @task(3)
    def home(self) -> None:
        self.page("/", "/")

    @task(4)
    def referrals_(self) -> None:
        self.referral_list()

    @task(6)
    def referral_(self) -> None:
        self.referral()

    @task(3)
    def enquiries(self) -> None:
        self.page(f"/enquiries/?page={random.randint(1, 20)}", "/enquiries/?page=N")

    @task(1)
    def waiting(self) -> None:
        self.page("/enquiries/waiting-list/", "/enquiries/waiting-list/")


class KeyWorker(Staff):
    weight = 10
    usernames = ("keyworker", "keyworker2", "keyworker3")

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def caseload(self) -> None:
        text = self.page("/cases/caseload/", "/cases/caseload/")
        self.cases = CASE.findall(text)[:50] or self.cases

    @task(6)
    def case_(self) -> None:
        if not self.cases:
            return self.caseload()
        cid = random.choice(self.cases)
        self.page(f"/cases/{cid}/", "/cases/ID/")

    @task(2)
    def chronology(self) -> None:
        if self.cases:
            cid = random.choice(self.cases)
            self.page(f"/cases/{cid}/chronology/", "/cases/ID/chronology/")


class Manager(Staff):
    weight = 8
    usernames = ("manager",)

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def referrals_(self) -> None:
        self.referral_list()

    @task(4)
    def referral_(self) -> None:
        self.referral()

    @task(3)
    def case_(self) -> None:
        self.case()

    @task(2)
    def money(self) -> None:
        self.page(f"/finance/money/?as_of={AS_OF}", "/finance/money/")

    @task(2)
    def claims(self) -> None:
        text = self.page("/finance/claims/", "/finance/claims/")
        self.claims = CLAIM.findall(text)[:20] or self.claims

    @task(2)
    def claim(self) -> None:
        if self.claims:
            self.page(random.choice(self.claims), "/finance/claims/COUNCIL/MONTH/")

    @task(2)
    def evaluation(self) -> None:
        self.page(f"/reports/evaluation/?as_of={AS_OF}", "/reports/evaluation/")

    @task(1)
    def outcomes(self) -> None:
        self.page("/cases/outcomes/", "/cases/outcomes/")


class Commissioner(Staff):
    weight = 6
    usernames = tuple("commissioner" + c for c in COUNCILS)

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def money(self) -> None:
        self.page(f"/finance/money/?as_of={AS_OF}", "/finance/money/")

    @task(2)
    def evaluation(self) -> None:
        self.page(f"/reports/evaluation/?as_of={AS_OF}", "/reports/evaluation/")

    @task(2)
    def claims(self) -> None:
        text = self.page("/finance/claims/", "/finance/claims/")
        self.claims = CLAIM.findall(text)[:20] or self.claims

    @task(2)
    def claim(self) -> None:
        if self.claims:
            self.page(random.choice(self.claims), "/finance/claims/COUNCIL/MONTH/")

    @task(1)
    def targets(self) -> None:
        self.page("/targets/", "/targets/")

    @task(2)
    def referrals_(self) -> None:
        self.referral_list()

    @task(1)
    def evaluation_xlsx(self) -> None:
        self.download(f"/reports/evaluation/?as_of={AS_OF}&format=xlsx", "evaluation XLSX")


class Investor(Staff):
    weight = 3
    usernames = ("investor",)

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def investor(self) -> None:
        self.page(f"/finance/investor/?as_of={AS_OF}", "/finance/investor/")

    @task(1)
    def targets(self) -> None:
        self.page("/targets/", "/targets/")

    @task(1)
    def outcomes(self) -> None:
        self.page("/cases/outcomes/", "/cases/outcomes/")


class Evaluator(Staff):
    weight = 3
    usernames = ("evaluator",)

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(3)
    def evaluation(self) -> None:
        self.page(f"/reports/evaluation/?as_of={AS_OF}", "/reports/evaluation/")

    @task(1)
    def outcomes(self) -> None:
        self.page("/cases/outcomes/", "/cases/outcomes/")

    @task(1)
    def evaluation_json(self) -> None:
        self.download(f"/reports/evaluation/?as_of={AS_OF}&format=json", "evaluation JSON")

    @task(1)
    def extract(self) -> None:
        self.download(f"/finance/extract/?as_of={AS_OF}&format=csv", "evaluation extract CSV")


class Admin(Staff):
    weight = 2
    usernames = ("admin",)

    @task(2)
    def home(self) -> None:
        self.page("/", "/")

    @task(2)
    def audit(self) -> None:
        self.page("/audit/", "/audit/")

    @task(2)
    def money(self) -> None:
        self.page(f"/finance/money/?as_of={AS_OF}", "/finance/money/")

    @task(2)
    def referrals_(self) -> None:
        self.referral_list()

    @task(2)
    def referral_(self) -> None:
        self.referral()
