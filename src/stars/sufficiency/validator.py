"""DfE's full SSDA903 rule set, run beside the import, never inside it.

``csc-validator-be-903`` pins pandas < 2 and numpy < 1.25, so it lives in its own virtual
environment (``STARS_VALIDATOR_903``, default ``.venv-903`` in the project) created on first
use from ``validator903/requirements.txt``; each collection year runs as a subprocess of
``validator903/runner.py`` with the previous year's files for the rules that compare years.
Nothing here touches the database.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import venv
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from stars.domain.spreadsheet_text import csv_bytes
from stars.domain.sufficiency.ssda903 import (
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    Kind,
    as_dfe_layout,
)
from stars.domain.text_files import as_utf8
from stars.sufficiency.services import ReturnFile, read_table

HERE = Path(__file__).parent / "validator903"
RUNNER = HERE / "runner.py"
REQUIREMENTS = HERE / "requirements.txt"
FILES = {"Header": "header", "Episodes": "episodes"}
COLUMNS = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS}
# Columns the validator derives from the postcodes; a finding on one points at its source.
DERIVED = {"PL_LA": "PL_POST", "PL_LOCATION": "PL_POST", "PL_DISTANCE": "PL_POST"}


class ValidatorUnavailable(RuntimeError):
    """The validator could not be installed or could not run; the message says why."""


@dataclass(frozen=True)
class Finding:
    """One rule broken by one row of one file."""

    file: str  # e.g. "2024/episodes.csv"
    line: int  # line in the file (the header row is line 1)
    columns: tuple[str, ...]
    child: str
    code: str
    message: str

    def describe(self) -> str:
        cols = ", ".join(self.columns) or "-"
        return f"{self.file}:{self.line}: column {cols}: rule {self.code}: {self.message}"


@dataclass(frozen=True)
class YearResult:
    year: int
    ruleset: str
    note: str
    rules_run: int
    rules_skipped: int
    rules_failed: tuple[str, ...]
    findings: tuple[Finding, ...]


def python_of(env: Path) -> Path:
    return env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def installed_marker(env: Path) -> Path:
    return env / ".stars-requirements"


def ensure_environment(env: Path, say: Callable[[str], None]) -> Path:
    """The validator's interpreter, installing it first if needed (once, or when the pinned
    requirements change). A folder that cannot be read or written is ``ValidatorUnavailable``
    naming it and what to do, never an error escaping with its traceback."""
    try:
        return _ensure_environment(env, say)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ValidatorUnavailable(
            f"DfE's SSDA903 validator cannot be installed in {env}: {why} "
            f"({exc.filename or env}). Set STARS_VALIDATOR_903 to a folder the user running "
            "STARS can write in (it is made there on first use, about a minute), or make that "
            "one writable; the database was not touched"
        ) from exc


def _ensure_environment(env: Path, say: Callable[[str], None]) -> Path:
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    marker = installed_marker(env)
    if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return python_of(env)
    say(f"installing DfE's SSDA903 validator into {env} (once; about a minute)")
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    done = subprocess.run(
        [str(python_of(env)), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise ValidatorUnavailable(f"could not install the validator into {env}:\n{tail}")
    marker.write_text(wanted, encoding="utf-8")
    return python_of(env)


def finding_of(year: int, item: dict[str, object]) -> Finding:
    table = str(item["table"])
    previous = table.endswith("_last")
    kind = FILES.get(table.removesuffix("_last"), table.lower())
    file = f"{year - 1 if previous else year}/{kind}.csv"
    columns = [str(c) for c in item.get("columns", []) or []]  # type: ignore[union-attr]
    in_file = COLUMNS.get(kind, ())
    own = [c for c in columns if c in in_file]
    if not own:
        own = list(dict.fromkeys(DERIVED[c] for c in columns if DERIVED.get(c) in in_file))
    return Finding(
        file=file,
        line=int(str(item["row"])) + 2,
        columns=tuple(own or columns),
        child=str(item.get("child") or ""),
        code=str(item["code"]),
        message=str(item["message"]),
    )


def run_year(
    python: Path,
    *,
    year: int,
    la: str,
    this: tuple[Path, Path],
    previous: tuple[Path, Path] | None,
    timeout: float,
    progress: Callable[[int, int], None] | None = None,
) -> YearResult:
    """Run every rule of ``year``'s rule set on its header and episodes files."""
    with tempfile.TemporaryDirectory(prefix="stars-903-") as tmp:
        result = Path(tmp) / "result.json"
        cmd = [str(python), str(RUNNER), "--year", str(year), "--la", la, "--out", str(result)]
        cmd += ["--this", *map(str, this)]
        if previous:
            cmd += ["--prev", *map(str, previous)]
        proc = subprocess.Popen(
            cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp
        )
        killed = threading.Event()
        watchdog = threading.Timer(timeout, lambda: (killed.set(), proc.kill()))
        watchdog.start()
        other: list[str] = []
        assert proc.stderr is not None
        try:
            for line in proc.stderr:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "progress":
                    if progress:
                        progress(int(parts[1]), int(parts[2]))
                else:
                    other.append(line.rstrip())
            proc.wait()
        finally:
            watchdog.cancel()
        if killed.is_set():
            raise ValidatorUnavailable(f"{year}: the validator ran longer than {timeout:.0f} s")
        if proc.returncode != 0:
            tail = "\n".join(other[-8:])
            raise ValidatorUnavailable(
                f"{year}: the validator stopped (exit {proc.returncode}):\n{tail}"
            )
        try:
            data = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ValidatorUnavailable(f"{year}: the validator left no readable result") from exc
    if "error" in data:
        raise ValidatorUnavailable(
            f"{year}: the validator could not read the files: {data['error']}"
        )
    findings = sorted(
        (finding_of(year, item) for item in data["findings"]),
        key=lambda f: (f.file, f.line, f.code),
    )
    return YearResult(
        year=year,
        ruleset=data["ruleset"],
        note=data["note"],
        rules_run=int(data["run"]),
        rules_skipped=int(data["skipped"]),
        rules_failed=tuple(data["failed"]),
        findings=tuple(findings),
    )


