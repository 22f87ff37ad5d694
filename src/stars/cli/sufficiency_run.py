"""What the `stars sufficiency` commands do, once Django is set up (imported only after
:func:`stars.cli.console.setup`, so models and services are imported at module level)."""

from __future__ import annotations

from pathlib import Path

import click
from django.conf import settings
from django.db.models import QuerySet
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from stars.cli.console import fail
from stars.cli.programme import within
from stars.cli.terminal import console, out
from stars.core.programmes import programme_active
from stars.core.templatetags.stars_format import count
from stars.partnership.models import Council
from stars.partnership.selectors import NO_PROGRAMME, council_named, programme_councils
from stars.sufficiency import validator
from stars.sufficiency.config import ConfigError, load_config
from stars.sufficiency.services import (
    ReturnsRejected,
    check_returns,
    return_files,
    returns_import,
)


def import_returns(
    *, folder: Path, council: str, replace_with_empty: bool, programme: str | None
) -> None:
    if programme is not None:
        within(programme)  # refused when unknown, listing the programmes
    chosen = programme_active() if programme is not None else None
    councils = programme_councils(Council.objects.all())
    la = council_named(council, councils)
    if la is None:
        fail(_no_such_council(council, councils, chosen.code if chosen else None))
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
                replace_with_empty=replace_with_empty,
            )
    except ReturnsRejected as exc:
        for line in exc.lines:
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        fail(exc.headline, code=1)
        return
    years = ", ".join(str(y) for y in done.years)
    out.print(
        f"imported {la.name}: collection years {years}; {count(done.children)} children, "
        f"{count(done.episodes)} episodes",
        highlight=False,
    )
    for note in done.notes:  # a line each, as the problems are
        out.print(f"note: {note}", highlight=False, soft_wrap=True, markup=False)


def _no_such_council(code: str, councils: QuerySet[Council], programme: str | None) -> str:
    """Why ``--council`` names none of ``councils``: those of ``programme`` (its code) when
    one was named, else every council."""
    known = ", ".join(councils.order_by("code").values_list("code", flat=True))
    where = f" in programme {programme!r}" if programme is not None else ""
    if known:
        return f"--council {code!r}: no such council{where}; expected one of {known}"
    if programme is not None:
        return (
            f"--council {code!r}: programme {programme!r} has no councils; "
            "its contract names them (import its tracker with `stars import-tracker`)"
        )
    return f"--council {code!r}: no such council: {NO_PROGRAMME}"


def validate_returns(
    *,
    folder: Path,
    council: str | None,
    la: str | None,
    year: list[int] | None,
    csv_out: Path | None,
    show: int,
) -> None:
    if la is None:
        if council is None:
            fail("give --council CODE (its ONS code from the configuration) or --la ONS_CODE")
            return
        try:
            config = load_config(settings.STARS_SUFFICIENCY_CONFIG)
        except ConfigError as exc:
            fail(str(exc))
            return
        la = config.of_council(council).ons_code
        if la is None:
            fail(
                f"--council {council!r}: no ONS code in {settings.STARS_SUFFICIENCY_CONFIG} "
                f"[local_authority]; add one or give --la"
            )
            return
    try:
        files = return_files(folder)
    except ReturnsRejected as exc:
        for line in exc.lines:
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        fail(exc.headline.replace("nothing was imported", "nothing was validated"))
        return
    try:
        _, notes = check_returns(folder)  # what the import would refuse, before DfE's rules
    except ReturnsRejected as exc:
        for line in exc.lines:
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        fail(exc.headline, code=1)
        return
    for note in notes:  # how files were read (an encoding, a separator): as DfE's rules read them
        out.print(f"note: {note}", highlight=False, soft_wrap=True, markup=False)
    pairs: dict[int, dict[str, Path]] = {}
    for f in files:
        pairs.setdefault(f.year, {})[f.kind] = f.path
    years = sorted(pairs)
    if year:
        unknown = sorted(set(year) - set(years))
        if unknown:
            fail(f"--year {unknown[0]}: no such year in {folder}; it holds {years[0]}-{years[-1]}")
            return
        years = sorted(set(year))
    try:
        python = validator.ensure_environment(
            settings.STARS_VALIDATOR_903, lambda m: console.print(m, highlight=False)
        )
    except validator.ValidatorUnavailable as exc:
        fail(str(exc))
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )
    bars: dict[int, TaskID] = {}

    def follow(y: int, i: int, n: int) -> None:
        if y not in bars:
            bars[y] = progress.add_task(f"Rules of {y}", total=None)
        progress.update(bars[y], completed=i, total=n)

    def year_done(result: validator.YearResult) -> None:
        if result.year in bars:
            progress.remove_task(bars[result.year])
        note = f"; {result.note}" if result.note else ""
        failed = f", {len(result.rules_failed)} could not run" if result.rules_failed else ""
        out.print(
            f"{result.year}: rules {result.ruleset}: {result.rules_run} run, "
            f"{result.rules_skipped} not applicable to these files{failed}{note}: "
            f"{len(result.findings):,} finding{'s' if len(result.findings) != 1 else ''}",
            highlight=False,
            soft_wrap=True,
        )
        for code, n, message in validator.summary(result.findings):
            out.print(f"  rule {code:<6} {n:>6,}  {message}", highlight=False, soft_wrap=True)

    try:
        with progress:
            findings = validator.validate_years(
                python, files=files, la=la, years=years, progress=follow, year_done=year_done
            )
    except validator.ValidatorUnavailable as exc:
        fail(str(exc))
        return
    for f in findings[:show]:
        out.print(
            f.describe() + (f" (child {f.child})" if f.child else ""),
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    if len(findings) > show:
        out.print(
            f"... and {len(findings) - show:,} more (--out FILE.csv writes them all)",
            highlight=False,
        )
    if csv_out:
        validator.write_csv(csv_out, findings)
        out.print(f"wrote {len(findings):,} findings to {csv_out}", highlight=False)
    if findings:
        raise click.exceptions.Exit(1)
    out.print("no findings: the returns pass every rule that applies", highlight=False)
