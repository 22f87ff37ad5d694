"""The `stars` command: every subcommand calls the same services as the pages.

Each subcommand brings the database schema up to date first, so it works on an empty
database (SQLite by default, or whatever ``DATABASE_URL`` names). This module declares the
commands and their options (with click); ``stars.cli.console`` holds the terminal and the
Django set-up, ``stars.cli.run`` what each command does once Django is set up
(``stars.cli.report_run`` for `stars report`), ``stars.cli.sufficiency`` the
`stars sufficiency` subcommands.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from types import ModuleType

import click

from stars.cli.console import as_of as parse_as_of
from stars.cli.console import fail, setup
from stars.cli.governance import retention_app
from stars.cli.sufficiency import app as sufficiency_app
from stars.domain.calendar import QuarterError, last_complete, parse_quarter

PATH = click.Path(path_type=Path)
PROGRAMME = click.option(
    "--programme", help="programme code (needed when there are several)", default=None
)


@click.group(help="STARS: outcomes-based children's services programmes.")
def app() -> None:
    pass


def _run(migrate: bool = True) -> ModuleType:
    """Set Django up, then import the command bodies (they import models at module level,
    which needs configured settings: the one import here that must wait for set-up)."""
    setup(migrate=migrate)
    from stars.cli import run

    return run


def _run_report() -> ModuleType:
    """``_run`` for the `stars report` commands (``stars.cli.report_run``)."""
    setup()
    from stars.cli import report_run

    return report_run


@app.command()
@click.option("--port", type=int, default=8000, show_default=True, help="port on 127.0.0.1")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="web server processes (gunicorn workers)",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="threads in each process",
)
@click.option("--dev", is_flag=True, help="Django's development server, reloading on change")
@click.option(
    "--worker/--no-worker",
    default=None,
    help="run a job worker beside the server (default: on with the embedded SQLite "
    "database, off when DATABASE_URL is set)",
)
def serve(port: int, host: str, workers: int, threads: int, dev: bool, worker: bool | None) -> None:
    """Serve the web app with gunicorn (production WSGI server), or `--dev`."""
    _run().serve(host=host, port=port, workers=workers, threads=threads, dev=dev, worker=worker)


@app.command()
@click.option(
    "--interval",
    type=float,
    default=1.0,
    show_default=True,
    help="seconds between looks for a job when there is none",
)
@click.option("--batch/--no-batch", default=False, help="run the jobs waiting, then stop")
@click.option(
    "--max-tasks",
    type=click.IntRange(min=1),
    default=None,
    help="stop after running this many jobs",
)
def worker(interval: float, batch: bool, max_tasks: int | None) -> None:
    """Run background jobs (uploads, emails) until stopped; it records a heartbeat."""
    if interval < 0:
        fail("--interval must be 0 or more seconds")
    _run().worker(interval=interval, batch=batch, max_tasks=max_tasks)


@app.command("notify-due")
@click.option("--today", default=None, help="the day to judge by (default: today)")
def notify_due(today: str | None) -> None:
    """Tell users of stuck enquiries and overdue meetings and measures (run it daily)."""
    day = parse_as_of(today, "--today") if today else None
    _run().notify_due(today=day)


@app.command("warm-figures")
@click.option(
    "--as-of", "as_of", multiple=True, help="also as of this date (repeatable; today always)"
)
def warm_figures(as_of: tuple[str, ...]) -> None:
    """Work out the pages' cached figures now (the worker does it after every change)."""
    dates = [parse_as_of(d) for d in as_of]
    _run().warm_figures(as_of=dates)


@app.command()
@click.option(
    "--contract", type=PATH, default=None, help="contract TOML (default: contracts/dn2-stars.toml)"
)
@click.option(
    "--seed",
    type=int,
    default=2020,
    show_default=True,
    help="random seed of the synthetic programme",
)
def demo(contract: Path | None, seed: int) -> None:
    """Reset the database and load the synthetic demo programme and one user per role."""
    _run().demo(contract=contract, seed=seed)


