"""Every read of child-level data is in the access log: pages, API and CLI, mechanically.

Nothing here lists which pages show children: every page of ``PAGES`` (and every GET
operation of the API) is requested on records whose ids and names are known, and

- a response that shows any of them (an id, a child reference, a name) must have written
  an access-log row for that user;
- every download a page offers (CSV, XLSX, PDF, JSON: any answer that is not an HTML page)
  must too.

So a new page, a new download or a new API list that forgets to log fails here. Commands
of the CLI must each be classified below: those reading child-level records are run and
must log; a new command fails until it is classified.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from click.testing import CliRunner
from django.test import Client
from django.urls import get_resolver, reverse
from rich.console import Console

from stars.cli import app
from stars.core.api import api
from stars.core.models import AccessLog
from stars.core.permissions import PAGES
from stars.core.roles import Role
from stars.governance.subject_access import access_log_about
from stars.referrals.models import Child
from tests.conftest import CONTRACT

# distinctive ids and names: found in a response, they mean child-level data was shown
GIVEN, FAMILY = "Zebedee", "Quillfeather"
MARKERS = ("R-DER", "R-NOT", "E-DER", "E-OPEN", "C-R-DER", "C-R-NOT", "C-E-OPEN", GIVEN, FAMILY)
SUBJECT = ("R-DER", "E-DER")  # R-DER's child's records (C-R-DER holds R-DER)
# pages that show an id of R-DER's child in text quoted from a file, not from a record, and
# why their entry (naming the upload) is not linked to the child's records
# pages that answer in JSON about the signed-in user's own session, no record: not a download
OWN_SESSION = {"session_keep_alive": "the seconds the session has left (the sign-out warning)"}
QUOTES_FILES = {
    "returns_upload": "the problems found in an uploaded file quote its lines as they were "
    "typed; a subject access response lists the child's records, not text typed in files",
    "tracker_upload": "as returns_upload",
}
SAMPLE_ARGS = {
    "referral_id": "R-DER",
    "enquiry_id": "E-DER",
    "council": "derby",
    "month": "2022-06",
    "tracker_upload": "9001",
    "returns_upload": "9002",
}
API_PARAMS = {"cohort": "B", "date_of_birth": "2011-05-17", "on": "2022-01-10"}
ROLE_USERS = {
    Role.ADMIN: "admin",
    Role.PROVIDER_MANAGER: "provider_manager",
    Role.COMMISSIONER: "commissioner",
    Role.SPOC: "spoc",
    Role.KEY_WORKER: "key_worker",
    Role.EVALUATOR: "evaluator",
    Role.INVESTOR: "investor",
}
# pages the fixture must show child-level data on (so the data cannot quietly go missing)
SURELY_CHILD_LEVEL = {
    "referral_list",
    "referral_detail",
    "enquiry_list",
    "enquiry_detail",
    "enquiry_profile",
    "case_detail",
    "case_caseload",
    "case_meeting",
    "claim_detail",
    "claim_dispute",
    "sufficiency_link",
}
SURELY_DOWNLOADS = {
    "claim_detail",
    "cases_outcomes",
    "finance_extract",
    "report_board",
    "report_evaluation",
    "sufficiency_dashboard",
    "sufficiency_forecast",
    "sufficiency_reconcile",
}


@pytest.fixture
def programme(users, referrals, tmp_path):
    """Derby's R-DER (on the key worker's caseload, a full case record, an enquiry E-DER
    with a profile, in June 2022's claim) and Nottingham's R-NOT; an open enquiry E-OPEN
    on the worklist; every child named Zebedee Quillfeather; Derby's SSDA903 returns, with
    R-DER linked to a child in them."""
    from stars.cases.models import OutcomePeriod
    from stars.demo.case_records import load_demo
    from stars.demo.returns import write_demo_returns
    from stars.finance.services import claim_prepare
    from stars.partnership.models import Council
    from stars.referrals.models import Child, ChildProfile, Enquiry
    from stars.sufficiency.models import ChildLink
    from stars.sufficiency.services import council_returns, returns_import
    from stars.uploads.models import Upload

    derby = Council.objects.get(code="derby")
    r = referrals["derby"]
    e = Enquiry.objects.create(
        enquiry_id="E-DER", child=r.child, council=derby, cohort="B", enquiry_date=r.referral_date
    )
    ChildProfile.objects.create(
        enquiry=e, known_as=GIVEN, enjoys="a", good_at="b", what_helps="c", hopes="d"
    )
    r.enquiry = e
    r.save()
    child = Child.objects.create(
        child_ref="C-E-OPEN",
        council=derby,
        given_name="x",
        family_name="y",
        date_of_birth=dt.date(2012, 3, 4),
    )
    Enquiry.objects.create(
        enquiry_id="E-OPEN",
        child=child,
        council=derby,
        cohort="B",
        enquiry_date=dt.date(2022, 2, 1),
    )
    Child.objects.update(given_name=GIVEN, family_name=FAMILY)
    for referral in referrals.values():
        OutcomePeriod.objects.create(referral=referral, start_date=referral.referral_date)
    load_demo(seed=3, console=Console(quiet=True))  # a full case record on R-DER and R-NOT
    claim_prepare(
        council=derby,
        month=dt.date(2022, 6, 1),
        by=users["provider_manager"],
        today=dt.date(2022, 12, 1),
    )
    returns_import(council=derby, folder=write_demo_returns(tmp_path / "903", seed=3))
    first_child = min(council_returns(derby).headers["CHILD"].to_list())
    ChildLink.objects.create(referral=r, council_child_id=first_child)  # some weeks disagree
    for pk, kind in ((9001, "tracker"), (9002, "returns")):
        Upload.objects.create(
            pk=pk,
            kind=kind,
            council=derby if kind == "returns" else None,
            uploaded_by_name="someone",
            status="rejected",
            problems=True,
            headline="1 problem found; nothing was imported.",
            lines=["referrals.csv:2: column referral_id: R-DER is given twice"],
        )
    return users


def _url(name: str) -> str:
    for possibilities, *_ in get_resolver().reverse_dict.getlist(name):
        return reverse(name, kwargs={k: SAMPLE_ARGS[k] for k in possibilities[0][1]} or None)
    raise AssertionError(f"no URL for page {name}")


def _shown(body: str) -> list[str]:
    return [m for m in MARKERS if m in body]


def _is_document(response) -> bool:
    return response.status_code == 200 and not response["Content-Type"].startswith("text/html")


def _read(user, url: str):
    """GET as the user; the response and the access-log rows the request wrote for them."""
    client = Client()
    client.force_login(user)
    before = AccessLog.objects.filter(username=user.username).count()
    response = client.get(url)
    logged = AccessLog.objects.filter(username=user.username).count() - before
    return response, logged


class _Downloads(HTMLParser):
    """The downloads a page offers: links with ``format=`` and a form's format choices."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url, self.found = url, set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        href = a.get("href") or ""
        if tag == "a" and "format=" in href:
            self.found.add(urljoin(self.url, href))
        if tag == "input" and a.get("name") == "format" and a.get("value"):
            self.found.add(f"{self.url}?format={a['value']}")


