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
from stars.core.spool import UNPACKED_FACTOR, max_upload_bytes
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
from stars.domain.sufficiency.workbooks import (
    READ_SUFFIXES,
    Limits,
    NotReadable,
    kind_of_sheet,
    sheet_for,
    sheet_names,
    sheet_text,
)
from stars.domain.text_files import NotText, as_utf8
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


#: what spreadsheets save a workbook as: an Excel workbook (.xlsx, .xlsm) is read, a sheet
#: for each table (``stars.domain.sufficiency.workbooks``); an older or other format is not,
#: and is named with how to save it (``workbook_advice``)
WORKBOOK_SUFFIXES = (*READ_SUFFIXES, ".xls", ".ods")

SAVED_AS_CSV = 'CSV UTF-8 (in Excel, File > Save As > "CSV UTF-8 (Comma delimited)")'
SAVED_AS_XLSX = 'an Excel workbook (in Excel, File > Save As > "Excel Workbook (*.xlsx)")'

#: What each note of a file or sheet left unread says after its name.
NOT_READ = "not read (of each year's return, only its header and episodes are read)"


def workbook_advice(kind: str) -> str:
    """What to do with a return kept as a workbook in a format not read (``header.xls``,
    ``.ods``): the problem's text after the file's name, for the import of a folder and of an
    uploaded archive alike."""
    return (
        "a workbook saved as Excel 97-2003 (.xls) or OpenDocument (.ods), which is not read: "
        f"open it and save it as {SAVED_AS_XLSX} named {kind}.xlsx, or its sheet as "
        f"{SAVED_AS_CSV} named {kind}.csv, in its place"
    )


def tables_workbook_advice(kinds: list[str]) -> str:
    """What to do with a year's return kept as one workbook of its tables, a sheet each, in
    a format not read (``SSDA903 2024.xls``), where the year's ``kinds`` are missing: the
    problem's text after the file's name."""
    files = " and ".join(f"{k}.csv" for k in kinds)
    return (
        f"a workbook saved as Excel 97-2003 (.xls) or OpenDocument (.ods), which is not read, "
        f"in a year with no {files}: open it and save it as {SAVED_AS_XLSX}, its sheets "
        f"named {' and '.join(kinds)}"
    )


def workbook_limits() -> Limits:
    """A workbook is read if no larger than an upload may be (``STARS_UPLOAD_MAX_MB``) and
    unpacking to no more than an uploaded archive may (``UNPACKED_FACTOR`` times that),
    whether it came in an upload or from a folder."""
    most = max_upload_bytes()
    return Limits(file_bytes=most, unpacked_bytes=UNPACKED_FACTOR * most)


@dataclass(frozen=True)
class ReturnFile:
    """One table of a year's return: a CSV file, or a sheet of a workbook."""

    year: int
    kind: str
    path: Path
    #: as problems and notes name it: ``2024/header.csv``, ``2024/SSDA903.xlsx``, ``2024.xlsx``
    name: str
    #: the workbook's sheet holding the table, if it is one
    sheet: str = ""

    @property
    def stored_as(self) -> str:
        """The name the stored return is kept under (and shown by)."""
        return f"{self.name}, sheet {self.sheet}" if self.sheet else self.name


@dataclass
class _Survey:
    files: list[ReturnFile]
    problems: list[str]
    unread: list[str]  # notes of files and sheets not read


def _lock_or_hidden(p: Path) -> bool:
    """A spreadsheet's lock file beside an open workbook (``~$...``), or a hidden file."""
    return p.name.startswith(("~$", "."))


