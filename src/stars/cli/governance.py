"""`stars retention ...`: the retention schedule's review (and disposal).

The subcommands are declared here; what they do is in ``stars.cli.governance_run``,
imported once Django is set up (as ``stars.cli`` does for the top-level commands)."""

from __future__ import annotations

from types import ModuleType

import click

from stars.cli.console import as_of as parse_as_of
from stars.cli.console import setup


def _run(migrate: bool = True) -> ModuleType:
    """Set Django up, then import the command bodies (they import models at module level)."""
    setup(migrate=migrate)
    from stars.cli import governance_run

    return governance_run


@click.group()
def retention_app() -> None:
    """The retention schedule (config/retention.toml): what is due, and its disposal."""


PROGRAMME = click.option(
    "--programme", default=None, help="programme code (needed when there are several)"
)
BY = click.option("--by", required=True, help="username of the administrator doing this (audited)")
AS_OF = click.option("--as-of", "as_of", default=None, help="YYYY-MM-DD (default: today)")
# DISPOSAL: the disposal's number
DISPOSAL = click.argument("disposal", type=int)


@retention_app.command("review")
@AS_OF
@PROGRAMME
def review(as_of: str | None, programme: str | None) -> None:
    """List what the retention schedule makes due for disposal, with counts per kind."""
    day = parse_as_of(as_of) if as_of else None
    _run().retention_review(day=day, programme=programme)


@retention_app.command("dispose")
@click.argument("kind")
@BY
@AS_OF
@PROGRAMME
def dispose(kind: str, by: str, as_of: str | None, programme: str | None) -> None:
    """Ask for the disposal of every record of KIND (as config/retention.toml names it) due:
    a second administrator approves it (`stars retention approve`, or the Disposals page)."""
    day = parse_as_of(as_of) if as_of else None
    _run().retention_dispose(kind=kind, by=by, day=day, programme=programme)


@retention_app.command("approve")
@DISPOSAL
@BY
@PROGRAMME
def approve(disposal: int, by: str, programme: str | None) -> None:
    """Approve a disposal (its number) another administrator asked for: the records are
    disposed of."""
    _run().retention_decide(disposal=disposal, by=by, programme=programme, action="approve")


@retention_app.command("withdraw")
@DISPOSAL
@BY
@PROGRAMME
def withdraw(disposal: int, by: str, programme: str | None) -> None:
    """Withdraw a disposal (its number) awaiting approval."""
    _run().retention_decide(disposal=disposal, by=by, programme=programme, action="withdraw")


@retention_app.command("disposals")
@PROGRAMME
def disposals(programme: str | None) -> None:
    """List the disposals of the programme: those awaiting approval, and the certificates."""
    _run().retention_disposals(programme=programme)
