"""Shared fixtures: the sample contract loaded, one user per role, a few referrals."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "contracts" / "dn2-stars.toml"
PASSWORD = "a-long-test-password-1"

# Hypothesis's timing checks measure the machine, not the rule under test: on a shared
# machine under load, generation or one example can take longer than their limits, so a
# property that holds would fail. Every property keeps its own number of examples.
settings.register_profile("stars", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("stars")


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.

    Domain tests also run without pytest-django (``-p no:django``): then there is nothing
    to set.
    """
    if "argon2" in request.node.name or not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_programme_chosen():
    """Every test starts outside any programme (a command run in a test chooses one for
    the rest of its thread)."""
    from stars.core.programmes import programme_use

    with programme_use(None):
        yield


@pytest.fixture(autouse=True)
def empty_figures_cache(request):
    """Each test starts with no cached figures (stars.core.cache): a rolled-back test can
    leave history ids and, under a frozen clock, times that the next test's records reuse."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def rows_kept() -> dict[str, Callable[[], None]]:
    """What puts back the rows of each set of records loaded once in a run (``load_once``)."""
    return {}


def load_once(kept: dict[str, Callable[[], None]], name: str, load: Callable[[], None]) -> None:
    """``load()`` in the first test of a run that asks for ``name``; in every later one, the
    rows it made put back (``rows_copied``) instead of made again."""
    if name in kept:
        kept[name]()
    else:
        load()
        kept[name] = rows_copied()


def load_demo(n_referrals: int, *, second_programme: bool = False) -> Callable[[], None]:
    """What loads the demo, seed 2020, with ``n_referrals`` referrals of DN2 STARS."""
    from rich.console import Console

    from stars.demo.load import demo_load

    def load() -> None:
        demo_load(
            contract_path=CONTRACT,
            seed=2020,
            console=Console(quiet=True),
            n_referrals=n_referrals,
            second_programme=second_programme,
        )

    return load


@pytest.fixture
def both_programmes(db, rows_kept):
    """The demo's two programmes, small (40 referrals of DN2 STARS, seed 2020, and the
    step-down programme): for the tests that need a second programme beside the first.
    Loaded once in a run; each test has them in its own transaction, rolled back after it."""
    load_once(rows_kept, "both programmes", load_demo(40, second_programme=True))


@pytest.fixture
def contract(db):
    from stars.partnership.services import contract_load_file

    return contract_load_file(path=CONTRACT)


MILESTONES_B = """code = "B"
name = "Foster placement at risk of breakdown"
payment_design = "continuous_milestones"
weekly_saving = 2100.00
saving_kind = "avoided"
minimum_referrals = 52
outcome = "foster_placement"

  [[cohort.milestone]]
  name = "placement_start"
  continuous_weeks = 0
  payment = 1000.00

  [[cohort.milestone]]
  name = "settled"
  continuous_weeks = 4
  payment = 2500.00
