"""The `stars` command: every subcommand calls the same services as the pages.

Each subcommand brings the database schema up to date first, so it works on an empty
database (SQLite by default, or whatever ``DATABASE_URL`` names).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from stars.domain.calendar import parse_date

app = typer.Typer(
    help="STARS: outcomes-based children's services programmes.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
out = Console()


def setup(migrate: bool = True) -> None:
    """Configure Django and bring the schema up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8000,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
) -> None:
    """Serve the web app (development server; production uses stars.core.wsgi)."""
    setup()
    from django.core.management import call_command

    out.print(f"STARS is at http://{host}:{port}/  (Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


@app.command()
def demo(
    contract: Annotated[
        Path | None, typer.Option(help="contract TOML (default: contracts/dn2-stars.toml)")
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed of the synthetic programme")] = 2020,
) -> None:
    """Reset the database and load the synthetic demo programme and one user per role."""
    setup()
    from django.conf import settings

    if settings.PRODUCTION:
        fail("`stars demo` erases the database; it is refused when STARS_ENV=production")
    from stars.core.demo import demo_load

    path = contract or settings.STARS_DEFAULT_CONTRACT
    users = demo_load(contract_path=Path(path), seed=seed, console=console)
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
) -> None:
    """Create a user with a role (and a council for council roles)."""
    setup()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from stars.partnership.services import UserError, user_create

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        validate_password(password)
        user = user_create(username=username, role=role, council=council, password=password)
    except ValidationError as exc:
        fail("password: " + " ".join(exc.messages))
    except UserError as exc:
        fail(str(exc))
    out.print(f"created {user.username} ({user.role}{', ' + council if council else ''})")


@app.command()
def check() -> None:
    """Run Django's deployment checks (clean when STARS_ENV=production is set up right)."""
    setup()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as exc:
        console.print(str(exc))
        raise typer.Exit(1) from exc
    out.print("deployment checks passed")


@app.command("import-tracker")
def import_tracker(
    contract: Annotated[Path, typer.Option(help="contract TOML (tracker-format.md)")],
    enquiries: Annotated[Path, typer.Option(help="enquiries.csv")],
    referrals: Annotated[Path, typer.Option(help="referrals.csv")],
    periods: Annotated[Path, typer.Option(help="outcome_periods.csv")],
) -> None:
    """Import a tracker, all or nothing; re-importing updates records by id."""
    setup()
    from stars.referrals.tracker_io import TrackerRejected, import_files

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


@app.command("export-tracker")
def export_tracker(
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write the four files to")],
) -> None:
    """Write contract.toml, enquiries.csv, referrals.csv and outcome_periods.csv."""
    setup()
    from stars.referrals.tracker_io import TrackerRejected, export_files

    try:
        written = export_files(out_dir=out_dir)
    except TrackerRejected as exc:
        fail(exc.headline)
    for path in written:
        out.print(f"wrote {path}")


report_app = typer.Typer(help="Reports computed from the records.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _as_of(value: str) -> dt.date:
    day = parse_date(value)
    if day is None:
        fail(f"--as-of {value!r} is not a date; expected YYYY-MM-DD")
        raise AssertionError("unreachable: fail() exits")
    return day


@report_app.command("evaluation")
def report_evaluation(
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
    fmt: Annotated[str, typer.Option("--format", help="json, xlsx or html")] = "json",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
) -> None:
    """The evaluation report of tracker-format.md, as of a date."""
    day = _as_of(as_of)
    setup()
    from stars.reports.services import evaluation_document

    if fmt not in ("json", "xlsx", "html"):
        fail(f"--format {fmt!r}: expected json, xlsx or html")
    data = evaluation_document(fmt=fmt, as_of=day)
    if out_file is None and fmt == "xlsx":
        fail("an XLSX workbook needs --out FILE")
    if out_file is None:
        sys.stdout.write(data if isinstance(data, str) else data.decode())
        sys.stdout.write("\n")
        return
    if isinstance(data, str):
        out_file.write_text(data, encoding="utf-8")
    else:
        out_file.write_bytes(data)
    out.print(f"wrote {out_file}")


@report_app.command("board")
def report_board(
    quarter: Annotated[
        str | None, typer.Option("--quarter", help='e.g. "Q3 2024-25" (default: the last ended)')
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf, xlsx or html")] = "pdf",
    out_file: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
) -> None:
    """The strategic board's report card for a quarter (the whole programme)."""
    from stars.domain.calendar import QuarterError, last_complete, parse_quarter

    try:
        q = parse_quarter(quarter) if quarter else last_complete(dt.date.today())
    except QuarterError as exc:
        fail(f"--quarter: {exc}")
        raise
    if fmt not in ("pdf", "xlsx", "html"):
        fail(f"--format {fmt!r}: expected pdf, xlsx or html")
    setup()
    from stars.partnership.selectors import contract_or_none
    from stars.reports.card import card_context, card_html, card_pdf, card_xlsx

    if contract_or_none() is None:
        fail("no contract is loaded: import a tracker first")
    context = card_context(scope=None, quarter=q, suppressed=False)
    target = out_file or Path(f"board-report-card-{q.label.replace(' ', '-')}.{fmt}")
    if fmt == "html":
        target.write_text(card_html(context), encoding="utf-8")
    else:
        target.write_bytes(card_pdf(context) if fmt == "pdf" else card_xlsx(context))
    out.print(f"wrote {target}")


export_app = typer.Typer(help="Open data exports of the programme.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("indigo")
def export_indigo(
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write")] = Path("indigo"),
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")
    ] = None,
) -> None:
    """The programme in the INDIGO impact bond data standard (aggregate, open data)."""
    day = _as_of(as_of) if as_of else dt.date.today()
    setup()
    from stars.partnership.selectors import contract_or_none
    from stars.reports.indigo import write_indigo

    if contract_or_none() is None:
        fail("no contract is loaded: import a tracker first")
    for path in write_indigo(out_dir=out_dir, as_of=day):
        out.print(f"wrote {path}")


def _sufficiency() -> None:
    from stars.sufficiency.cli import app as sufficiency_app

    app.add_typer(sufficiency_app, name="sufficiency")


_sufficiency()


@app.command()
def explain(
    referral_id: Annotated[str, typer.Argument()],
    as_of: Annotated[str, typer.Option("--as-of", help="YYYY-MM-DD")],
) -> None:
    """The lines behind one referral's weeks, payments and savings."""
    day = _as_of(as_of)
    setup()
    from stars.referrals.models import Referral
    from stars.reports.explain import explanation_for, explanation_text

    referral = Referral.objects.filter(referral_id=referral_id).first()
    if referral is None:
        fail(f"no referral {referral_id!r}")
    out.print(explanation_text(explanation_for(referral, day)), highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
