"""The `stars` command: every subcommand calls the same services as the pages.

Each subcommand brings the database schema up to date first, so it works on an empty
database (SQLite by default, or whatever ``DATABASE_URL`` names). This module declares the
commands and their options; ``stars.cli.console`` holds the terminal and the Django set-up,
``stars.cli.run`` what each command does once Django is set up (``stars.cli.report_run``
for `stars report`), ``stars.cli.sufficiency`` the `stars sufficiency` subcommands.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from stars.cli.console import as_of as parse_as_of
from stars.cli.console import fail, setup
from stars.cli.governance import retention_app
from stars.cli.sufficiency import app as sufficiency_app
from stars.domain.calendar import QuarterError, last_complete, parse_date, parse_quarter

app = typer.Typer(
    help="STARS: outcomes-based children's services programmes.",
    no_args_is_help=True,
    add_completion=False,
)


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
def serve(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8000,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    workers: Annotated[
        int, typer.Option(min=1, help="web server processes (gunicorn workers)")
    ] = 2,
    threads: Annotated[int, typer.Option(min=1, help="threads in each process")] = 1,
    dev: Annotated[
        bool, typer.Option("--dev", help="Django's development server, reloading on change")
    ] = False,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="run a job worker beside the server (default: on with the embedded SQLite "
            "database, off when DATABASE_URL is set)",
        ),
    ] = None,
) -> None:
    """Serve the web app with gunicorn (production WSGI server), or `--dev`."""
    _run().serve(host=host, port=port, workers=workers, threads=threads, dev=dev, worker=worker)


@app.command()
def worker(
    interval: Annotated[
        float, typer.Option(help="seconds between looks for a job when there is none")
    ] = 1.0,
    batch: Annotated[bool, typer.Option(help="run the jobs waiting, then stop")] = False,
    max_tasks: Annotated[
        int | None, typer.Option(min=1, help="stop after running this many jobs")
    ] = None,
) -> None:
    """Run background jobs (uploads, emails) until stopped; it records a heartbeat."""
    if interval < 0:
        fail("--interval must be 0 or more seconds")
    _run().worker(interval=interval, batch=batch, max_tasks=max_tasks)


@app.command("notify-due")
def notify_due(
    today: Annotated[str | None, typer.Option(help="the day to judge by (default: today)")] = None,
) -> None:
    """Tell users of stuck enquiries and overdue meetings and measures (run it daily)."""
    day = parse_date(today) if today else None
    if today and day is None:
        fail("--today must be a date such as 2024-11-30")
    _run().notify_due(today=day)


@app.command("warm-figures")
def warm_figures(
    as_of: Annotated[
        list[str] | None,
        typer.Option("--as-of", help="also as of this date (repeatable; today always)"),
    ] = None,
) -> None:
    """Work out the pages' cached figures now (the worker does it after every change)."""
    dates = [parse_date(d) for d in as_of or []]
    if any(d is None for d in dates):
        fail("--as-of must be a date such as 2024-11-30")
    _run().warm_figures(as_of=[d for d in dates if d is not None])


@app.command()
def demo(
    contract: Annotated[
        Path | None, typer.Option(help="contract TOML (default: contracts/dn2-stars.toml)")
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed of the synthetic programme")] = 2020,
) -> None:
    """Reset the database and load the synthetic demo programme and one user per role."""
    _run().demo(contract=contract, seed=seed)


@app.command()
def createuser(
    username: Annotated[str, typer.Argument()],
    role: Annotated[
        str,
        typer.Option(
            help="spoc, commissioner, provider_manager, key_worker, investor, evaluator or admin"
        ),
    ],
    council: Annotated[str | None, typer.Option(help="council code (spoc, commissioner)")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="password (asked for when not given)", envvar="STARS_PASSWORD"),
    ] = None,
    programme: Annotated[
        list[str] | None,
        typer.Option(
            "--programme",
            help="programme code the user works in; repeat for several "
            "(default: the service's only programme)",
        ),
    ] = None,
) -> None:
    """Create a user with a role (and a council for council roles) in programmes."""
    _run().createuser(
        username=username, role=role, council=council, password=password, programmes=programme
    )