"""


def load_milestone_contract() -> None:
    """The sample contract with cohort B paid for milestones of continuous placement, not by
    the week: placement_start (its first day, £1,000) and settled (4 continuous weeks,
    £2,500)."""
    from stars.partnership.services import contract_load

    text = CONTRACT.read_text(encoding="utf-8")
    start = text.index('code = "B"')
    end = text.index("  [[cohort.eligibility]]", start)
    contract_load(text=text[:start] + MILESTONES_B + "\n" + text[end:], source="milestones.toml")


@pytest.fixture
def users(contract):
    """One user per role; council roles belong to Derby, with a Nottingham SPOC beside."""
    from stars.partnership.services import user_create

    specs = {
        "spoc": ("spoc", "derby"),
        "commissioner": ("commissioner", "derby"),
        "provider_manager": ("provider_manager", None),
        "key_worker": ("key_worker", None),
        "investor": ("investor", None),
        "evaluator": ("evaluator", None),
        "admin": ("admin", None),
        "spoc_nottingham": ("spoc", "nottingham"),
    }
    return {
        name: user_create(username=name, role=role, council=council, password=PASSWORD)
        for name, (role, council) in specs.items()
    }


def make_referral(
    referral_id: str,
    council: str,
    *,
    key_worker=None,
    cohort: str = "B",
    status: str = "live",
    end: dt.date | None = None,
):
    from stars.partnership.models import Council
    from stars.referrals.models import Child, Referral

    c = Council.objects.get(code=council)
    child = Child.objects.create(
        child_ref=f"C-{referral_id}",
        council=c,
        given_name="Synthetic",
        family_name="Child",
        date_of_birth=dt.date(2011, 5, 17),
    )
    return Referral.objects.create(
        referral_id=referral_id,
        child=child,
        council=c,
        cohort=cohort,
        funding="sib",
        referral_date=dt.date(2022, 1, 10),
        status=status,
        end_date=end,
        key_worker=key_worker,
    )


@pytest.fixture
def referrals(users):
    """R-DER (Derby, on the key worker's caseload) and R-NOT (Nottingham)."""
    return {
        "derby": make_referral("R-DER", "derby", key_worker=users["key_worker"]),
        "nottingham": make_referral("R-NOT", "nottingham"),
    }


# What a `stars` command run by a test in a process of its own must not inherit from the
# test run: the database the suite uses, and the settings of another environment.
NOT_INHERITED = ("DATABASE_URL", "STARS_ENV", "STARS_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")


def stars_command(
    *args: str,
    home: Path | str | None = None,
    env: dict[str, str] | None = None,
    drop: tuple[str, ...] = NOT_INHERITED,
    stdin: str | None = None,
    timeout: float = 300,
    check: bool = False,
    cwd: Path | str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``stars ARGS`` run as an operator runs it, in a process of its own: the test run's
    environment without ``drop``, then ``STARS_HOME=home`` and ``env`` over it."""
    command_env = {k: v for k, v in os.environ.items() if k not in drop}
    if home is not None:
        command_env["STARS_HOME"] = str(home)
    command_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stars.cli", *args],
        env=command_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
        cwd=cwd,
    )


@contextlib.contextmanager
def stars_served(
    home: Path, *args: str, env: dict[str, str] | None = None, drop: tuple[str, ...] = NOT_INHERITED
) -> Iterator[int]:
    """`stars serve ARGS` of ``home`` in a process of its own (as ``stars_command`` runs a
    command: the test run's environment without ``drop``, then ``env`` over it), its output
    in ``home/serve.log``; yields its port once it accepts connections, stops it after."""
    command_env = {k: v for k, v in os.environ.items() if k not in drop}
    command_env.update(STARS_HOME=str(home), **(env or {}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "stars.cli", "serve", "--port", str(port), *args],
        env=command_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180  # generous: the machine may be busy
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("stars serve did not start: " + (home / "serve.log").read_text())
        yield port
    finally:
        server.terminate()
        server.wait(timeout=60)  # gunicorn stops its workers first: seconds on a busy machine
        log.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite database with every migration applied, by the set-up every `stars`
    command runs, made once for the run. Tests that run `stars` commands in processes of
    their own start from a copy (``migrated_home``) instead of each migrating a new
    database: about 25 s of CPU each, minutes on a busy machine, where their commands'
    timeouts were meant for the command itself."""
    home = tmp_path_factory.mktemp("migrated")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["STARS_HOME"] = str(home)
    migrate_in_a_process(env)
    return home / "stars.sqlite3"


def migrate_in_a_process(env: dict[str, str]) -> None:
    """Migrate the database ``env`` names by the set-up every `stars` command runs, in a
    process of its own (given the time a busy machine needs)."""
    done = subprocess.run(
        [sys.executable, "-c", "from stars.cli.console import setup; setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def migrated_home(migrated_sqlite):
    """``migrated_home(path)``: ``path`` made a STARS_HOME holding a copy of the migrated
    empty database (SQLite's backup API: the copy includes what is still in its WAL)."""

    def make(path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        source = contextlib.closing(sqlite3.connect(migrated_sqlite))
        target = contextlib.closing(sqlite3.connect(path / "stars.sqlite3"))
        with source as a, target as b:
            a.backup(b)
        return path

    return make


def rows_copied() -> Callable[[], None]:
    """Copy every row of the test database as it is now; returns what puts them back, every
    table as copied: in a transactional test (``transaction=True``, a live server's) whose
    database was emptied after the test before it, or in a test run in a transaction of its
    own (the ``db`` fixture's), where they go with its rollback. Putting rows back costs far
    less than making them again (the demo: about 15 s of CPU), and the tables, ids and
    sequences are as they were copied. SQLite outside a transaction: the whole database by
    SQLite's backup API; inside one, each table's values as stored (``+column`` reads a
    value with no conversion), put back in it; PostgreSQL: each table by COPY, put back in
    one transaction (so foreign keys are checked once all rows are in)."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    connection.ensure_connection()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)

        def put_back() -> None:
            connection.ensure_connection()
            copy.backup(connection.connection)

        return put_back

    tables = connection.introspection.django_table_names(only_existing=True)
    quote = connection.ops.quote_name
    if connection.vendor == "sqlite":
        stored: dict[str, tuple[str, list[tuple]]] = {}
        with connection.cursor() as cursor:
            for table in tables:
                columns = [
                    quote(c.name)
                    for c in connection.introspection.get_table_description(cursor, table)
                ]
                values = connection.connection.execute(
                    f"SELECT {', '.join('+' + c for c in columns)} FROM {quote(table)}"
                ).fetchall()
                insert = (
                    f"INSERT INTO {quote(table)} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})"
                )
                stored[table] = (insert, values)

        def put_rows_back() -> None:
            with transaction.atomic():
                for table, (insert, values) in stored.items():
                    connection.connection.execute(f"DELETE FROM {quote(table)}")
                    connection.connection.executemany(insert, values)

        return put_rows_back

    tables = connection.introspection.django_table_names(only_existing=True)
    rows: dict[str, bytes] = {}
    in_a_test_transaction = connection.in_atomic_block
    with connection.cursor() as cursor:
        for table in tables:
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT") as out:
                rows[table] = b"".join(bytes(block) for block in out)

    def put_back() -> None:
        style = no_style()
        models = apps.get_models(include_auto_created=True)
        with transaction.atomic(), connection.cursor() as cursor:
            # in a test's transaction, rows it made may have foreign keys still to check,
            # which TRUNCATE refuses
            emptied = [f"DELETE FROM {quote(table)}" for table in tables]
            if not in_a_test_transaction:
                emptied = connection.ops.sql_flush(style, tables, allow_cascade=True)
            for sql in emptied:
                cursor.execute(sql)
            for table, data in rows.items():
                with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN") as into:
                    into.write(data)
            for sql in connection.ops.sequence_reset_sql(style, models):
                cursor.execute(sql)

    return put_back
