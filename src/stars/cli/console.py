"""The terminal side of the `stars` command: how it fails, Django set-up.

Every command parses its options, calls :func:`setup` (Django configured and, for commands
that touch the database, the schema brought up to date) and only then imports the module
that does its work (``stars.cli.run``, ``stars.cli.sufficiency_run``), which imports models
and services at module level. See docs/decisions/0004-layers.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import importlib.util
import os
import pkgutil
from collections.abc import Iterator
from typing import NoReturn

import click
import django
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection

from stars.core.errors import MigrationRefused
from stars.core.system import command_running
from stars.domain.calendar import latest_date, parse_date


def setup(migrate: bool = True) -> None:
    """Configure Django and bring the schema up to date; a configuration error is one line.

    Django's set-up makes tens of thousands of objects that the garbage collector tracks
    (modules, classes, models), all living as long as the process: the collector waits until
    it is done, then leaves them out of its rounds (``gc.freeze``), which spared
    `stars report evaluation` about 0.15 s of CPU (benchmarks/README.md, issue 14).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")
    gc.disable()
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        fail(str(exc))
    finally:
        gc.freeze()
        gc.enable()
    _command_said()
    try:
        if migrate and not schema_current():
            with migration_lock():
                if not schema_current():  # another process may have done it meanwhile
                    call_command("migrate", interactive=False, verbosity=0)
    except OperationalError as exc:
        fail(f"cannot use the database (DATABASE_URL): {one_line(exc)}")
    except MigrationRefused as exc:
        fail(str(exc))


# commands whose entries in the access log are the pages' (a user's) or the jobs' ("system")
SERVICES = ("serve", "worker")


def _command_said() -> None:
    """Say which `stars` command this process runs ("report evaluation"), so that the
    access log names the operating-system user who ran it (``stars.core.audit``)."""
    ctx = click.get_current_context(silent=True)
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:  # the root is `stars` itself
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    if ctx is not None and names and names[0] not in SERVICES:
        command_running(" ".join(names))
        ctx.call_on_close(lambda: command_running(""))  # the command done (a test's runner)


# PostgreSQL's advisory lock held while a process migrates ("STARS" in ASCII)
MIGRATION_LOCK = 0x5354415253


@contextlib.contextmanager
def migration_lock() -> Iterator[None]:
    """One process at a time brings the schema up to date: after an upgrade the web server
    and the job workers start together, and two migrating at once failed (a table made twice
    or read half made). The others wait here, then find the schema current. PostgreSQL: an
    advisory lock (any number of machines); SQLite: a lock file beside the data."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            yield
        finally:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        return
    with (settings.STARS_HOME / ".migrating.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file is closed
        yield


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (a driver's message spans several)."""
    return " ".join(str(exc).split())


def schema_current() -> bool:
    """True when every migration file of every installed app is recorded as applied.

    A cheap look (a listing of each app's migrations folder and one query) that spares
    each command Django's migration graph when there is nothing to apply, which is almost
    always. Anything unusual (no migrations table yet, a file not applied, a squashed
    migration not recorded by its own name) answers False, and ``migrate`` then decides.
    """
    on_disk: set[tuple[str, str]] = set()
    for app in apps.get_app_configs():
        module = settings.MIGRATION_MODULES.get(app.label, f"{app.name}.migrations")
        if module is None:
            continue
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            continue
        on_disk.update(
            (app.label, m.name)
            for m in pkgutil.iter_modules(spec.submodule_search_locations)
            if not m.ispkg and m.name[0] not in "_~"
        )
    try:
        with connection.cursor() as cur:
            if "django_migrations" not in connection.introspection.table_names(cur):
                return False
            cur.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cur.fetchall()}
    except DatabaseError:
        return False
    return on_disk <= applied


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"{click.style('error:', fg='red', bold=True)} {message}", err=True)
    raise click.exceptions.Exit(code)


def as_of(value: str, option: str = "--as-of") -> dt.date:
    """A date option (``--as-of``, or the one named): a YYYY-MM-DD date no later than the
    pages take (``stars.domain.calendar.latest_date``), or fail naming the option."""
    day = parse_date(value)
    if day is None:
        fail(f"{option} {value!r} is not a date; expected YYYY-MM-DD")
    latest = latest_date(dt.date.today())
    if day > latest:
        fail(
            f"{option} {value!r} is further ahead than any programme's figures; "
            f"expected a date no later than {latest}"
        )
    return day
