"""Import a council's SSDA903 returns (all or nothing) and compute its dashboard figures."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from stars import give_large_blocks_back
from stars.core.audit import record_access
from stars.domain.sufficiency.ssda903 import (
    Columns,
    Kind,
    MergedReturns,
    ParsedFile,
    ValidationError,
    check_born_before_episodes,
    check_children_in_header,
    compact,
    merge_returns,
    numbered_children,
    parse_episodes,
    parse_header,
    read_stored,
    stored_rows,
    year_not_begun,
)
from stars.domain.text_files import NotText, Utf8, as_utf8
from stars.partnership.models import Council
from stars.sufficiency.models import ReturnKind, SufficiencyReturn

YEAR_DIR = re.compile(r"^(\d{4})$")
MAX_LISTED = 200


class ReturnsRejected(Exception):
    """Nothing was imported; ``lines`` name file, line and column of every problem."""

    def __init__(self, headline: str, lines: list[str]) -> None:
        self.headline, self.lines = headline, lines
        super().__init__(headline)


@dataclass(frozen=True)
class ImportedReturns:
    years: tuple[int, ...]
    children: int
    episodes: int
    notes: tuple[str, ...]


#: what spreadsheets save a workbook as: the returns are read as CSV, so each is named
#: with how to save it as one (``workbook_advice``)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def workbook_advice(kind: str) -> str:
    """What to do with a return kept as a workbook (``header.xlsx``): the problem's text
    after the file's name, for the import of a folder and of an uploaded archive alike."""
    return (
        "a spreadsheet workbook, not CSV; the returns are read as CSV: open it and save its "
        f"sheet as {SAVED_AS_CSV} named {kind}.csv in its place"
    )


SAVED_AS_CSV = 'CSV UTF-8 (in Excel, File > Save As > "CSV UTF-8 (Comma delimited)")'


def tables_workbook_advice(kinds: list[str]) -> str:
    """What to do with a year's return kept as one workbook of its tables, a sheet each
    (``SSDA903 2024.xlsx``), where the year's ``kinds`` files are missing: the problem's
    text after the file's name."""
    files = " and ".join(f"{k}.csv" for k in kinds)
    sheets = " and ".join(kinds)
    return (
        f"a spreadsheet workbook, not CSV, in a year with no {files}; the returns are read "
        f"as CSV: open it and save its {sheets} sheet{'s' if len(kinds) > 1 else ''}, each as "
        f"{SAVED_AS_CSV}, named {files} in this folder"
    )


def _tables_workbooks(year: Path) -> list[Path]:
    """The workbooks of a year's folder other than one standing for its header or episodes
    (``header.xlsx``): a workbook of the return's tables, a sheet each, as some councils keep
    it. A spreadsheet's lock file beside an open workbook (``~$...``) is not one."""
    return sorted(
        p for p in year.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES
        and p.stem.lower() not in ("header", "episodes")
        and not p.name.startswith(("~$", "."))
    )  # fmt: skip


def return_files(folder: Path) -> list[tuple[int, str, Path]]:
    """(collection year, kind, path) of every return file under ``folder``/YEAR/."""
    if folder.is_file():
        raise ReturnsRejected(
            f"{folder}: is a file, expected a directory holding YEAR/header.csv and "
            "YEAR/episodes.csv; nothing was imported",
            [],
        )
    if not folder.is_dir():
        raise ReturnsRejected(f"{folder}: no such directory; nothing was imported", [])
    found: list[tuple[int, str, Path]] = []
    problems: list[str] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        m = YEAR_DIR.match(sub.name)
        # a file's name in any case (Header.csv, EPISODES.CSV), as the upload's archive reads
        named = {kind: sorted(p for p in sub.iterdir() if p.name.lower() == f"{kind}.csv")
                 for kind in ("header", "episodes")}  # fmt: skip
        if not m:
            if any(named.values()):
                problems.append(
                    f"{sub}: holds returns but is not named by a collection year; expected "
                    "the year it ends in four digits, e.g. 2025 for 2024-25"
                )
            continue
        missing: list[str] = []  # the year's files neither there nor kept as a workbook
        for kind, paths in named.items():
            if len(paths) > 1:
                problems.append(
                    f"{sub}: holds {' and '.join(p.name for p in paths)}; expected one "
                    f"{kind}.csv for {sub.name}"
                )
            elif paths and paths[0].is_file():
                found.append((int(m.group(1)), kind, paths[0]))
            elif paths:
                problems.append(f"{paths[0]}: is a directory, expected {kind}.csv")
            else:
                workbooks = sorted(
                    p for p in sub.iterdir()
                    if p.stem.lower() == kind and p.suffix.lower() in WORKBOOK_SUFFIXES
                )  # fmt: skip
                problems.extend(f"{p}: {workbook_advice(kind)}" for p in workbooks)
                if not workbooks:
                    missing.append(kind)
        books = _tables_workbooks(sub) if missing else []
        # a year kept as one workbook of its tables is named, not its files said to be missing
        problems.extend(f"{p}: {tables_workbook_advice(missing)}" for p in books)
        if not books:
            problems.extend(
                f"{sub / f'{kind}.csv'}: missing; expected the {kind} file of {sub.name}"
                for kind in missing
            )
    if not found and not problems:
        problems.append(
            f"{folder}: no YEAR/header.csv and YEAR/episodes.csv found (e.g. 2020/header.csv "
            "for the collection year ending 31 March 2020)"
        )
    if problems:
        raise ReturnsRejected(
            "the returns are incomplete; nothing was imported", problems_listed(problems)
        )
    return found


