"""Import a council's SSDA903 returns (all or nothing) and compute its dashboard figures."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from stars.domain.sufficiency.ssda903 import (
    MergedReturns,
    ParsedFile,
    merge_returns,
    parse_episodes,
    parse_header,
)
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
            if path.exists():
                found.append((int(m.group(1)), kind, path))
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


def parse_folder(
    folder: Path, progress: Callable[[int, int], None] | None = None
) -> tuple[list[tuple[int, str, Path, str, ParsedFile]], MergedReturns]:
    """Read and check every file; raise ``ReturnsRejected`` listing every problem."""
    files = return_files(folder)
    parsed = []
    problems: list[str] = []
    for i, (year, kind, path) in enumerate(files):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            problems.append(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")
            continue
        name = f"{year}/{kind}.csv"
        p = (parse_header if kind == "header" else parse_episodes)(name, text, year)
        problems += [f"{e.file}:{e.line}: column {e.column}: {e.message}" for e in p.errors]
        parsed.append((year, kind, path, text, p))
        if progress:
            progress(i + 1, len(files))
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
) -> ImportedReturns:
    """Check every file of ``folder``, then replace the council's returns for those years."""
    from stars.core.audit import record_access

    parsed, merged = parse_folder(folder, progress)
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
