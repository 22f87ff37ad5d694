"""The `stars` command starts quickly: no migration work when the schema is current, and
each command loads only the libraries it uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

from stars.cli.console import schema_current
from tests.conftest import stars_command

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "vl_convert",
    "openpyxl",
    "weasyprint",
    "numpy",
    "django.db.migrations.autodetector",
    # the other commands' modules: the email client (and requests), the web server
    "notifications_python_client",
    "requests",
    "gunicorn",
    # the terminal's progress bars and tables, and the option parsing's validation library
    "rich",
    "pydantic",
)


def test_schema_current_after_migrate_and_not_when_a_migration_is_unapplied(db):
    assert schema_current()
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM django_migrations WHERE app = 'referrals' AND name = '0001_initial'"
        )
    assert not schema_current()


def _stars(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return stars_command(*args, home=home, drop=("DATABASE_URL",), check=True, cwd=ROOT)


def test_the_json_report_migrates_an_empty_database_then_loads_no_chart_or_spreadsheet_code(
    tmp_path,
):
    first = _stars(tmp_path, "report", "evaluation", "--as-of", "2024-11-30")
    assert json.loads(first.stdout)["as_of"] == "2024-11-30"  # migrated, then reported
    probe = (
        "import sys; from stars.cli import app; "
        "sys.argv = ['stars', 'report', 'evaluation', '--as-of', '2024-11-30']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)"
    )
    env = {**os.environ, "STARS_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["as_of"] == "2024-11-30"
    assert run.stderr.strip().splitlines()[-1] == "[]"