def _downloads(url: str, body: str) -> set[str]:
    parser = _Downloads(url)
    parser.feed(body)
    return parser.found


def _found_for_subject() -> int:
    """How many access-log entries a subject access response for R-DER's child lists."""
    return len(access_log_about(Child.objects.get(child_ref="C-R-DER"))[0])


def _shows_subject(response) -> bool:
    """Whether a page or a text download (not a zipped XLSX, a PDF) shows R-DER's child."""
    if response["Content-Type"].startswith(("application/vnd", "application/pdf")):
        return False
    return any(m in response.content.decode("utf-8", "replace") for m in SUBJECT)


def test_every_page_that_shows_child_level_data_or_a_download_logs_the_read(programme):
    """Each page as the most privileged role allowed it, then each download it offers; a
    page or download showing R-DER's child must leave an entry their subject access
    response lists (one naming the record, or linked to it as a claim's lines are)."""
    unlogged, unfound, showing, offering = [], [], set(), set()
    for name, spec in sorted(PAGES.items()):
        role = next(role for role in ROLE_USERS if role in spec.roles)
        user, url = programme[ROLE_USERS[role]], _url(name)
        before = _found_for_subject()
        response, logged = _read(user, url)
        if _shows_subject(response) and _found_for_subject() == before:
            unfound += [] if name in QUOTES_FILES else [f"{name} as {role}"]
        body = response.content.decode("utf-8", "replace")
        shown = _shown(body)
        showing |= {name} if shown else set()
        document = _is_document(response) and name not in OWN_SESSION
        if (shown or document) and not logged:
            unlogged.append(f"{name} as {role} shows {shown} ({response.status_code})")
        offering |= {name} if _downloads(url, body) else set()
        for download in sorted(_downloads(url, body)):
            before = _found_for_subject()
            response, logged = _read(user, download)
            assert _is_document(response), (name, download, response.status_code)
            if not logged:
                unlogged.append(f"{name} as {role}: {download}")
            if _shows_subject(response) and _found_for_subject() == before:
                unfound += [] if name in QUOTES_FILES else [f"{name} as {role}: {download}"]
    assert unlogged == [], "\n".join(unlogged)
    assert unfound == [], "shows R-DER's child, not in their subject access response:\n" + (
        "\n".join(unfound)
    )
    assert showing >= SURELY_CHILD_LEVEL, SURELY_CHILD_LEVEL - showing
    assert offering >= SURELY_DOWNLOADS, SURELY_DOWNLOADS - offering


def _api_gets() -> list[str]:
    paths = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        params = operations["get"].get("parameters", [])
        query = "&".join(
            f"{p['name']}={API_PARAMS[p['name']]}"
            for p in params
            if p["in"] == "query" and p.get("required")
        )
        path = re.sub(r"{(\w+)}", lambda m: SAMPLE_ARGS[m.group(1)], path)
        paths.append(path + (f"?{query}" if query else ""))
    return paths


