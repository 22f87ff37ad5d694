"""Import a council's SSDA903 returns (all or nothing) and compute its dashboard figures."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from stars.core.audit import record_access
from stars.domain.sufficiency.ssda903 import (
    Columns,
    MergedReturns,
    ParsedFile,
    ValidationError,
    check_children_in_header,
    compact,
    merge_returns,
    numbered_children,
    parse_episodes,
    parse_header,
)
from stars.domain.text_files import NotText, decode
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
        if not m:
            continue
        for kind in ("header", "episodes"):
            path = sub / f"{kind}.csv"
            if path.is_file():
                found.append((int(m.group(1)), kind, path))
            elif path.exists():
                problems.append(f"{path}: is a directory, expected a {kind} CSV file")
            else:
                problems.append(f"{path}: missing; expected a {kind} file for {sub.name}")
    if not found and not problems:
        problems.append(
            f"{folder}: no YEAR/header.csv and YEAR/episodes.csv found (e.g. 2020/header.csv "
            "for the collection year ending 31 March 2020)"
        )
    if problems:
        raise ReturnsRejected("the returns are incomplete; nothing was imported", problems)
    return found


def _line(e: ValidationError) -> str:
    column = f" column {e.column}:" if e.column else ""
    return f"{e.file}:{e.line}:{column} {e.message}"


# the import reports counts and notes only: what merging the years reads of each file
MERGE_EPISODE_COLUMNS = ("CHILD", "DECOM", "DEC", "YEAR")
MERGE_HEADER_COLUMNS = ("CHILD", "YEAR")

StoreFile = Callable[[int, str, ParsedFile, str, str], None]


def _read_return(name: str, path: Path) -> tuple[bytes, str]:
    """The file's UTF-8 bytes and text (a byte-order mark dropped from both); ``NotText``."""
    data = path.read_bytes()
    text = decode(name, data).removeprefix("\ufeff")
    return data.removeprefix(b"\xef\xbb\xbf"), text


def _too_many(problems: list[str]) -> ReturnsRejected:
    n = len(problems)
    shown = problems[:MAX_LISTED]
    if n > MAX_LISTED:
        shown.append(f"... and {n - MAX_LISTED} more problems")
    return ReturnsRejected(
        f"{n} problem{'s' if n != 1 else ''} found; nothing was imported. Correct the "
        "files and import again.",
        shown,
    )


def load_folder(
    folder: Path,
    store: StoreFile,
    progress: Callable[[int, int], None] | None = None,
    *,
    replace_with_empty: bool = False,
) -> tuple[list[int], MergedReturns]:
    """Read, check, ``store`` and merge the returns a year at a time; raise
    ``ReturnsRejected`` listing every problem of every file.

    Each year's episodes must be of children its header lists. An episodes file with no
    episodes (its heading row only) would leave the year with none: it is refused unless
    ``replace_with_empty`` says that is meant. Only one year's files are held at a time:
    each is passed to ``store`` (year, kind, parsed file, text, SHA-256) once its year is
    checked, while no problem has been found, and its rows are merged as it comes. After a
    problem the files are still read and checked, so that every problem is listed, but no
    longer stored; the caller's transaction undoes what was (all or nothing).
    """
    files = return_files(folder)
    years = sorted({y for y, _, _ in files})
    paths = {(y, kind): path for y, kind, path in files}
    problems: list[str] = []  # of the files, in their order
    checks: list[str] = []  # of the years, listed after the files' own
    headers: list[ParsedFile] = []  # the merging columns of each year's header
    done = 0

    def read_year(year: int) -> dict[str, tuple[ParsedFile, str, str]]:
        """The year's files as parsed, with their text and SHA-256; problems noted."""
        nonlocal done
        read: dict[str, tuple[ParsedFile, str, str]] = {}
        for kind in ("header", "episodes"):
            path = paths.get((year, kind))
            if path is None:
                continue
            name = f"{year}/{kind}.csv"
            try:
                data, text = _read_return(name, path)
            except NotText as exc:
                problems.append(str(exc))
                continue
            p = (parse_header if kind == "header" else parse_episodes)(name, data, year)
            problems.extend(_line(e) for e in p.errors)
            read[kind] = (p, text, hashlib.sha256(data).hexdigest())
            done += 1
            if progress:
                progress(done, len(files))
        return read

    def episode_files() -> Iterator[ParsedFile]:
        for year in years:
            read = read_year(year)
            if "header" not in read or "episodes" not in read:
                continue
            header, episodes = read["header"][0], read["episodes"][0]
            checks.extend(_line(e) for e in check_children_in_header(episodes, header))
            if not episodes.errors and episodes.frame.height == 0 and not replace_with_empty:
                checks.append(
                    f"{episodes.file_name}:1: has no episodes, only its heading row; "
                    f"importing it would leave {year} with no episodes, replacing any loaded "
                    "before. Expected the year's episodes (or --replace-with-empty if an "
                    "empty year is meant)"
                )
            if problems or checks:
                continue  # nothing more is stored or merged: the import is refused
            for kind, (p, text, sha) in read.items():
                store(year, kind, p, text, sha)
            headers.append(replace(header, frame=header.frame.select(MERGE_HEADER_COLUMNS)))
            merging = replace(episodes, frame=episodes.frame.select(MERGE_EPISODE_COLUMNS))
            # let go of the year's texts and full frames before the next year is read
            del read, header, episodes, p, text
            yield merging

    # merge_returns reads every episodes file before the headers: ``headers`` is complete
    # by the time it is read
    merged = merge_returns(episode_files(), headers)
    if problems or checks:
        raise _too_many(problems + checks)
    return years, merged