@app.command()
@click.argument("username")
@click.option(
    "--role",
    required=True,
    help="spoc, commissioner, provider_manager, key_worker, investor, evaluator or admin",
)
@click.option("--council", default=None, help="council code (spoc, commissioner)")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="read the password from the first line of standard input "
    "(else STARS_PASSWORD, else asked for)",
)
@click.option("--password", default=None, hidden=True)  # refused: see _createuser_password
@click.option(
    "--programme",
    multiple=True,
    help="programme code the user works in; repeat for several "
    "(default: the service's only programme)",
)
def createuser(
    username: str,
    role: str,
    council: str | None,
    password_stdin: bool,
    password: str | None,
    programme: tuple[str, ...],
) -> None:
    """Create a user with a role (and a council for council roles) in programmes."""
    run = _run()  # a database that cannot be used is said first
    run.createuser(
        username=username,
        role=role,
        council=council,
        password=_createuser_password(typed=password, from_stdin=password_stdin),
        programmes=list(programme) or None,
    )


def _createuser_password(*, typed: str | None, from_stdin: bool) -> str | None:
    """The new user's password from standard input or ``STARS_PASSWORD``; None: ask for it
    at the terminal. Never from the command line, which every user of the machine reads
    (``ps``, ``/proc/PID/cmdline``); the environment and standard input are the user's own."""
    if typed is not None:
        fail(
            "--password shows the password to every user of this machine (ps); "
            "type it when asked, or give it with --password-stdin or STARS_PASSWORD"
        )
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("--password-stdin: standard input held no password")
        return line
    if os.environ.get("STARS_PASSWORD"):
        return os.environ["STARS_PASSWORD"]
    if not sys.stdin.isatty():
        fail(
            "no password: with no terminal to ask at, "
            "give it with --password-stdin or STARS_PASSWORD"
        )
    return None


@app.command()
def check() -> None:
    """Run Django's deployment checks (clean when STARS_ENV=production is set up right)."""
    _run().check()


@app.command()
@click.argument("file", type=PATH)
def backup(file: Path) -> None:
    """Back up the whole database to FILE (SQLite online backup, or pg_dump)."""
    _run().backup(path=file)


@app.command()
@click.argument("file", type=PATH)
@click.option("--force", is_flag=True, help="replace a database that holds data")
def restore(file: Path, force: bool) -> None:
    """Replace the database with a backup (FILE, written by `stars backup`); refused if the
    database holds data, unless --force."""
    _run().restore(path=file, force=force)


@app.command("import-tracker")
@click.option("--contract", type=PATH, required=True, help="contract TOML (docs/tracker-format.md)")
@click.option("--enquiries", type=PATH, required=True, help="enquiries.csv")
@click.option("--referrals", type=PATH, required=True, help="referrals.csv")
@click.option("--periods", type=PATH, required=True, help="outcome_periods.csv")
def import_tracker(contract: Path, enquiries: Path, referrals: Path, periods: Path) -> None:
    """Import a tracker, all or nothing; re-importing updates records by id."""
    _run().import_tracker(
        contract=contract, enquiries=enquiries, referrals=referrals, periods=periods
    )


@app.command("export-tracker")
@click.option(
    "--out", "out_dir", type=PATH, required=True, help="directory to write the four files to"
)
@PROGRAMME
def export_tracker(out_dir: Path, programme: str | None) -> None:
    """Write contract.toml, enquiries.csv, referrals.csv and outcome_periods.csv."""
    _run().export_tracker(out_dir=out_dir, programme=programme)


@app.group("report")
def report_app() -> None:
    """Reports computed from the records."""


@report_app.command("evaluation")
@click.option("--as-of", "as_of", required=True, help="YYYY-MM-DD")
@click.option("--format", "fmt", default="json", show_default=True, help="json, xlsx or html")
@click.option("--out", "out_file", type=PATH, default=None, help="file to write")
@PROGRAMME
def report_evaluation(as_of: str, fmt: str, out_file: Path | None, programme: str | None) -> None:
    """The evaluation report of docs/tracker-format.md, as of a date."""
    day = parse_as_of(as_of)
    _run_report().report_evaluation(day=day, fmt=fmt, out_file=out_file, programme=programme)


