"""`stars report evaluation` reads the records through ADBC's SQLite driver (a connection of
its own, into Arrow) when it can: the frames are those of the usual read, value for value.

Tests run inside a transaction on an in-memory database, where that reader is never used,
so the comparison runs in a process of its own on a SQLite file, as the command does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime as dt
from pathlib import Path

import django
from django.core.management import call_command

django.setup()
call_command("migrate", verbosity=0)

from django.db import connection, transaction
from polars.testing import assert_frame_equal

from stars.core.permissions import Scope
from stars.core.programmes import programme_set
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.rows import write_tracker
from stars.partnership.selectors import programme_choose
from stars.tracker.files import import_files
from stars.tracker.selectors import arrow_readable, report_frames

home = Path(__import__("os").environ["STARS_HOME"])
contract = Path("contracts/dn2-stars.toml")
p = generate_programme(
    parse_contract(contract.read_text()), n_referrals=400, as_of=dt.date(2024, 11, 30), seed=7
)
for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
    (home / name).write_text(text)
import_files(
    contract=contract,
    enquiries=home / "enquiries.csv",
    referrals=home / "referrals.csv",
    periods=home / "outcome_periods.csv",
)
assert arrow_readable()
with transaction.atomic():  # a second connection would not see this transaction's writes
    assert not arrow_readable()
for programme in (None, programme_choose(None)):  # with the programme as a parameter too
    programme_set(programme)
    for scope in (None, Scope(
        councils=frozenset({"derby", "nottingham"}), key_worker_id=None, child_level=False,
        identifiable=False,
    )):
        usual, arrow = report_frames(scope), report_frames(scope, arrow=True)
        # Django's copy of SQLite let go of the file before ADBC's copy opened it (closing
        # one copy's file would release the other's locks)
        assert connection.connection is None
        assert usual[0].height > 0 and usual[1].height > 0 and usual[2].height > 0
        for a, b in zip(usual, arrow, strict=True):
            assert_frame_equal(a, b)
        # the blanks are there to compare: pending decisions, live referrals, open periods
        assert usual[0]["decision_date"].null_count() > 0
        assert usual[1]["end_date"].null_count() > 0
        assert usual[1]["enquiry_id"].null_count() > 0
print("identical")
"""


def test_the_arrow_read_gives_the_frames_of_the_usual_read(tmp_path):
    env = {
        **os.environ,
        "STARS_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "stars.core.settings",
    }
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "identical"
