"""Import a council's SSDA903 returns (all or nothing) and compute its dashboard figures."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from stars.core.audit import record_access
from stars.domain.sufficiency.ssda903 import (
    MergedReturns,
    ParsedFile,
    ValidationError,
    check_children_in_header,
    merge_returns,
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


def parse_folder(
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    replace_with_empty: bool = False,
) -> tuple[list[tuple[int, str, Path, str, ParsedFile]], MergedReturns]:
    """Read and check every file; raise ``ReturnsRejected`` listing every problem.

    Each year's episodes must be of children its header lists. An episodes file with no
    episodes (its heading row only) would leave the year with none: it is refused unless
    ``replace_with_empty`` says that is meant.
    """
    files = return_files(folder)
    parsed = []
    problems: list[str] = []
    for i, (year, kind, path) in enumerate(files):
        name = f"{year}/{kind}.csv"
        try:
            text = decode(name, path.read_bytes()).removeprefix("\ufeff")
        except NotText as exc:
            problems.append(str(exc))
            continue
        p = (parse_header if kind == "header" else parse_episodes)(name, text, year)
        problems += [_line(e) for e in p.errors]
        parsed.append((year, kind, path, text, p))
        if progress:
            progress(i + 1, len(files))
    by_year = {(year, kind): p for year, kind, _, _, p in parsed}
    for year in sorted({y for y, _ in by_year}):
        episodes, header = by_year.get((year, "episodes")), by_year.get((year, "header"))
        if episodes is None or header is None:
            continue
        problems += [_line(e) for e in check_children_in_header(episodes, header)]
        if not episodes.errors and episodes.frame.height == 0 and not replace_with_empty:
            problems.append(
                f"{episodes.file_name}:1: has no episodes, only its heading row; importing it "
                f"would leave {year} with no episodes, replacing any loaded before. Expected "
                "the year's episodes (or --replace-with-empty if an empty year is meant)"
            )
    if problems:
        n = len(problems)
        shown = problems[:MAX_LISTED]
        if n > MAX_LISTED:
            shown.append(f"... and {n - MAX_LISTED} more problems")
        raise ReturnsRejected(
            f"{n} problem{'s' if n != 1 else ''} found; nothing was imported. Correct the "
            "files and import again.",
            shown,
        )
    merged = merge_returns(
        [p for _, k, _, _, p in parsed if k == "episodes"],
        [p for _, k, _, _, p in parsed if k == "header"],
    )
    return parsed, merged


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
    """
    parsed, merged = parse_folder(folder, progress, replace_with_empty=replace_with_empty)
    years = sorted({y for y, *_ in parsed})
    user = by if getattr(by, "pk", None) else None
    for year, kind, _path, text, p in parsed:
        SufficiencyReturn.objects.update_or_create(
            council=council,
            collection_year=year,
            kind=ReturnKind(kind),
            defaults={
                "file_name": p.file_name,
                "text": text,
                "rows": p.frame.height,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "imported_by": user,
            },
        )
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
# changes a file is parsed afresh; a few councils are kept per process.
_PARSED: dict[tuple[tuple[str, int, str, str], ...], MergedReturns] = {}
_PARSED_MAX = 8


def council_returns(council: Council) -> MergedReturns | None:
    """The council's stored returns, parsed and merged (None when it has none)."""
    files = list(
        SufficiencyReturn.objects.filter(council=council)
        .order_by("collection_year", "kind")
        .values_list("pk", "kind", "collection_year", "file_name", "sha256")
    )
    if not files:
        return None
    key = tuple((kind, year, name, sha) for _, kind, year, name, sha in files)
    merged = _PARSED.get(key)
    if merged is not None:
        return merged
    texts = dict(
        SufficiencyReturn.objects.filter(pk__in=[f[0] for f in files]).values_list("pk", "text")
    )
    headers, episodes = [], []
    for pk, kind, year, name, _ in files:
        if kind == ReturnKind.HEADER:
            headers.append(parse_header(name, texts[pk], year))
        else:
            episodes.append(parse_episodes(name, texts[pk], year))
    merged = merge_returns(episodes, headers)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = merged
    return merged


def council_years(council: Council) -> list[int]:
    return sorted(
        set(
            SufficiencyReturn.objects.filter(council=council).values_list(
                "collection_year", flat=True
            )
        )
    )