@report_app.command("board")
@click.option("--quarter", default=None, help='e.g. "Q3 2024-25" (default: the last ended)')
@click.option("--format", "fmt", default="pdf", show_default=True, help="pdf, xlsx or html")
@click.option("--out", "out_file", type=PATH, default=None, help="file to write")
@PROGRAMME
def report_board(
    quarter: str | None, fmt: str, out_file: Path | None, programme: str | None
) -> None:
    """The strategic board's report card for a quarter (the whole programme)."""
    try:
        q = parse_quarter(quarter) if quarter else last_complete(dt.date.today())
    except QuarterError as exc:
        fail(f"--quarter: {exc}")
    if fmt not in ("pdf", "xlsx", "html"):
        fail(f"--format {fmt!r}: expected pdf, xlsx or html")
    _run_report().report_board(quarter=q, fmt=fmt, out_file=out_file, programme=programme)


@app.command()
@click.option("--as-of", "as_of", required=True, help="YYYY-MM-DD: the records as of then")
@click.option("--to", default=None, help="YYYY-MM-DD (default: the end of the contract)")
@click.option("--runs", type=int, default=2000, show_default=True, help="Monte Carlo runs")
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="the same seed gives the same output",
)
@PROGRAMME
@click.option(
    "--set",
    "settings",
    multiple=True,
    help="what-if, key=value, repeatable: cohort.A.weekly_outcome_payment=650, "
    "referral_rate=1.2, closure_rate=0.8, cohort_mix.B=0.5, programme.lcf_share=0.3",
)
@click.option("--format", "fmt", default="json", show_default=True, help="json or xlsx")
@click.option("--out", "out_file", type=PATH, default=None, help="file to write")
def simulate(
    as_of: str,
    to: str | None,
    runs: int,
    seed: int,
    programme: str | None,
    settings: tuple[str, ...],
    fmt: str,
    out_file: Path | None,
) -> None:
    """Simulate the contract to its end from the records as of a date (docs/tracker-format.md)."""
    day = parse_as_of(as_of)
    end = None
    if to is not None:
        end = parse_as_of(to, "--to")
    if not 1 <= runs <= 100_000:
        fail(f"--runs {runs}: expected 1 to 100000")
    if fmt not in ("json", "xlsx"):
        fail(f"--format {fmt!r}: expected json or xlsx")
    if fmt == "xlsx" and out_file is None:
        fail("an XLSX workbook needs --out FILE")
    _run().simulate(
        day=day,
        to=end,
        runs=runs,
        seed=seed,
        programme=programme,
        settings=settings,
        fmt=fmt,
        out_file=out_file,
    )


@app.group("export")
def export_app() -> None:
    """Open data exports of the programme."""


@export_app.command("indigo")
@click.option(
    "--out",
    "out_dir",
    type=PATH,
    default=Path("indigo"),
    show_default=True,
    help="directory to write",
)
@click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD (default: today)")
@PROGRAMME
def export_indigo(out_dir: Path, as_of: str | None, programme: str | None) -> None:
    """The programme in the INDIGO impact bond data standard (aggregate, open data)."""
    day = parse_as_of(as_of) if as_of else dt.date.today()
    _run().export_indigo(out_dir=out_dir, day=day, programme=programme)


app.add_command(sufficiency_app, name="sufficiency")
app.add_command(retention_app, name="retention")


@app.command()
@click.argument("referral_id")
@click.option("--as-of", "as_of", required=True, help="YYYY-MM-DD")
@PROGRAMME
def explain(referral_id: str, as_of: str, programme: str | None) -> None:
    """The lines behind one referral's weeks, payments and savings (REFERRAL_ID)."""
    day = parse_as_of(as_of)
    _run().explain(referral_id=referral_id, day=day, programme=programme)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