def unread_files(folder: Path) -> list[str]:
    """Notes naming the CSV files and workbooks of ``folder``/YEAR/ other than the year's
    header and episodes (DfE's other tables of the return, such as UASC, reviews or OC2, as
    a council's return folder holds them, or a workbook of its tables beside the CSV files):
    they are left as they are, not read."""
    return [
        f"{sub.name}/{p.name}: not read (of each year's return, only header.csv and "
        "episodes.csv are read)"
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and YEAR_DIR.match(p.name))
        for p in sorted(sub.iterdir())
        if p.is_file()
        and p.suffix.lower() in (".csv", *WORKBOOK_SUFFIXES)
        and p.name.lower() not in ("header.csv", "episodes.csv")
        and not p.name.startswith(("~$", "."))
    ]


def _line(e: ValidationError) -> str:
    column = f" column {e.column}:" if e.column else ""
    return f"{e.file}:{e.line}:{column} {e.message}"


# the import reports counts and notes only: what merging the years reads of each file
# (and the placement group, to say how many placements have no provider recorded)
MERGE_COLUMNS = Columns(
    episodes=("CHILD", "DECOM", "DEC", "GROUP", "YEAR"), headers=("CHILD", "YEAR")
)

# year, kind, file name, rows, the rows as checked (``stored_rows``), text, SHA-256
StoreFile = Callable[[int, str, str, int, bytes, str, str], None]


def _read_return(name: str, path: Path) -> Utf8:
    """The file's bytes as UTF-8, a byte-order mark dropped (``as_utf8``: UTF-8 checked and
    kept as it is; UTF-16 or Windows-1252 decoded, the only copy then made), or
    ``NotText``: its text is ``bytes.decode()`` of them, made when it is stored (not held
    beside them)."""
    return as_utf8(name, path.read_bytes())


def _encoding_note(name: str, read: Utf8) -> list[str]:
    return [f"{name}: {read.note}"] if read.converted else []


def problems_listed(problems: list[str]) -> list[str]:
    """The problems a refusal lists: the first ``MAX_LISTED``, then how many more, so an
    archive or a return of many thousand faults is refused in a page one can read (and
    kept so), not with every one of them."""
    n = len(problems)
    shown = problems[:MAX_LISTED]
    if n > MAX_LISTED:
        shown.append(f"... and {n - MAX_LISTED} more problems")
    return shown


def _too_many(problems: list[str]) -> ReturnsRejected:
    n = len(problems)
    return ReturnsRejected(
        f"{n} problem{'s' if n != 1 else ''} found; nothing was imported. Correct the "
        "files and import again.",
        problems_listed(problems),
    )


