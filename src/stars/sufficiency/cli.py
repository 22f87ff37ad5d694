"""`stars sufficiency ...`: load a council's SSDA903 returns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

app = typer.Typer(help="Placement sufficiency: a council's SSDA903 returns.", no_args_is_help=True)


@app.command("import")
def import_returns(
    folder: Annotated[Path, typer.Argument(help="DIR holding YEAR/header.csv, YEAR/episodes.csv")],
    council: Annotated[str, typer.Option("--council", help="the council's code, e.g. derby")],
) -> None:
    """Load a council's SSDA903 returns, all or nothing (re-importing a year replaces it)."""
    from stars.cli import console, fail, out, setup

    setup()
    from stars.partnership.models import Council
    from stars.sufficiency.services import ReturnsRejected, returns_import

    la = Council.objects.filter(code=council.lower()).first()
    if la is None:
        known = ", ".join(Council.objects.order_by("code").values_list("code", flat=True))
        fail(f"--council {council!r}: no such council; expected one of {known or 'none loaded'}")
        return
    progress = Progress(
        TextColumn("Checking returns"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task("check", total=None)
    try:
        with progress:
            done = returns_import(
                council=la,
                folder=folder,
                progress=lambda i, n: progress.update(task, completed=i, total=n),
            )
    except ReturnsRejected as exc:
        for line in exc.lines:
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        fail(exc.headline, code=1)
        return
    years = ", ".join(str(y) for y in done.years)
    out.print(
        f"imported {la.name}: collection years {years}; {done.children} children, "
        f"{done.episodes} episodes",
        highlight=False,
    )
    for note in done.notes:
        out.print(f"note: {note}", highlight=False)
