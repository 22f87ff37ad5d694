"""What the top-level `stars` commands do, once Django is set up.

Imported only after :func:`stars.cli.console.setup` (models need configured settings), so
it imports models and services at module level like any other module, except the heavy
ones a single command needs (the demo loader, the board card with its PDF and chart
libraries, the open data export, the report documents, the explanation, the simulation):
each of those is imported by the command that uses it, so that every other command starts
without them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from stars.cases.notices import notify_due as notify_users_of_due
from stars.cases.tasks import notify_due_daily
from stars.cli.console import fail
from stars.cli.programme import within
from stars.cli.terminal import console, out
from stars.core.audit import command_actor, flush_pending, record_access
from stars.core.backups import BackupError
from stars.core.backups import backup as backup_database
from stars.core.backups import restore as restore_database
from stars.core.serving import run_gunicorn
from stars.core.system import children_end_with_me, die_with_parent
from stars.jobs.worker import run_worker
from stars.partnership.models import User
from stars.partnership.selectors import contract_or_none
from stars.partnership.services import UserError, user_create
from stars.referrals.models import Referral


def embedded_worker_default() -> bool:
    """`stars serve` runs a job worker beside itself on the embedded default (SQLite, no
    ``DATABASE_URL``); with a database of its own, production runs `stars worker` apart."""
    return not os.environ.get("DATABASE_URL")


@contextlib.contextmanager
def worker_process(enabled: bool) -> Iterator[subprocess.Popen[bytes] | None]:
    """A `stars worker` child process for as long as the block runs (stopped after it: the
    job in hand is finished first, for up to 30 seconds)."""
    if not enabled:
        yield None
        return
    child = subprocess.Popen([sys.executable, "-m", "stars.cli", "worker"])

    def stop_both(signum: int, frame: object) -> None:
        # the worker starts finishing its job now, while the web server stops (not after)
        if child.poll() is None:
            child.terminate()
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop_both)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(
    *, host: str, port: int, workers: int, threads: int, dev: bool, worker: bool | None
) -> None:
    with_worker = embedded_worker_default() if worker is None else worker
    if dev and os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
        with_worker = False  # the reloader's child: its parent runs the worker
    # SIGTERM (systemd, a test, `kill`) ends the server through the `finally` of each child
    # process below, so the web server and the job worker stop with it; killed outright
    # (SIGKILL), the kernel ends each of them (``die_with_parent``).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    die_with_parent()  # the development server's reloading child: with the process watching
    children_end_with_me()
    with worker_process(with_worker):
        jobs = "with a job worker" if with_worker else "no job worker: run `stars worker`"
        server = "development server, reloads on change" if dev else f"{workers} worker(s)"
        out.print(
            f"STARS is at http://{host}:{port}/  ({server}; {jobs}; Ctrl+C to stop)",
            soft_wrap=True,
        )
        if dev:
            call_command("runserver", f"{host}:{port}", use_reloader=True, use_threading=True)
        else:
            code = run_gunicorn(host=host, port=port, workers=workers, threads=threads)
            if code:
                fail(f"the web server stopped with exit code {code}", code=code)


def backup(*, path: Path) -> None:
    try:
        done = backup_database(path)
    except BackupError as exc:
        fail(str(exc))
    out.print(f"backed up the {done.vendor} database to {done.path} ({done.size:,} bytes)")


def restore(*, path: Path, force: bool) -> None:
    try:
        done = restore_database(path, force=force)
    except BackupError as exc:
        fail(str(exc))
    call_command("migrate", interactive=False, verbosity=0)  # a backup of an older version
    out.print(f"restored the {done.vendor} database from {done.path}")


# enqueued once a day by the workers (stars.jobs.worker.enqueue_daily)
DAILY_JOBS = (notify_due_daily,)


def worker(*, interval: float, batch: bool, max_tasks: int | None) -> None:
    # the pages' figures (every page's imports) only for the commands that warm them
    from stars.web.tasks import warm_figures_job
    from stars.web.warm import figures_version

    die_with_parent()  # started by `stars serve`: ends with it
    out.print("running jobs" + (" until none is left" if batch else " (Ctrl+C to stop)"))
    run_worker(
        interval=interval,
        batch=batch,
        max_tasks=max_tasks,
        daily=DAILY_JOBS,
        on_change=((figures_version, warm_figures_job),),  # warmed after every change
        # access-log entries kept while an import held SQLite's lock, written in once it is
        # free even when no one uses the service (docs/decisions/0014)
        each_beat=(flush_pending,),
    )


def warm_figures(*, as_of: list[dt.date]) -> None:
    from stars.web.warm import warm_figures as warm

    t0 = time.perf_counter()
    users = warm(as_of)
    out.print(f"warmed the figures of {users} users' pages in {time.perf_counter() - t0:.1f} s")


def notify_due(*, today: dt.date | None) -> None:
    made = notify_users_of_due(today or timezone.localdate())
    out.print(
        f"notified: {made['enquiry_stuck']} stuck enquiries, "
        f"{made['case_overdue']} overdue meetings and measures (emails go out as jobs)"
    )


def demo(*, contract: Path | None, seed: int) -> None:
    if settings.PRODUCTION:
        fail("`stars demo` erases the database; it is refused when STARS_ENV=production")
    from stars.demo.load import demo_load

    path = contract or settings.STARS_DEFAULT_CONTRACT
    users = demo_load(contract_path=Path(path), seed=seed, console=console, second_programme=True)
    out.print("Demo users (synthetic data only; sign in at http://127.0.0.1:8000/):")
    out.print(
        f"  {'username':<30} {'password':<22} {'role':<18} council", highlight=False, soft_wrap=True
    )
    for u in users:
        out.print(
            f"  {u.username:<30} {u.password:<22} {u.role:<18} {u.council}",
            highlight=False,
            soft_wrap=True,
        )


def createuser(
    *,
    username: str,
    role: str,
    council: str | None,
    password: str | None,
    programmes: list[str] | None = None,
) -> None:
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        # judged beside the user name too: a password like the name is refused
        validate_password(password, User(username=username))
        user = user_create(
            username=username,
            role=role,
            council=council,
            password=password,
            programmes=programmes,
            actor=command_actor("createuser"),
        )
    except ValidationError as exc:
        fail("password: " + " ".join(exc.messages))
    except UserError as exc:
        fail(str(exc))
    where = f", {user.council.code}" if user.council else ""  # as the contract spells it
    out.print(f"created {user.username} ({user.role}{where})")


def check() -> None:
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as exc:
        console.print(str(exc))
        raise click.exceptions.Exit(1) from exc
    out.print("deployment checks passed")


def import_tracker(*, contract: Path, enquiries: Path, referrals: Path, periods: Path) -> None:
    from stars.tracker.files import TrackerRejected, import_files

    try:
        summary, warnings = import_files(
            contract=contract,
            enquiries=enquiries,
            referrals=referrals,
            periods=periods,
            console=console,
        )
    except TrackerRejected as exc:
        for line in exc.lines:
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        fail(exc.headline)
    for w in warnings:
        console.print(f"warning: {w}", highlight=False, soft_wrap=True, markup=False)
    for kind in ("enquiries", "referrals", "periods"):
        c = getattr(summary, kind)
        out.print(f"{kind}: {c.created} new, {c.updated} updated, {c.unchanged} unchanged")
    for kind, ids in (
        ("enquiries", summary.absent_enquiries),
        ("referrals", summary.absent_referrals),
    ):
        if ids:
            shown = ", ".join(ids[:20]) + (" ..." if len(ids) > 20 else "")
            out.print(f"{len(ids)} {kind} in the database are not in the files (kept): {shown}")


def export_tracker(*, out_dir: Path, programme: str | None = None) -> None:
    within(programme)
    from stars.tracker.files import TrackerRejected, export_files

    try:
        written = export_files(out_dir=out_dir)
    except TrackerRejected as exc:
        fail(exc.headline)
    for path in written:
        out.print(f"wrote {path}")


def export_indigo(*, out_dir: Path, day: dt.date, programme: str | None = None) -> None:
    within(programme)
    from stars.reports.indigo import write_indigo

    if contract_or_none() is None:
        fail("no contract is loaded: import a tracker first")
    for path in write_indigo(out_dir=out_dir, as_of=day):
        out.print(f"wrote {path}")


def explain(*, referral_id: str, day: dt.date, programme: str | None = None) -> None:
    within(programme)
    from stars.finance.explain import explanation_with_claims

    referral = Referral.objects.filter(referral_id=referral_id).first()
    if referral is None:
        fail(f"no referral {referral_id!r}")
    record_access(
        user=None,
        action="view",
        object_type="referral",
        object_id=referral_id,
        detail=f"stars explain --as-of {day}",
    )
    out.print(explanation_with_claims(referral, day), highlight=False)


def simulate(
    *,
    day: dt.date,
    to: dt.date | None,
    runs: int,
    seed: int,
    programme: str | None,
    settings: tuple[str, ...],
    fmt: str,
    out_file: Path | None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from stars.domain.simulation.summary import summary_to_json
    from stars.domain.simulation.whatif import WhatIfError
    from stars.reports.simulation import ProgrammeNotFound, simulation_for, simulation_xlsx

    within(programme)  # the programme named (or the only one) is the one simulated
    if contract_or_none() is None:
        fail("no contract is loaded: import a tracker first")
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("simulating runs", total=runs * (2 if settings else 1))
        try:
            sim = simulation_for(
                as_of=day,
                to=to,
                runs=runs,
                seed=seed,
                settings=settings,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except (WhatIfError, ProgrammeNotFound) as exc:
            fail(f"--set {exc}" if isinstance(exc, WhatIfError) else str(exc))
    record_access(
        user=None,
        action="export",
        object_type="report",
        object_id="simulation",
        detail=f"stars simulate --as-of {day} --runs {runs} --seed {seed} ({fmt})",
    )
    data: str | bytes = (
        summary_to_json(sim.shown.summary) if fmt == "json" else simulation_xlsx(sim)
    )
    if out_file is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        sys.stdout.write("\n")
        return
    if isinstance(data, str):
        out_file.write_text(data + "\n", encoding="utf-8")
    else:
        out_file.write_bytes(data)
    out.print(f"wrote {out_file}")
