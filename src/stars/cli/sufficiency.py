"""`stars sufficiency ...`: load and validate a council's SSDA903 returns.

The subcommands are declared here; what they do is in ``stars.cli.sufficiency_run``,
imported once Django is set up (as ``stars.cli`` does for the top-level commands)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import click

from stars.cli.console import setup


def _run(migrate: bool = True) -> ModuleType:
    """Set Django up, then import the command bodies (they import models at module level)."""
    setup(migrate=migrate)
    from stars.cli import sufficiency_run

    return sufficiency_run


@click.group()
def app() -> None:
    """Placement sufficiency: a council's SSDA903 returns."""


# FOLDER: a directory holding YEAR/header.csv and YEAR/episodes.csv
FOLDER = click.argument("folder", type=click.Path(path_type=Path))


@app.command("import")
@FOLDER
@click.option("--council", required=True, help="the council's code, e.g. derby")
@click.option(
    "--replace-with-empty",
    is_flag=True,
    help="accept an episodes file with no episodes: its year is left with none",
)
@click.option(
    "--programme",
    default=None,
    help="programme code: the council is one of its councils (default: any council)",
)
def import_returns(
    folder: Path, council: str, replace_with_empty: bool, programme: str | None
) -> None:
    """Load a council's SSDA903 returns from FOLDER (YEAR/header.csv, YEAR/episodes.csv), all
    or nothing (re-importing a year replaces it)."""
    _run().import_returns(
        folder=folder, council=council, replace_with_empty=replace_with_empty, programme=programme
    )


@app.command("validate")
@FOLDER
@click.option("--council", default=None, help="council code; its ONS code is in the config")
@click.option("--la", default=None, help="the council's ONS code, e.g. E06000015")
@click.option("--year", type=int, multiple=True, help="only this collection year (repeatable)")
@click.option(
    "--out",
    "csv_out",
    type=click.Path(path_type=Path),
    default=None,
    help="write every finding to this CSV file",
)
@click.option("--show", type=int, default=30, show_default=True, help="findings to list on screen")
def validate_returns(
    folder: Path,
    council: str | None,
    la: str | None,
    year: tuple[int, ...],
    csv_out: Path | None,
    show: int,
) -> None:
    """Run DfE's full SSDA903 rule set (csc-validator-be-903) on the returns in FOLDER
    (YEAR/header.csv, YEAR/episodes.csv), in its own environment; list what it finds by
    file, line and column. Exit 1 if it finds anything."""
    _run(migrate=False).validate_returns(
        folder=folder, council=council, la=la, year=list(year) or None, csv_out=csv_out, show=show
    )