def summary(findings: Iterable[Finding]) -> list[tuple[str, int, str]]:
    """(rule code, findings, message), most frequent first."""
    counts: Counter[tuple[str, str]] = Counter((f.code, f.message) for f in findings)
    return [(code, n, msg) for (code, msg), n in sorted(counts.items(), key=lambda kv: -kv[1])]


def write_csv(path: Path, findings: Iterable[Finding]) -> None:
    rows = [[f.file, f.line, " ".join(f.columns), f.child, f.code, f.message] for f in findings]
    path.write_bytes(csv_bytes(["file", "line", "columns", "child", "rule", "message"], rows))


def as_dfe_reads(path: Path, into: Path, kind: Kind) -> Path:
    """``path`` itself when it is in DfE's layout as its validator reads it (UTF-8, columns
    separated by commas, DfE's columns only, headed as DfE heads them); else a copy of it
    under ``into`` that is (``as_dfe_layout``), made from the text the import reads
    (``as_utf8``: UTF-16 or Windows-1252 decoded), so that DfE's rules run on the same rows
    as the import's checks, and on no column DfE's validator would refuse."""
    read = as_utf8(str(path), path.read_bytes())
    text = read.data.decode("utf-8")
    layout = as_dfe_layout(text, kind)
    if layout is None and not read.converted:
        return path
    copy = into / path.parent.name / path.name.lower()
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(text if layout is None else layout, encoding="utf-8")
    return copy


def _as_dfe_copy(f: ReturnFile, into: Path) -> Path:
    """The file DfE's validator reads for a table: ``as_dfe_reads`` of a CSV file; for a
    sheet of a workbook, a copy of the CSV file the import reads in its place
    (``read_table``), in DfE's layout."""
    kind: Kind = "header" if f.kind == "header" else "episodes"
    if not f.sheet:
        return as_dfe_reads(f.path, into, kind)
    text = read_table(f).data.decode("utf-8")
    copy = into / str(f.year) / f"{kind}.csv"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(as_dfe_layout(text, kind) or text, encoding="utf-8")
    return copy


def validate_years(
    python: Path,
    *,
    files: Iterable[ReturnFile],
    la: str,
    years: Iterable[int] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    year_done: Callable[[YearResult], None] | None = None,
) -> list[Finding]:
    """Run each year's rules (the previous year's files beside it, when there are some) on
    ``files`` (``return_files``' answer); every finding once, in year order.

    ``progress(year, done, total)`` follows the rules of a year; ``year_done`` gets each
    year's result. A file in another encoding or separated otherwise than by commas is given
    to DfE's validator as a copy it reads (``as_dfe_reads``), and so is a table kept as a
    sheet of a workbook (``_as_dfe_copy``). Raises ``ValidatorUnavailable``
    when a year cannot be run."""
    with tempfile.TemporaryDirectory(prefix="stars-903-copies-") as copies:
        return _validate_years(
            python,
            files=[(f.year, f.kind, _as_dfe_copy(f, Path(copies))) for f in files],
            la=la,
            years=years,
            progress=progress,
            year_done=year_done,
        )


def _validate_years(
    python: Path,
    *,
    files: Iterable[tuple[int, str, Path]],
    la: str,
    years: Iterable[int] | None,
    progress: Callable[[int, int, int], None] | None,
    year_done: Callable[[YearResult], None] | None,
) -> list[Finding]:
    pairs: dict[int, dict[str, Path]] = {}
    for y, kind, path in files:
        pairs.setdefault(y, {})[kind] = path
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for y in sorted(set(years) if years is not None else pairs):
        this = (pairs[y]["header"], pairs[y]["episodes"])
        prev = (pairs[y - 1]["header"], pairs[y - 1]["episodes"]) if y - 1 in pairs else None
        rows = sum(p.stat().st_size for p in this) // 40
        result = run_year(
            python,
            year=y,
            la=la,
            this=this,
            previous=prev,
            timeout=300 + rows * 0.02,
            progress=(lambda i, n, y=y: progress(y, i, n)) if progress else None,
        )
        if year_done:
            year_done(result)
        for f in result.findings:
            if (f.file, f.line, f.code) not in seen:
                seen.add((f.file, f.line, f.code))
                findings.append(f)
    return findings