def test_every_api_read_of_child_level_data_logs_it(programme):
    paths = _api_gets()
    assert "/api/referrals" in paths and "/api/enquiries" in paths
    unlogged = []
    for path in paths:
        response, logged = _read(programme["admin"], path)
        assert response.status_code == 200, (path, response.content[:200])
        shown = _shown(response.content.decode())
        if shown and not logged:
            unlogged.append(f"{path} shows {shown}")
    assert unlogged == [], "\n".join(unlogged)


def test_a_list_logs_each_record_it_shows(programme):
    """Who has seen this child? The audit page's record filter finds list views too."""
    _read(programme["spoc"], reverse("referral_list"))
    _read(programme["spoc"], reverse("enquiry_list"))
    _read(programme["admin"], "/api/referrals")
    rows = set(AccessLog.objects.values_list("username", "action", "object_type", "object_id"))
    assert ("spoc", "list", "referral", "R-DER") in rows
    assert ("spoc", "list", "referral", "R-NOT") not in rows  # another council's: not shown
    assert ("spoc", "list", "enquiry", "E-OPEN") in rows
    assert {("admin", "list", "referral", r) for r in ("R-DER", "R-NOT")} <= rows


# -- the CLI -------------------------------------------------------------------------------

# Commands that read no child-level record from the database, and why.
READS_NOTHING = {
    "serve": "serves the pages, which log their own reads",
    "worker": "runs the queued jobs, which log their own reads and changes",
    "backup": "copies the whole database to a file; logged as an export of the database",
    "restore": "replaces the whole database; logged as an import of the database",
    "demo": "erases the database and loads synthetic records; prints only the demo users",
    "createuser": "creates a user",
    "check": "Django's deployment checks",
    "warm-figures": "fills the pages' cache; prints a count; the pages log their own reads",
    "notify-due": "makes notifications (ids only) for users in their own scope; prints counts",
    "sufficiency validate": "checks a council's files with DfE's rules; no database read",
    "retention dispose": "asks for a disposal; prints counts only; logged as dispose_request",
    "retention approve": "carries out a disposal; prints counts only; logged as dispose",
    "retention withdraw": "withdraws a disposal; prints counts only; logged",
    "retention disposals": "lists the disposals' counts and who asked and approved; logged",
}


def _cli_reads(tmp: Path) -> dict[str, list[str]]:
    """Commands that read (or write) child-level records, with arguments to run them."""
    from stars.demo.returns import write_demo_returns
    from stars.demo.synthetic import generate_programme
    from stars.domain.contract.parsing import parse_contract
    from stars.domain.tracker.rows import write_tracker

    terms = parse_contract(CONTRACT.read_text())
    p = generate_programme(terms, n_referrals=8, as_of=dt.date(2022, 12, 1), seed=4)
    (tmp / "in").mkdir()
    for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
        (tmp / "in" / name).write_text(text)
    return {
        "import-tracker": [
            "import-tracker",
            f"--contract={CONTRACT}",
            f"--enquiries={tmp / 'in' / 'enquiries.csv'}",
            f"--referrals={tmp / 'in' / 'referrals.csv'}",
            f"--periods={tmp / 'in' / 'outcome_periods.csv'}",
        ],
        "export-tracker": ["export-tracker", f"--out={tmp / 'out'}"],
        "report evaluation": ["report", "evaluation", "--as-of=2022-12-01"],
        "report board": [
            "report",
            "board",
            "--quarter=Q3 2022-23",
            "--format=xlsx",
            f"--out={tmp / 'board.xlsx'}",
        ],
        "export indigo": ["export", "indigo", f"--out={tmp / 'indigo'}", "--as-of=2022-12-01"],
        "sufficiency import": [
            "sufficiency",
            "import",
            str(write_demo_returns(tmp / "903", seed=3)),
            "--council=derby",
        ],
        "explain": ["explain", "R-DER", "--as-of=2022-12-01"],
        "retention review": ["retention", "review", "--as-of=2030-01-01"],
        "simulate": ["simulate", "--as-of=2022-12-01", "--runs=20"],
    }


def _cli_commands() -> list[str]:
    names = []
    for name, cmd in app.commands.items():
        subs = getattr(cmd, "commands", None)
        names += [f"{name} {s}" for s in subs] if subs else [name]
    return names


def test_every_cli_command_is_classified(tmp_path):
    reads = _cli_reads(tmp_path)
    unclassified = [c for c in _cli_commands() if c not in reads and c not in READS_NOTHING]
    assert unclassified == [], "classify each command in tests/architecture/test_access_log.py"


def test_every_cli_command_that_reads_child_level_records_logs_it(programme, tmp_path):
    runner = CliRunner()
    unlogged = []
    for name, args in _cli_reads(tmp_path).items():
        before = AccessLog.objects.count()
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        if AccessLog.objects.count() == before:
            unlogged.append(name)
    assert unlogged == [], "\n".join(unlogged)
