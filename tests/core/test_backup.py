"""`stars backup` and `stars restore`: the round trip on SQLite and on PostgreSQL, each run
as the command a person types, in processes of their own. Each database starts as a copy of
one migrated once for the run (empty, with every migration applied, as the commands' own
set-up leaves a new one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import NOT_INHERITED, migrate_in_a_process, stars_command

PG = os.environ.get("STARS_TEST_PG", "postgres://postgres@127.0.0.1:5432")
COUNTS = (
    "import django, os, json; os.environ['DJANGO_SETTINGS_MODULE']='stars.core.settings';"
    "django.setup(); from django.apps import apps;"
    "print(json.dumps({m._meta.label_lower: m.objects.count() for m in apps.get_models()"
    " if m._meta.app_label in ('partnership', 'core')}))"
)


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["STARS_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _stars(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return stars_command(*args, env=env, stdin=stdin)


def _counts(env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", COUNTS], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _round_trip(tmp_path: Path, source: dict[str, str], target: dict[str, str]) -> None:
    for name in ("alice", "bob"):
        made = _stars(
            source,
            "createuser",
            name,
            "--role",
            "admin",
            "--password-stdin",
            stdin="x" * 8 + "-Ab1",
        )
        assert made.returncode == 0, made.stderr
    file = tmp_path / "stars.backup"
    done = _stars(source, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert file.stat().st_size > 0
    before = _counts(source)
    assert before["partnership.user"] == 2

    # into an empty database: restored, with the backup's audit entry and its own
    done = _stars(target, "restore", str(file))
    assert done.returncode == 0, done.stderr + done.stdout
    after = _counts(target)
    assert after["partnership.user"] == 2
    assert after["core.accesslog"] == before["core.accesslog"] + 1
    assert {k: v for k, v in after.items() if k != "core.accesslog"} == {
        k: v for k, v in before.items() if k != "core.accesslog"
    }

    # into a database with data: refused, nothing changed, unless --force
    made = _stars(
        target, "createuser", "carol", "--role", "admin", "--password-stdin", stdin="y" * 8 + "-Ab1"
    )
    assert made.returncode == 0, made.stderr
    refused = _stars(target, "restore", str(file))
    assert refused.returncode == 2
    assert "holds data" in refused.stderr and "--force" in refused.stderr
    assert _counts(target)["partnership.user"] == 3
    forced = _stars(target, "restore", str(file), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _counts(target)["partnership.user"] == 2


def test_round_trip_on_sqlite(tmp_path, migrated_home):
    source, target = migrated_home(tmp_path / "a"), migrated_home(tmp_path / "b")
    _round_trip(tmp_path, _env(source, None), _env(target, None))


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, timeout=60)


@pytest.fixture(scope="module")
def migrated_pg(tmp_path_factory):
    """A PostgreSQL database migrated once by a command's set-up, the template of the rest."""
    name = f"stars_bkt_{uuid.uuid4().hex[:10]}"
    _psql(f"CREATE DATABASE {name}")
    try:
        migrate_in_a_process(_env(tmp_path_factory.mktemp("pg-template"), f"{PG}/{name}"))
        yield name
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def two_pg_databases(migrated_pg):
    names = [f"stars_bk_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        _psql(f"CREATE DATABASE {name} TEMPLATE {migrated_pg}")
    yield [f"{PG}/{name}" for name in names]
    for name in names:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_round_trip_on_postgresql(tmp_path, two_pg_databases):
    a, b = two_pg_databases
    _round_trip(tmp_path, _env(tmp_path / "a", a), _env(tmp_path / "b", b))


def test_a_backup_of_the_other_kind_or_not_a_backup_is_refused(tmp_path, migrated_home):
    env = _env(migrated_home(tmp_path / "a"), None)
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello")
    done = _stars(env, "restore", str(junk))
    assert done.returncode == 2 and "not a STARS backup" in done.stderr
    pg_like = tmp_path / "pg.dump"
    pg_like.write_bytes(b"PGDMP" + b"\0" * 20)
    done = _stars(env, "restore", str(pg_like))
    assert done.returncode == 2 and "cannot be restored into this sqlite" in done.stderr
    done = _stars(env, "restore", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no such file" in done.stderr
    done = _stars(env, "backup", str(tmp_path / "no" / "dir" / "f"))
    assert done.returncode == 2 and "no such directory" in done.stderr


def test_a_backup_is_readable_by_the_service_s_user_only(tmp_path, migrated_home):
    env = _env(migrated_home(tmp_path / "a"), None)
    file = tmp_path / "stars.backup"
    done = _stars(env, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert file.stat().st_mode & 0o777 == 0o600
    assert not file.with_name("stars.backup.partial").exists()


def test_a_backup_that_fails_keeps_the_last_one_of_that_name(tmp_path, two_pg_databases):
    env = _env(tmp_path / "a", two_pg_databases[0])
    file = tmp_path / "stars.backup"
    done = _stars(env, "backup", str(file))
    assert done.returncode == 0, done.stderr
    good = file.read_bytes()
    assert file.stat().st_mode & 0o777 == 0o600

    # pg_dump stopped by a full disk halfway through its file
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in --file=*) printf PGDMP-half > "${a#--file=}";; esac; done\n'
        'echo "pg_dump: error: could not write to output file: No space left on device" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
    done = _stars(env, "backup", str(file))
    assert done.returncode == 2
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert file.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("stars.backup")] == [
        "stars.backup"
    ]


def _tables(database_url: str) -> set[str]:
    done = subprocess.run(
        ["psql", database_url, "-Atc", "SELECT tablename FROM pg_tables WHERE schemaname='public'"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(done.stdout.split())


def test_a_foreign_or_cut_short_postgresql_backup_is_refused_and_nothing_changes(
    tmp_path, two_pg_databases
):
    a, b = two_pg_databases
    source, target = _env(tmp_path / "a", a), _env(tmp_path / "b", b)
    made = _stars(
        target, "createuser", "carol", "--role", "admin", "--password-stdin", stdin="y" * 8 + "-Ab1"
    )
    assert made.returncode == 0, made.stderr
    whole = tmp_path / "stars.backup"
    assert _stars(source, "backup", str(whole)).returncode == 0
    cut = tmp_path / "cut.backup"  # a copy stopped halfway (a full disk, a broken transfer)
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    # another application's database, dumped as `stars backup` dumps
    foreign_db = b.rsplit("/", 1)[1] + "_foreign"
    _psql(f"CREATE DATABASE {foreign_db}")
    try:
        subprocess.run(
            [
                "psql",
                f"{PG}/{foreign_db}",
                "-qc",
                "CREATE TABLE invoices (id int PRIMARY KEY); INSERT INTO invoices VALUES (1);"
                "CREATE TABLE django_migrations (id int)",
            ],
            check=True,
            timeout=60,
        )
        foreign = tmp_path / "foreign.backup"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={foreign}", f"{PG}/{foreign_db}"],
            check=True,
            timeout=60,
        )
    finally:
        _psql(f"DROP DATABASE IF EXISTS {foreign_db} WITH (FORCE)")
    before, tables = _counts(target), _tables(b)

    for file, said in (
        (cut, "not a whole STARS backup"),
        (foreign, "a PostgreSQL backup, but not of STARS (no partnership_user table)"),
    ):
        done = _stars(target, "restore", str(file), "--force")
        assert done.returncode == 2, done.stdout + done.stderr
        assert said in done.stderr and "nothing was changed" in done.stderr
        assert "Traceback" not in done.stderr
        assert _counts(target) == before
        assert _tables(b) == tables


def test_a_backup_of_an_earlier_version_replaces_a_database_of_a_later_one(
    tmp_path, two_pg_databases
):
    a, b = two_pg_databases
    source, target = _env(tmp_path / "a", a), _env(tmp_path / "b", b)
    # `a` as an earlier version left it: before the migration that made jobs_dailyrun
    subprocess.run(
        [
            "psql",
            a,
            "-qc",
            "DROP TABLE jobs_dailyrun;"
            "DELETE FROM django_migrations WHERE app = 'jobs' AND name = '0002_daily_run'",
        ],
        check=True,
        timeout=60,
    )
    made = _stars(
        source, "createuser", "alice", "--role", "admin", "--password-stdin", stdin="x" * 8 + "-Ab1"
    )
    assert made.returncode == 0, made.stderr
    file = tmp_path / "earlier.backup"
    assert _stars(source, "backup", str(file)).returncode == 0
    # `b`, of this version, in use: its jobs_dailyrun has a row
    made = _stars(
        target, "createuser", "carol", "--role", "admin", "--password-stdin", stdin="y" * 8 + "-Ab1"
    )
    assert made.returncode == 0, made.stderr
    subprocess.run(
        [
            "psql",
            b,
            "-qc",
            "INSERT INTO jobs_dailyrun (name, day, enqueued_at) "
            "VALUES ('job', '2026-01-01', now())",
        ],
        check=True,
        timeout=60,
    )

    done = _stars(target, "restore", str(file), "--force")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "jobs_dailyrun" in _tables(b)  # made again by the migration the backup lacked
    counts = subprocess.run(
        [
            "psql",
            b,
            "-Atc",
            "SELECT (SELECT count(*) FROM jobs_dailyrun), "
            "(SELECT string_agg(username, ',') FROM partnership_user)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert counts == "0|alice"