def load_folder(
    folder: Path,
    store: StoreFile,
    progress: Callable[[int, int], None] | None = None,
    *,
    today: date | None = None,
    replace_with_empty: bool = False,
) -> tuple[list[int], list[str]]:
    """Read, check and ``store`` the returns a year at a time; the years, and notes on how
    files were read where they differ from DfE's layout (an encoding other than UTF-8,
    columns separated otherwise than by commas, codes in lower case, a year's CSV files
    other than its header and episodes left unread: ``unread_files``); raise
    ``ReturnsRejected`` listing every problem of every file.

    No date may be after ``today``, the day of import (by default today in the service's
    time zone: the one place the import and ``check_returns`` ask for it; ``date_span``): a
    year not begun by
    then is one problem, its files not read (``year_not_begun``). Each year's episodes
    must be of children its header lists. An episodes file with no
    episodes (its heading row only) would leave the year with none: it is refused unless
    ``replace_with_empty`` says that is meant. Each file is passed to ``store`` (year, kind,
    file name, rows, the rows as checked, text, SHA-256) as soon as it is parsed and checked,
    while no problem has been found, and let go: its bytes are not held while the next file
    is parsed. A problem found later (in that file's year or another) is raised, and the
    caller's transaction undoes what was stored (all or nothing). After a problem the files
    are still read and checked, so that every problem is listed, but no longer stored.
    """
    today = today or timezone.localdate()
    files = return_files(folder)
    years = sorted({y for y, _, _ in files})
    paths = {(y, kind): path for y, kind, path in files}
    problems: list[str] = []  # of the files, in their order
    checks: list[str] = []  # of the years, listed after the files' own
    notes = unread_files(folder)  # how files were read, in their order
    done = 0

    def read_year(year: int) -> dict[str, ParsedFile]:
        """The year's files as parsed and checked (and stored, while the import can still be
        accepted), each cut to the columns the year's check reads: never two files' every
        column, nor a file's bytes and another's rows, at once."""
        nonlocal done
        read: dict[str, ParsedFile] = {}
        for kind in ("header", "episodes"):
            path = paths.get((year, kind))
            if path is None:
                continue
            name = f"{year}/{kind}.csv"
            try:
                read_as = _read_return(name, path)
            except NotText as exc:
                problems.append(str(exc))
                continue
            notes.extend(_encoding_note(name, read_as))
            data = read_as.data
            del read_as
            p = (parse_header if kind == "header" else parse_episodes)(
                name, data, year, today=today
            )
            problems.extend(_line(e) for e in p.errors)
            notes.extend(p.notes)
            accepted = not (problems or checks)  # else nothing more is stored
            rows, kept = p.frame.height, stored_rows(p) if accepted else b""
            # what the year's checks read: the children and the header's dates of birth
            # and the episodes' starts
            date = "DOB" if kind == "header" else "DECOM"
            read[kind] = replace(p, frame=p.frame.select("LINE", "CHILD", date))
            del p  # every column let go before the file is stored
            sha = hashlib.sha256(data).hexdigest() if accepted else ""
            text = data.decode("utf-8") if accepted else ""
            del data  # its text is stored, without the bytes beside it
            if accepted:
                store(year, kind, name, rows, kept, text, sha)
            del kept, text
            done += 1
            if progress:
                progress(done, len(files))
        return read

    for year in years:
        not_begun = year_not_begun(year, today)
        if not_begun:  # one problem of the year, not one of each of its dates
            problems.append(f"{year}/: {not_begun}")
            done += sum(1 for y, _ in paths if y == year)
            continue
        read = read_year(year)
        if "header" not in read or "episodes" not in read:
            continue
        header, episodes = read["header"], read["episodes"]
        checks.extend(_line(e) for e in check_children_in_header(episodes, header))
        checks.extend(_line(e) for e in check_born_before_episodes(episodes, header))
        if not episodes.errors and episodes.frame.height == 0 and not replace_with_empty:
            checks.append(
                f"{episodes.file_name}:1: has no episodes, only its heading row; "
                f"importing it would leave {year} with no episodes, replacing any loaded "
                "before. Expected the year's episodes (or --replace-with-empty if an "
                "empty year is meant)"
            )
        del read, header, episodes
    if problems or checks:
        raise _too_many(problems + checks)
    return years, notes


def check_returns(folder: Path, *, today: date | None = None) -> tuple[list[int], list[str]]:
    """Check the returns of ``folder`` as the import does, storing nothing: the years and
    the notes on how files were read (``load_folder``), or ``ReturnsRejected`` listing every
    problem the import would refuse them for (what is checked before DfE's rules run on
    them, ``stars sufficiency validate``)."""

    def store_nothing(*_: object) -> None:
        pass

    try:
        return load_folder(folder, store_nothing, today=today)
    except ReturnsRejected as exc:
        headline = exc.headline.replace(
            "nothing was imported", "the import would refuse them; nothing was validated"
        ).replace("import again", "check them again")
        raise ReturnsRejected(headline, exc.lines) from None


