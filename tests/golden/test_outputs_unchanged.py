"""Every report, download and export of the demo programme gives the same bytes as before.

The demo database (``stars demo``: the synthetic programme, its cases, claims and Derby's
SSDA903 returns) is built once for this module; every output a user can take away is
produced from it (through the pages where a page offers it, as the CLI does otherwise) and
its SHA-256 digest compared with ``digests.json``. A refactoring that changes no behaviour
leaves every digest alone, on SQLite and PostgreSQL alike.

When an output is meant to change, regenerate the digests and review the diff of
``digests.json``::

    STARS_UPDATE_GOLDEN=1 STARS_HOME=$(mktemp -d) .venv/bin/pytest tests/golden -q

A failing run writes the outputs it produced to a temporary folder (named in the message),
so the changed files can be compared with those of the previous commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from rich.console import Console

from stars.cases.explain import explanation_for, explanation_text
from stars.demo.load import demo_load
from stars.domain.calendar import parse_quarter
from stars.partnership.models import User
from stars.referrals.models import Referral
from stars.reports.card import card_context, card_html, card_pdf, card_xlsx
from stars.reports.indigo import write_indigo
from stars.reports.services import evaluation_document
from stars.tracker.files import export_files
from tests.conftest import CONTRACT

pytestmark = pytest.mark.django_db  # the module's tests need the test database set up

DIGESTS = Path(__file__).with_name("digests.json")
UPDATE = os.environ.get("STARS_UPDATE_GOLDEN") == "1"
AS_OF = dt.date(2024, 11, 30)  # the demo's census date
# investors and evaluators ask for whole quarters: the last quarter ended by the census date
QUARTER_END = dt.date(2024, 9, 30)
QUARTER = "Q2 2024-25"
# the demo's records carry the time they were made (claims prepared, approved); making them
# at a fixed moment makes the same records every day
MADE_AT = dt.datetime(2024, 12, 2, 9, 30, tzinfo=dt.UTC)

# what varies per request in a page, not with the data
_PER_REQUEST = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
    (re.compile(rb'nonce="[^"]*"'), b'nonce=""'),
    # the session's seconds left count down while a slow page is made
    (re.compile(rb'data-session-seconds-left="[^"]*"'), b'data-session-seconds-left=""'),
]


def _page(body: bytes) -> bytes:
    for pattern, replacement in _PER_REQUEST:
        body = pattern.sub(replacement, body)
    return body


def _get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.content


def _produce(folder: Path) -> Iterator[tuple[str, bytes]]:
    d, q = AS_OF.isoformat(), QUARTER_END.isoformat()
    # the CLI: `stars report evaluation`, `stars report board`, `stars export-tracker`,
    # `stars export indigo`, `stars explain`
    for fmt in ("json", "xlsx", "html"):
        data = evaluation_document(fmt=fmt, as_of=AS_OF)
        yield f"cli/evaluation.{fmt}", data.encode() if isinstance(data, str) else data
    card = card_context(scope=None, quarter=parse_quarter(QUARTER), suppressed=False)
    yield "cli/board.html", card_html(card).encode()
    yield "cli/board.pdf", card_pdf(card)
    yield "cli/board.xlsx", card_xlsx(card)
    for path in export_files(out_dir=folder / "tracker"):
        yield f"cli/tracker/{path.name}", path.read_bytes()
    for path in write_indigo(out_dir=folder / "indigo", as_of=AS_OF):
        yield f"cli/indigo/{path.name}", path.read_bytes()
    explained = [
        explanation_text(explanation_for(r, AS_OF))
        for r in Referral.objects.order_by("referral_id")
    ]
    yield "cli/explain.txt", "\n\n".join(explained).encode()

    # the pages' downloads, each as the role that takes it away
    def client(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    admin, commissioner = client("admin"), client("commissioner")
    investor, evaluator = client("investor"), client("evaluator")
    for fmt in ("json", "xlsx"):
        url = f"/reports/evaluation/?as_of={d}&format={fmt}"
        yield f"pages/evaluation.{fmt}", _get(admin, url)
        yield f"pages/evaluation-derby.{fmt}", _get(commissioner, url)
    for fmt in ("pdf", "xlsx"):
        url = f"/reports/board/?quarter={QUARTER.replace(' ', '+')}&format={fmt}"
        yield f"pages/board.{fmt}", _get(admin, url)
        yield f"pages/board-derby.{fmt}", _get(commissioner, url)
        yield f"pages/board-investor.{fmt}", _get(investor, url)
    for council, month in (("derby", "2024-10"), ("nottingham", "2024-10"), ("derby", "2023-03")):
        for fmt in ("pdf", "xlsx", "csv"):
            url = f"/finance/claims/{council}/{month}/?format={fmt}"
            yield f"pages/claim-{council}-{month}.{fmt}", _get(admin, url)
    for fmt in ("xlsx", "pdf"):
        yield f"pages/outcomes.{fmt}", _get(admin, f"/cases/outcomes/?format={fmt}")
        yield f"pages/outcomes-investor.{fmt}", _get(investor, f"/cases/outcomes/?format={fmt}")
        yield f"pages/sufficiency-derby.{fmt}", _get(admin, f"/sufficiency/derby/?format={fmt}")
        yield (
            f"pages/sufficiency-forecast-derby.{fmt}",
            _get(admin, f"/sufficiency/derby/forecast/?format={fmt}"),
        )
    yield (
        "pages/reconciliation-derby.csv",
        _get(admin, f"/sufficiency/derby/reconcile/?as_of={d}&format=csv"),
    )
    for fmt in ("csv", "xlsx"):
        yield f"pages/extract.{fmt}", _get(evaluator, f"/finance/extract/?as_of={q}&format={fmt}")

    # pages whose figures come from the engine, money and the explanation
    with time_machine.travel(MADE_AT, tick=False):  # its list of quarters runs to the day's
        yield "pages/investor.html", _page(_get(investor, f"/finance/investor/?as_of={q}"))
    yield "pages/money.html", _page(_get(admin, f"/finance/money/?as_of={d}"))
    yield "pages/money-derby.html", _page(_get(commissioner, f"/finance/money/?as_of={d}"))
    yield "pages/claim-derby-2024-10.html", _page(_get(admin, "/finance/claims/derby/2024-10/"))
    yield "pages/evaluation.html", _page(_get(admin, f"/reports/evaluation/?as_of={d}"))
    yield (
        "pages/reconciliation-derby.html",
        _page(_get(admin, f"/sufficiency/derby/reconcile/?as_of={d}")),
    )


@pytest.fixture(scope="module")
def outputs(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("golden")
    with django_db_blocker.unblock():
        try:
            with time_machine.travel(MADE_AT, tick=False):
                demo_load(contract_path=CONTRACT, seed=2020, console=Console(quiet=True))
            produced = dict(_produce(folder))
            yield produced
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_every_output_is_unchanged(outputs, tmp_path_factory):
    actual = {name: _digest(data) for name, data in sorted(outputs.items())}
    if UPDATE:
        DIGESTS.write_text(json.dumps(actual, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    changed = sorted(n for n in actual.keys() & expected.keys() if actual[n] != expected[n])
    added, gone = sorted(actual.keys() - expected.keys()), sorted(expected.keys() - actual.keys())
    if changed or added or gone:
        kept = tmp_path_factory.mktemp("golden-actual")
        for name, data in outputs.items():
            (kept / name).parent.mkdir(parents=True, exist_ok=True)
            (kept / name).write_bytes(data)
        pytest.fail(
            f"outputs changed: {changed}; new: {added}; missing: {gone} (this run's outputs "
            f"are in {kept}; STARS_UPDATE_GOLDEN=1 regenerates digests.json)"
        )


def test_outputs_are_the_same_when_made_again(outputs, tmp_path):
    """Same data, same bytes: no clock, counter or random id in any output."""
    with time_machine.travel(dt.datetime(2031, 7, 4, 17, 5, 9, tzinfo=dt.UTC)):
        again = dict(_produce(tmp_path))
    differ = sorted(n for n in outputs if outputs[n] != again.get(n))
    assert differ == [], f"made again, these outputs differ: {differ}"


# characters that lay text out on a page (word joiner, no-break and zero-width spaces...)
_LAYOUT = {"Cf", "Zs", "Zl", "Zp"}
_NUMBER_AS_TEXT = re.compile(r"[+\-\u2212]?£?\d[\d,]*(\.\d+)?%?")


def test_every_workbook_holds_numbers_as_numbers_and_no_invisible_characters(outputs):
    """Every workbook cell: no invisible character (the word joiner the money formatter puts
    after a sign was in the board workbook's summary) and no number written as text."""
    from openpyxl import load_workbook

    workbooks = {n: data for n, data in outputs.items() if n.endswith(".xlsx")}
    assert len(workbooks) >= 10
    found = []
    for name, data in sorted(workbooks.items()):
        for ws in load_workbook(io.BytesIO(data)).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    v = cell.value
                    if not isinstance(v, str):
                        continue
                    odd = {c for c in v if c != " " and unicodedata.category(c) in _LAYOUT}
                    if odd:
                        found.append(f"{name} {ws.title}!{cell.coordinate}: {odd} in {v!r}")
                    if _NUMBER_AS_TEXT.fullmatch(v.strip()):
                        found.append(f"{name} {ws.title}!{cell.coordinate}: text {v!r}")
    assert found == []