def _workbook(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not _lock_or_hidden(p)


def _shown(folder: Path, p: Path) -> str:
    """A workbook's name as problems and notes give it: from the folder of returns."""
    return p.relative_to(folder).as_posix()


def _survey_year(
    folder: Path, year: int, sub: Path | None, books: list[Path], found: _Survey
) -> None:
    """The tables of one year: its CSV files, else its workbooks' sheets (``books``: those
    of its folder, ``sub``, and a workbook named by the year beside the folder)."""
    files = sorted(p for p in sub.iterdir()) if sub is not None else []
    limits = workbook_limits()
    sheets: dict[Path, list[str] | None] = {}  # a workbook's sheets, once opened

    def sheets_of(p: Path) -> list[str] | None:
        if p not in sheets:
            try:
                sheets[p] = sheet_names(p, _shown(folder, p), limits)
            except NotReadable as exc:
                found.problems.append(str(exc))
                sheets[p] = None
        return sheets[p]

    used: dict[Path, set[str]] = {}  # sheets read of each workbook
    missing: list[str] = []
    for kind in ("header", "episodes"):
        named = [p for p in files if p.name.lower() == f"{kind}.csv"]
        own = [p for p in files if p.stem.lower() == kind and _workbook(p)]
        if len(named) > 1:
            found.problems.append(
                f"{sub}: holds {' and '.join(p.name for p in named)}; expected one "
                f"{kind}.csv for {year}"
            )
        elif named and named[0].is_file():
            found.files.append(ReturnFile(year, kind, named[0], f"{year}/{kind}.csv"))
        elif named:
            found.problems.append(f"{named[0]}: is a directory, expected {kind}.csv")
        elif own:
            readable = [p for p in own if p.suffix.lower() in READ_SUFFIXES]
            for p in own:
                if p not in readable:
                    found.problems.append(f"{p}: {workbook_advice(kind)}")
            if len(readable) > 1:
                found.problems.append(
                    f"{sub}: holds {' and '.join(p.name for p in readable)}; expected one "
                    f"{kind} workbook for {year}"
                )
            elif readable:
                book = readable[0]
                names = sheets_of(book)
                if names is None:
                    continue
                sheet = sheet_for(names, kind)
                if sheet is None:
                    found.problems.append(
                        f"{book}: has the sheets {', '.join(names)}; expected one sheet, or "
                        f"one named {kind}"
                    )
                    continue
                found.files.append(ReturnFile(year, kind, book, _shown(folder, book), sheet))
                used.setdefault(book, set()).add(sheet)
        else:
            candidates = [
                (p, s)
                for p in books
                if p.suffix.lower() in READ_SUFFIXES
                for s in (sheets_of(p) or [])
                if kind_of_sheet(s) == kind
            ]
            if len(candidates) > 1:
                found.problems.append(
                    f"{year}: a {kind} sheet in "
                    + " and ".join(f"{_shown(folder, p)} (sheet {s})" for p, s in candidates)
                    + f"; expected one {kind} table for {year}"
                )
            elif candidates:
                book, sheet = candidates[0]
                found.files.append(ReturnFile(year, kind, book, _shown(folder, book), sheet))
                used.setdefault(book, set()).add(sheet)
            else:
                missing.append(kind)
    if missing:
        _missing(folder, year, sub, books, missing, sheets, found)
    for p in files:
        if (
            p.is_file()
            and p.suffix.lower() == ".csv"
            and p.name.lower()
            not in (
                "header.csv",
                "episodes.csv",
            )
            and not _lock_or_hidden(p)
        ):
            found.unread.append(f"{year}/{p.name}: {NOT_READ}")
    for p in sorted({*books, *(p for p in files if _workbook(p))}):
        if p not in used:
            found.unread.append(f"{_shown(folder, p)}: {NOT_READ}")
        else:
            found.unread.extend(
                f"{_shown(folder, p)}, sheet {s}: {NOT_READ}"
                for s in sheets.get(p) or []
                if s not in used[p]
            )


def _missing(
    folder: Path,
    year: int,
    sub: Path | None,
    books: list[Path],
    missing: list[str],
    sheets: dict[Path, list[str] | None],
    found: _Survey,
) -> None:
    """The problems of a year lacking ``missing`` tables: a workbook of its tables in a
    format not read is named with what to do, one read without a sheet of them is named with
    its sheets, else the CSV file is said to be missing."""
    unread_books = [p for p in books if p.suffix.lower() not in READ_SUFFIXES]
    found.problems.extend(f"{p}: {tables_workbook_advice(missing)}" for p in unread_books)
    read_books = [p for p in books if sheets.get(p) is not None]
    for p in read_books:
        names = sheets[p] or []
        found.problems.append(
            f"{_shown(folder, p)}: no sheet named {' or '.join(missing)} (its sheets: "
            f"{', '.join(names) or 'none'}); expected a sheet for each table read, named as "
            "DfE names them: header and episodes"
        )
    if unread_books or read_books or any(p in sheets for p in books):
        return
    where = sub if sub is not None else folder / str(year)
    found.problems.extend(
        f"{where / f'{kind}.csv'}: missing; expected the {kind} file of {year}" for kind in missing
    )


def _survey(folder: Path) -> _Survey:
    """The tables of every year's return under ``folder`` (``YEAR/header.csv``,
    ``YEAR/episodes.csv``, or sheets of workbooks: ``YEAR/header.xlsx``, a workbook of the
    year's tables in ``YEAR/``, or ``YEAR.xlsx`` beside the years), the problems that stop
    them being read, and notes of the files and sheets left unread."""
    if folder.is_file():
        raise ReturnsRejected(
            f"{folder}: is a file, expected a directory holding YEAR/header.csv and "
            "YEAR/episodes.csv; nothing was imported",
            [],
        )
    if not folder.is_dir():
        raise ReturnsRejected(f"{folder}: no such directory; nothing was imported", [])
    found = _Survey([], [], [])
    year_dirs: dict[int, Path] = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        m = YEAR_DIR.match(sub.name)
        if m:
            year_dirs[int(m.group(1))] = sub
        elif any(p.name.lower() in ("header.csv", "episodes.csv") for p in sub.iterdir()):
            found.problems.append(
                f"{sub}: holds returns but is not named by a collection year; expected "
                "the year it ends in four digits, e.g. 2025 for 2024-25"
            )
    year_books: dict[int, list[Path]] = {}  # YEAR.xlsx beside the years' folders
    for p in sorted(folder.iterdir()):
        if _workbook(p) and YEAR_DIR.match(p.stem):
            year_books.setdefault(int(p.stem), []).append(p)
    for year in sorted({*year_dirs, *year_books}):
        sub = year_dirs.get(year)
        books = year_books.get(year, []) + (
            sorted(
                p
                for p in sub.iterdir()
                if _workbook(p) and p.stem.lower() not in ("header", "episodes")
            )  # fmt: skip
            if sub is not None
            else []
        )
        _survey_year(folder, year, sub, books, found)
    if not found.files and not found.problems:
        found.problems.append(
            f"{folder}: no YEAR/header.csv and YEAR/episodes.csv found (e.g. 2020/header.csv "
            "for the collection year ending 31 March 2020), nor a workbook of a year's tables "
            "(e.g. 2020.xlsx with the sheets header and episodes)"
        )
    return found


def return_files(folder: Path) -> list[ReturnFile]:
    """Every table of the returns under ``folder`` (``_survey``), or ``ReturnsRejected``
    listing what stops them being read."""
    found = _survey(folder)
    if found.problems:
        raise ReturnsRejected(
            "the returns are incomplete; nothing was imported", problems_listed(found.problems)
        )
    return found.files


def _line(e: ValidationError) -> str:
    column = f" column {e.column}:" if e.column else ""
    if e.sheet:
        return f"{e.where},{column} {e.message}"
    return f"{e.where}:{column} {e.message}"


# the import reports counts and notes only: what merging the years reads of each file
# (and the placement group, to say how many placements have no provider recorded)
MERGE_COLUMNS = Columns(
    episodes=("CHILD", "DECOM", "DEC", "GROUP", "YEAR"), headers=("CHILD", "YEAR")
)

# year, kind, file name, rows, the rows as checked (``stored_rows``), text, SHA-256
StoreFile = Callable[[int, str, str, int, bytes, str, str], None]


@dataclass(frozen=True)
class _Table:
    """A table's text as the import reads it (UTF-8 bytes of CSV), the problems of its
    cells found in reading it (a workbook's formulas) and notes on how it was read."""

    data: bytes
    errors: tuple[ValidationError, ...]
    notes: tuple[str, ...]


def read_table(f: ReturnFile) -> _Table:
    """The text of a table as the import reads it, or ``NotText`` (a CSV file in no encoding
    read) or ``NotReadable`` (a workbook or sheet that cannot be read).

    A CSV file: its bytes as UTF-8, a byte-order mark dropped (``as_utf8``: UTF-8 checked
    and kept as it is; UTF-16 or Windows-1252 decoded, the only copy then made); its text is
    ``bytes.decode()`` of them, made when it is stored (not held beside them). A sheet: the
    CSV file it stands for (``sheet_text``), read a row at a time."""
    if f.sheet:
        kind: Kind = "header" if f.kind == "header" else "episodes"
        got = sheet_text(f.path, f.name, f.sheet, kind, workbook_limits())
        return _Table(got.data, got.errors, got.notes)
    read = as_utf8(f.name, f.path.read_bytes())
    return _Table(read.data, (), (f"{f.name}: {read.note}",) if read.converted else ())


def _of_sheet(f: ReturnFile, note: str) -> str:
    """A note of how a table was read, naming its sheet when it is one."""
    return note.replace(f"{f.name}: ", f"{f.stored_as}: ", 1) if f.sheet else note


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
    columns separated otherwise than by commas, codes in lower case, a year's CSV files,
    workbooks and sheets other than its header and episodes left unread: ``_survey``);
    raise ``ReturnsRejected`` listing every problem of every file (of a table kept as a
    sheet of a workbook, naming the workbook, the sheet, the row and the column).

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
    found = _survey(folder)
    if found.problems:
        raise ReturnsRejected(
            "the returns are incomplete; nothing was imported", problems_listed(found.problems)
        )
    files = found.files
    years = sorted({f.year for f in files})
    tables = {(f.year, f.kind): f for f in files}
    problems: list[str] = []  # of the files, in their order
    checks: list[str] = []  # of the years, listed after the files' own
    notes = found.unread  # how files were read, in their order
    done = 0

    def read_year(year: int) -> dict[str, ParsedFile]:
        """The year's files as parsed and checked (and stored, while the import can still be
        accepted), each cut to the columns the year's check reads: never two files' every
        column, nor a file's bytes and another's rows, at once."""
        nonlocal done
        read: dict[str, ParsedFile] = {}
        for kind in ("header", "episodes"):
            f = tables.get((year, kind))
            if f is None:
                continue
            try:
                table = read_table(f)
            except (NotText, NotReadable) as exc:
                problems.append(str(exc))
                continue
            notes.extend(table.notes)
            data, cells = table.data, table.errors
            del table
            p = (parse_header if kind == "header" else parse_episodes)(
                f.name, data, year, today=today, sheet=f.sheet
            )
            # a formula is the one problem of its cell (its value is not read)
            problems.extend(_line(e) for e in cells)
            at = {(e.line, e.column) for e in cells}
            problems.extend(_line(e) for e in p.errors if (e.line, e.column) not in at)
            notes.extend(_of_sheet(f, n) for n in p.notes)
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
                store(year, kind, f.stored_as, rows, kept, text, sha)
            del kept, text
            done += 1
            if progress:
                progress(done, len(files))
        return read

    for year in years:
        not_begun = year_not_begun(year, today)
        if not_begun:  # one problem of the year, not one of each of its dates
            problems.append(f"{year}/: {not_begun}")
            done += sum(1 for y, _ in tables if y == year)
            continue
        read = read_year(year)
        if "header" not in read or "episodes" not in read:
            continue
        header, episodes = read["header"], read["episodes"]
        checks.extend(_line(e) for e in check_children_in_header(episodes, header))
        checks.extend(_line(e) for e in check_born_before_episodes(episodes, header))
        if not episodes.errors and episodes.frame.height == 0 and not replace_with_empty:
            where = f"{episodes.source}, row 1" if episodes.sheet else f"{episodes.file_name}:1"
            checks.append(
                f"{where}: has no episodes, only its heading row; "
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
