"""`stars retention ...`: the retention schedule's review (and disposal).

The subcommands are declared here; what they do is in ``stars.cli.governance_run``,
imported once Django is set up (as ``stars.cli`` does for the top-level commands)."""

from __future__ import annotations

from types import ModuleType
from typing import Annotated

import typer

from stars.cli.console import as_of as parse_as_of
from stars.cli.console import setup


def _run(migrate: bool = True) -> ModuleType:
    """Set Django up, then import the command bodies (they import models at module level)."""
    setup(migrate=migrate)
    from stars.cli import governance_run

    return governance_run


retention_app = typer.Typer(
    help="The retention schedule (config/retention.toml): what is due, and its disposal.",
    no_args_is_help=True,
)


Programme = Annotated[
    str | None,
    typer.Option("--programme", help="programme code (needed when there are several)"),
]
By = Annotated[str, typer.Option("--by", help="username of the administrator doing this (audited)")]


@retention_app.command("review")
def review(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")
    ] = None,
    programme: Programme = None,
) -> None:
    """List what the retention schedule makes due for disposal, with counts per kind."""
    day = parse_as_of(as_of) if as_of else None
    _run().retention_review(day=day, programme=programme)


@retention_app.command("dispose")
def dispose(
    kind: Annotated[str, typer.Argument(help="the kind of record, as config/retention.toml")],
    by: By,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")
    ] = None,
    programme: Programme = None,
) -> None:
    """Ask for the disposal of every record of KIND due: a second administrator approves it
    (`stars retention approve`, or the Disposals page)."""
    day = parse_as_of(as_of) if as_of else None
    _run().retention_dispose(kind=kind, by=by, day=day, programme=programme)


@retention_app.command("approve")
def approve(
    disposal: Annotated[int, typer.Argument(help="the disposal's number")],
    by: By,
    programme: Programme = None,
) -> None:
    """Approve a disposal another administrator asked for: the records are disposed of."""
    _run().retention_decide(disposal=disposal, by=by, programme=programme, action="approve")


@retention_app.command("withdraw")
def withdraw(
    disposal: Annotated[int, typer.Argument(help="the disposal's number")],
    by: By,
    programme: Programme = None,
) -> None:
    """Withdraw a disposal awaiting approval."""
    _run().retention_decide(disposal=disposal, by=by, programme=programme, action="withdraw")


@retention_app.command("disposals")
def disposals(programme: Programme = None) -> None:
    """List the disposals of the programme: those awaiting approval, and the certificates."""
    _run().retention_disposals(programme=programme)
