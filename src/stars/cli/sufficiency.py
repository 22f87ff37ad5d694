"""`stars sufficiency ...`: load and validate a council's SSDA903 returns.

The subcommands are declared here; what they do is in ``stars.cli.sufficiency_run``,
imported once Django is set up (as ``stars.cli`` does for the top-level commands)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from stars.cli.console import setup


def _run(migrate: bool = True) -> ModuleType:
    """Set Django up, then import the command bodies (they import models at module level)."""
    setup(migrate=migrate)
    from stars.cli import sufficiency_run

    return sufficiency_run


app = typer.Typer(help="Placement sufficiency: a council's SSDA903 returns.", no_args_is_help=True)


@app.command("import")
def import_returns(
    folder: Annotated[Path, typer.Argument(help="DIR holding YEAR/header.csv, YEAR/episodes.csv")],
    council: Annotated[str, typer.Option("--council", help="the council's code, e.g. derby")],
    replace_with_empty: Annotated[
        bool,
        typer.Option(
            "--replace-with-empty",
            help="accept an episodes file with no episodes: its year is left with none",
        ),
    ] = False,
) -> None:
    """Load a council's SSDA903 returns, all or nothing (re-importing a year replaces it)."""
    _run().import_returns(folder=folder, council=council, replace_with_empty=replace_with_empty)


@app.command("validate")
def validate_returns(
    folder: Annotated[Path, typer.Argument(help="DIR holding YEAR/header.csv, YEAR/episodes.csv")],
    council: Annotated[
        str | None, typer.Option("--council", help="council code; its ONS code is in the config")
    ] = None,
    la: Annotated[
        str | None, typer.Option("--la", help="the council's ONS code, e.g. E06000015")
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option("--year", help="only this collection year (repeatable)")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--out", help="write every finding to this CSV file")
    ] = None,
    show: Annotated[int, typer.Option(help="findings to list on screen")] = 30,
) -> None:
    """Run DfE's full SSDA903 rule set (csc-validator-be-903) on the returns, in its own
    environment; list what it finds by file, line and column. Exit 1 if it finds anything."""
    _run(migrate=False).validate_returns(
        folder=folder, council=council, la=la, year=year, csv_out=csv_out, show=show
    )