@transaction.atomic
def returns_import(
    *,
    council: Council,
    folder: Path,
    by: Any = None,
    progress: Callable[[int, int], None] | None = None,
    replace_with_empty: bool = False,
) -> ImportedReturns:
    """Check every file of ``folder``, then replace the council's returns for those years.

    A year whose episodes file holds no episodes is refused unless ``replace_with_empty``.
    Each file is stored as soon as its year is checked; a problem anywhere undoes them all.
    """
    user = by if getattr(by, "pk", None) else None

    def store(year: int, kind: str, p: ParsedFile, text: str, sha256: str) -> None:
        SufficiencyReturn.objects.update_or_create(
            council=council,
            collection_year=year,
            kind=ReturnKind(kind),
            defaults={
                "file_name": p.file_name,
                "text": text,
                "rows": p.frame.height,
                "sha256": sha256,
                "imported_by": user,
            },
        )

    years, merged = load_folder(folder, store, progress, replace_with_empty=replace_with_empty)
    record_access(
        user=by,
        action="import",
        object_type="ssda903",
        object_id=council.code,
        detail=f"collection years {', '.join(map(str, years))} from {folder}",
    )
    return ImportedReturns(
        tuple(years), merged.headers.height, merged.episodes.height, merged.notes
    )


# Parsed returns by their content: every sufficiency page reads them, and parsing a council's
# seven years takes about 0.1 s. The key holds each file's SHA-256, so a re-import that
# changes a file is parsed afresh, and the columns kept; a few readings are kept per process.
_PARSED: dict[tuple[object, ...], MergedReturns] = {}
_PARSED_MAX = 8


def council_returns(council: Council, columns: Columns | None = None) -> MergedReturns | None:
    """The council's stored returns, parsed and merged (None when it has none): every
    column, or only ``columns`` of them, typed compactly (``compact``), e.g. the forecast's
    (``FORECAST_COLUMNS``), which at national size takes a fraction of the memory."""
    files = list(
        SufficiencyReturn.objects.filter(council=council)
        .order_by("collection_year", "kind")
        .values_list("pk", "kind", "collection_year", "file_name", "sha256")
    )
    if not files:
        return None
    key = (columns, *((kind, year, name, sha) for _, kind, year, name, sha in files))
    merged = _PARSED.get(key)
    if merged is not None:
        return merged

    def parsed(of_kind: str) -> Iterator[ParsedFile]:
        # a file at a time, its text read and parsed as the merge comes to it: no local
        # keeps a text or a frame while the merge goes on. Only typed, not checked again:
        # every stored file was checked when imported, and nothing is stored unless all were
        parse = parse_header if of_kind == ReturnKind.HEADER else parse_episodes
        for pk, kind, year, name, _ in files:
            if kind != of_kind:
                continue
            if columns is None:
                yield parse(name, _text(pk), year, check=False)
            else:  # the other columns let go as soon as the file is typed
                kept = columns.headers if kind == ReturnKind.HEADER else columns.episodes
                yield compact(parse(name, _text(pk), year, check=False), kept)

    merged = merge_returns(parsed(ReturnKind.EPISODES), parsed(ReturnKind.HEADER))
    if columns is not None and columns.numbered_children:
        merged = numbered_children(merged)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = merged
    return merged


def _text(pk: int) -> str:
    text: str = SufficiencyReturn.objects.values_list("text", flat=True).get(pk=pk)
    if connection.vendor == "sqlite":
        # a return's text is read once and parsed: its pages would otherwise stay in the
        # connection's page cache (up to 128 MB, see settings) for as long as it lives
        with connection.cursor() as cur:
            cur.execute("PRAGMA shrink_memory")
    return text


def council_years(council: Council) -> list[int]:
    return sorted(
        set(
            SufficiencyReturn.objects.filter(council=council).values_list(
                "collection_year", flat=True
            )
        )
    )
