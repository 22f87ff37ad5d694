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
    help="The retention schedule (config/retention.toml): what is due for disposal.",
    no_args_is_help=True,
)


@retention_app.command("review")
def review(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default: today)")
    ] = None,
) -> None:
    """List what the retention schedule makes due for disposal, with counts per kind."""
    day = parse_as_of(as_of) if as_of else None
    _run().retention_review(day=day)
