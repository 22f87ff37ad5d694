"""`stars report evaluation` reads the records through ADBC's SQLite driver (a connection of
its own, into Arrow) when it can: the frames are those of the usual read, value for value;
the enquiries it counts in the database give the counts and the report of their rows.

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
import polars as pl
from polars.testing import assert_frame_equal

from stars.core.permissions import Scope
from stars.core.programmes import programme_set
from stars.demo.synthetic import generate_programme
from stars.domain.contract.parsing import parse_contract
from stars.domain.tracker.rows import write_tracker
from stars.partnership.selectors import programme_choose
from stars.tracker.files import import_files
from stars.domain.evaluation.report import enquiry_counts, evaluation_report
from stars.partnership.selectors import contract_current
from stars.tracker.selectors import ID_COLUMNS, arrow_readable, report_frames, report_inputs

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
        # the report's reads: the enquiries counted by SQLite (through its own index) as of
        # the day of a decision and of an enquiry, with some decisions still to come, the
        # same either way, and the same counts and report as from the enquiries' rows
        for column in ("decision_date", "enquiry_date"):
            dates = usual[0][column].drop_nulls().sort()
            day = dates[len(dates) // 2]
            assert usual[0].filter(pl.col("decision_date") > day).height > 0
            counted = report_inputs(scope, day)
            counted_arrow = report_inputs(scope, day, arrow=True)
            assert counted[0] == counted_arrow[0]
            for a, b in zip((*counted[1:], *counted_arrow[1:]), (*usual[1:], *usual[1:])):
                assert a.schema["referral_id"] == pl.Int64  # the keys, not made text
                ids = [c for c in ID_COLUMNS if c in a.columns]
                assert_frame_equal(a.with_columns(pl.col(ids).cast(pl.Utf8)), b)
            assert sorted(counted[0].rows) == sorted(enquiry_counts(usual[0], day).rows)
            terms = contract_current()
            assert evaluation_report(terms, counted[0], *counted[1:], day) == evaluation_report(
                terms, *usual, day
            )
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
