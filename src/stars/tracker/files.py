"""Tracker files in and out: read, check, import all or nothing; export the four files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from stars.core.audit import record_access
from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.text_files import NotText, as_utf8, decode
from stars.domain.tracker.checks import MAX_PROBLEMS, Problem
from stars.domain.tracker.parsing import TrackerFile, parse_tracker
from stars.domain.tracker.rows import write_tracker
from stars.partnership.selectors import NoContract, contract_row, programme_codes
from stars.partnership.services import contract_councils_check
from stars.tracker.importer import ImportSummary, tracker_import
from stars.tracker.selectors import programme_frames


class TrackerRejected(Exception):
    """The files were not imported; ``lines`` say why, each naming file, line and column."""

    def __init__(self, headline: str, lines: list[str]) -> None:
        self.headline = headline
        self.lines = lines
        super().__init__(headline)


def _bytes(path: Path, expected: str) -> bytes:
    """A file's bytes; anything that stops it being read is one line naming the file."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise TrackerRejected(f"{path}: no such file; nothing was imported", []) from exc
    except IsADirectoryError as exc:
        raise TrackerRejected(
            f"{path}: is a directory, expected {expected}; nothing was imported", []
        ) from exc
    except PermissionError as exc:
        raise TrackerRejected(
            f"{path}: cannot be read (permission denied); nothing was imported", []
        ) from exc


def _read_contract(path: Path) -> str:
    """A contract's text: TOML is UTF-8 (a byte that is not is one line naming it)."""
    try:
        return decode(str(path), _bytes(path, "a contract TOML file"), csv_file=False)
    except NotText as exc:
        raise TrackerRejected(f"{exc}; nothing was imported", []) from exc


def _read_csv(path: Path) -> tuple[str, Problem | None]:
    """A tracker CSV's text, read as the SSDA903 returns are (``as_utf8``: UTF-8 with or
    without a byte-order mark, UTF-16 with one, else Windows-1252, what Excel on Windows
    saves as "CSV"), and a warning naming the file when it was not UTF-8."""
    try:
        read = as_utf8(str(path), _bytes(path, "a CSV file"))
    except NotText as exc:
        raise TrackerRejected(f"{exc}; nothing was imported", []) from exc
    note = Problem(str(path), 1, "", read.note, warning=True) if read.converted else None
    return read.data.decode("utf-8"), note


def import_files(
    *,
    contract: Path,
    enquiries: Path,
    referrals: Path,
    periods: Path,
    by: Any = None,
    console: Console | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    programme: str | None = None,
    may_add_programme: bool = False,
) -> tuple[ImportSummary, list[Problem]]:
    """Check the files against the contract, then import them in one transaction.

    ``on_progress(stage, done, total)`` is told how the import goes (a terminal's bar is
    ``console``; a page's is ``on_progress``). ``programme``: the code of the programme
    the tracker must be for (a page's upload: the programme the user works in); a contract
    naming another is refused (with ``""``, the user works in none: any held programme is
    refused), unless ``may_add_programme`` (an administrator's upload) and
    the service does not hold that programme yet: the import then makes it."""
    contract_text = _read_contract(contract)
    try:
        terms = parse_contract(contract_text, str(contract))
        contract_councils_check(terms, contract_text, str(contract))
    except ContractError as exc:
        raise TrackerRejected(f"{exc}; nothing was imported", []) from exc
    if programme is not None and terms.programme_code != programme.lower():
        held = terms.programme_code in programme_codes()
        if held or not may_add_programme:
            if not programme:
                worked = "you work in none of the service's programmes"
                then = "ask an administrator to add you to it" if held else ""
            else:
                worked = f"not {programme!r}, the one you are working in"
                then = "switch to it (beside your name) and upload it again" if held else ""
            then = then or "only an administrator can add a programme"
            raise TrackerRejected(
                f"{contract}: programme.code: the contract is for the programme "
                f"{terms.programme_code!r}, {worked}; nothing was imported: {then}",
                [],
            )
    read = [(p, *_read_csv(p)) for p in (enquiries, referrals, periods)]
    notes = [note for _, _, note in read if note is not None]
    parsed = parse_tracker(terms, *(TrackerFile(str(p), text) for p, text, _ in read))
    if parsed.errors:
        lines = [str(p) for p in parsed.errors]
        if parsed.more_errors:
            lines.append(
                f"... and {parsed.more_errors} more problems (the first {MAX_PROBLEMS} shown)"
            )
        n = len(parsed.errors) + parsed.more_errors
        raise TrackerRejected(
            f"{n} problem{'s' if n != 1 else ''} found; nothing was imported. "
            "Correct the files and import again.",
            lines,
        )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
        disable=console is None,
    )
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(stage, done, total)
        if stage not in tasks:
            tasks[stage] = progress.add_task(f"Importing {stage}", total=max(total, 1))
        progress.update(tasks[stage], completed=done, total=max(total, 1))

    try:
        with progress:
            summary = tracker_import(
                contract_text=contract_text,
                contract_source=str(contract),
                enquiries=parsed.enquiries,
                referrals=parsed.referrals,
                periods=parsed.periods,
                by=by,
                progress=report,
            )
    except ContractError as exc:  # what the contract says against the records (its councils)
        raise TrackerRejected(f"{exc}; nothing was imported", []) from exc

    record_access(
        user=by,
        action="import",
        object_type="tracker",
        detail=f"{parsed.rows} rows from {enquiries.name}, {referrals.name}, {periods.name}",
    )
    return summary, [*notes, *parsed.warnings]


def export_files(*, out_dir: Path, by: Any = None) -> list[Path]:
    """Write the contract and the three tracker CSVs of the programme worked in."""
    try:
        row = contract_row()
    except NoContract as exc:
        raise TrackerRejected(f"{exc}: nothing to export", []) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "contract.toml"]
    written[0].write_text(row.terms, encoding="utf-8")
    enquiries, referrals, periods = programme_frames(None, restricted=False)
    files = write_tracker(  # in id order, whatever order the database keeps rows in
        enquiries.sort("enquiry_id"),
        referrals.sort("referral_id"),
        periods.sort("referral_id", "start_date"),
    )
    for name, text in files.items():
        path = out_dir / name
        # the interchange format, read by other tools as plain UTF-8 (docs/tracker-format.md):
        # no byte-order mark, unlike the CSVs people open in a spreadsheet (decision 0011)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    record_access(user=by, action="export", object_type="tracker", detail=str(out_dir))
    return written