@transaction.atomic
def returns_import(
    *,
    council: Council,
    folder: Path,
    by: Any = None,
    progress: Callable[[int, int], None] | None = None,
    replace_with_empty: bool = False,
    today: date | None = None,
) -> ImportedReturns:
    """Check every file of ``folder``, then replace the council's returns for those years.

    A date after ``today`` (by default the day of import, ``load_folder``) is refused. A
    year whose episodes file holds no episodes is refused unless ``replace_with_empty``.
    Each file is stored as soon as it is parsed and checked (its year's other checks come
    after); a problem anywhere undoes them all. The process gives large blocks it frees back
    to the system from here on (``stars.give_large_blocks_back``).
    """
    give_large_blocks_back()
    user = by if getattr(by, "pk", None) else None

    def store(
        year: int, kind: str, name: str, rows: int, kept: bytes, text: str, sha256: str
    ) -> None:
        SufficiencyReturn.objects.update_or_create(
            council=council,
            collection_year=year,
            kind=ReturnKind(kind),
            defaults={
                "file_name": name,
                "text": text,
                "frame": kept,  # the rows as checked: the pages read them
                "rows": rows,
                "sha256": sha256,
                "imported_by": user,
            },
        )

    with _few_pages_cached():
        years, read_notes = load_folder(
            folder,
            store,
            progress,
            today=today,
            replace_with_empty=replace_with_empty,
        )
        # the counts and notes: the years' rows as stored, merged as the pages merge them
        # (only the merge's columns read back), once no year is held any longer
        merged = _merge_stored(_stored_files(council, years), MERGE_COLUMNS)
    record_access(
        user=by,
        action="import",
        object_type="ssda903",
        object_id=council.code,
        detail=f"collection years {', '.join(map(str, years))} from {folder}",
    )
    return ImportedReturns(
        tuple(years), merged.headers.height, merged.episodes.height, (*read_notes, *merged.notes)
    )


# Merged returns by their content: every sufficiency page reads them. The key holds each
# file's SHA-256, so a re-import that changes a file is read afresh, and the columns kept; a
# few readings are kept per process.
_PARSED: dict[tuple[object, ...], MergedReturns] = {}
_PARSED_MAX = 8


def council_returns(council: Council, columns: Columns | None = None) -> MergedReturns | None:
    """The council's stored returns, their rows as checked at import read back and merged
    (None when it has none): every column, or only ``columns`` of them, typed compactly
    (``compact``), e.g. the forecast's (``FORECAST_COLUMNS``), which at national size takes a
    fraction of the memory."""
    with _few_pages_cached():
        return _council_returns(council, columns)


def _council_returns(council: Council, columns: Columns | None) -> MergedReturns | None:
    files = _stored_files(council)
    if not files:
        return None
    key = (columns, *((kind, year, name, sha) for _, kind, year, name, sha in files))
    merged = _PARSED.get(key)
    if merged is not None:
        return merged
    merged = _merge_stored(files, columns)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = merged
    return merged


StoredFile = tuple[int, str, int, str, str]  # pk, kind, collection year, file name, SHA-256


def _stored_files(council: Council, years: list[int] | None = None) -> list[StoredFile]:
    """The council's stored returns (of ``years`` only, if given), in order of year."""
    stored = SufficiencyReturn.objects.filter(council=council)
    if years is not None:
        stored = stored.filter(collection_year__in=years)
    return list(
        stored.order_by("collection_year", "kind").values_list(
            "pk", "kind", "collection_year", "file_name", "sha256"
        )
    )


def _merge_stored(files: list[StoredFile], columns: Columns | None) -> MergedReturns:
    """The rows of ``files`` as checked at import read back and merged: every column, or
    only ``columns`` of them (``compact``)."""

    def stored(of_kind: Kind) -> Iterator[ParsedFile]:
        # a file at a time, its rows read back as the merge comes to them, only the columns
        # kept: never the text, parsed and checked once, when imported (all or nothing)
        for pk, kind, year, name, _ in files:
            if kind != of_kind:
                continue
            kept = (
                None
                if columns is None
                else columns.headers
                if kind == "header"
                else columns.episodes
            )
            rows = read_stored(name, year, of_kind, _stored_frame(pk), kept)
            yield rows if kept is None else compact(rows, kept)

    merged = merge_returns(stored("episodes"), stored("header"))
    if columns is not None and columns.numbered_children:
        merged = numbered_children(merged)
    return merged


def _stored_frame(pk: int) -> bytes:
    return bytes(SufficiencyReturn.objects.values_list("frame", flat=True).get(pk=pk))


@contextmanager
def _few_pages_cached() -> Iterator[None]:
    """On SQLite, a 2 MB page cache while returns are imported or the stored ones read (the
    setting's 128 MB is for the indexes of a programme's imports): an import writes each
    return's text and rows once, in pages no query reads again (at national size they
    filled the cache, 150 MiB more at the import's peak); the pages read the rows once, and
    listing the files reads through their texts to the SHA-256 stored after them. Those
    pages would otherwise stay in the connection's cache for as long as it lives."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        (size,) = cur.fetchone()
        cur.execute("PRAGMA shrink_memory")
        cur.execute("PRAGMA cache_size = -2048")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(size)}")


def council_years(council: Council) -> list[int]:
    return sorted(
        set(
            SufficiencyReturn.objects.filter(council=council).values_list(
                "collection_year", flat=True
            )
        )
    )