@app.command()
def check() -> None:
    """Run Django's deployment checks (clean when STARS_ENV=production is set up right)."""
    _run().check()


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="the backup file to write")],
) -> None:
    """Back up the whole database to FILE (SQLite online backup, or pg_dump)."""
    _run().backup(path=file)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="a file written by `stars backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="replace a database that holds data")
    ] = False,
) -> None:
    """Replace the database with a backup; refused if the database holds data, unless --force."""
    _run().restore(path=file, force=force)


@app.command("import-tracker")
def import_tracker(
    contract: Annotated[Path, typer.Option(help="contract TOML (docs/tracker-format.md)")],
    enquiries: Annotated[Path, typer.Option(help="enquiries.csv")],
    referrals: Annotated[Path, typer.Option(help="referrals.csv")],
    periods: Annotated[Path, typer.Option(help="outcome_periods.csv")],
) -> None:
    """Import a tracker, all or nothing; re-importing updates records by id."""
    _run().import_tracker(
        contract=contract, enquiries=enquiries, referrals=referrals, periods=periods
    )


@app.command("export-tracker")
def export_tracker(
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write the four files to")],
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
) -> None:
    """Write contract.toml, enquiries.csv, referrals.csv and outcome_periods.csv."""
    _run().export_tracker(out_dir=out_dir, programme=programme)


report_app = typer.Typer(help="Reports computed from the records.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("evaluation")
def report_evaluation(
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
    fmt: Annotated[str, typer.Option("--format", help="json, xlsx or html")] = "json",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
) -> None:
    """The evaluation report of docs/tracker-format.md, as of a date."""
    day = parse_as_of(as_of)
    _run_report().report_evaluation(day=day, fmt=fmt, out_file=out_file, programme=programme)


@report_app.command("board")
def report_board(
    quarter: Annotated[
        str | None, typer.Option("--quarter", help='e.g. "Q3 2024-25" (default: the last ended)')
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf, xlsx or html")] = "pdf",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
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
def simulate(
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD: the records as of then")],
    to: Annotated[
        str | None,
        typer.Option("--to", help="YYYY-MM-DD (default: the end of the contract)"),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="the same seed gives the same output")] = 1,
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="what-if, key=value, repeatable: cohort.A.weekly_outcome_payment=650, "
            "referral_rate=1.2, closure_rate=0.8, cohort_mix.B=0.5, programme.lcf_share=0.3",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or xlsx")] = "json",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
) -> None:
    """Simulate the contract to its end from the records as of a date (docs/tracker-format.md)."""
    day = parse_as_of(as_of)
    end = None
    if to is not None:
        end = parse_date(to)
        if end is None:
            fail(f"--to {to!r} is not a date; expected YYYY-MM-DD")
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
        settings=tuple(settings or ()),
        fmt=fmt,
        out_file=out_file,
    )


export_app = typer.Typer(help="Open data exports of the programme.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("indigo")
def export_indigo(
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write")] = Path("indigo"),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")
    ] = None,
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
) -> None:
    """The programme in the INDIGO impact bond data standard (aggregate, open data)."""
    day = parse_as_of(as_of) if as_of else dt.date.today()
    _run().export_indigo(out_dir=out_dir, day=day, programme=programme)


app.add_typer(sufficiency_app, name="sufficiency")
app.add_typer(retention_app, name="retention")


@app.command()
def explain(
    referral_id: Annotated[str, typer.Argument()],
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
    programme: Annotated[
        str | None,
        typer.Option("--programme", help="programme code (needed when there are several)"),
    ] = None,
) -> None:
    """The lines behind one referral's weeks, payments and savings."""
    day = parse_as_of(as_of)
    _run().explain(referral_id=referral_id, day=day, programme=programme)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
