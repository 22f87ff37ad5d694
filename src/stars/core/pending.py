"""Files kept under STARS_HOME for what a page cannot write while an import holds SQLite's
write lock (``stars.core.busy``, docs/decisions/0014-pages-while-an-import-runs.md), the one
way to keep them. Every file is written whole: under a temporary name, synced, then
renamed (:func:`write_whole`), so a reader never finds half a file under its own name.

- :class:`Queue`: entries to be written to the database once the lock is free, a file per
  batch (the access log's, ``stars.core.audit``). Each file is named so that names sort as
  they were made and name the process that wrote them, one JSON line per entry, each with
  an id of its own (``"id"``) that the database keeps with the row, so an entry whose id it
  holds is not written again. A process writing them in claims each file by renaming it
  to a name of its own (one rename wins), writes in what it read, then deletes them
  (:meth:`Queue.take`). A claim left by a process that ended is claimed again; so is a
  file a process ended while writing, with every whole line in it.
- :class:`Latest`: the latest value kept for a key, a file per key named by a hash of it
  (never the key itself), read in place and replaced whole (when a signed-in user's
  expiry moved, ``stars.core.session_stores``); files not written for longer than they can
  matter are deleted as another is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger("stars.pending")

WRITING = ".tmp"  # the end of a file's name while it is being written
CLAIMED = ".claimed-"  # then the id of the process that claimed the file
KEPT = ".json"  # the end of a queue file's name


def folder(name: str) -> Path:
    """The folder ``name`` under STARS_HOME."""
    return Path(settings.STARS_HOME) / name


def write_whole(path: Path, text: str, *, tmp: Path | None = None) -> None:
    """Write ``text`` to ``path`` whole: to ``tmp`` (by default a name of this process and
    thread beside it), synced, then renamed, replacing any file of that name."""
    if tmp is None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}{WRITING}")
    with tmp.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this one, whose other threads may be writing in)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Queue:
    """Entries kept in the folder ``name`` under STARS_HOME until they are written in."""

    name: str
    what: str  # what its entries are, for the log: "access-log entries"

    @property
    def folder(self) -> Path:
        return folder(self.name)

    def put(self, entries: Iterable[dict[str, Any]]) -> list[str]:
        """Keep ``entries`` (JSON objects) in a file of their own, each given an id (its
        ``"id"``); their ids, in order."""
        kept = [{"id": uuid.uuid4().hex, **entry} for entry in entries]
        self.folder.mkdir(exist_ok=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex[:8]}{KEPT}"
        write_whole(
            self.folder / name,
            "".join(json.dumps(k) + "\n" for k in kept),
            tmp=self.folder / f"{name}{WRITING}",  # names its writer already (_claim)
        )
        return [k["id"] for k in kept]

    def waiting(self) -> bool:
        """Whether entries are kept, not yet written in (or a process is keeping some)."""
        return self.folder.is_dir() and any(self.folder.glob(f"*{KEPT}*"))

    def take(
        self,
        write_in: Callable[[list[dict[str, Any]]], None],
        *,
        retry_on: tuple[type[BaseException], ...],
    ) -> int:
        """Claim the files kept (none being written by a running process, none another
        running process claimed), pass every entry in them, oldest first, to ``write_in``,
        then delete them; how many files. When ``write_in`` raises one of ``retry_on``, the
        files are let go of (taken next time) and the error raised. ``write_in`` must skip
        an entry whose id it wrote in before: a process that ended between writing in and
        deleting leaves its files to be taken again."""
        if not self.folder.is_dir():
            return 0
        claimed = self._claim()
        if not claimed:
            return 0
        entries = [entry for path in claimed for entry in _read(path)]
        try:
            write_in(entries)
        except retry_on:
            for path in claimed:
                path.rename(path.with_name(path.name.partition(CLAIMED)[0]))
            raise
        for path in claimed:
            path.unlink()
        logger.info(
            "%d %s kept while the database was busy written in from %d file(s) of %s",
            len(entries),
            self.what,
            len(claimed),
            self.folder,
        )
        return len(claimed)

    def _claim(self) -> list[Path]:
        """The files this process claimed, oldest first."""
        claimed = []
        for path in sorted(self.folder.iterdir()):
            name, _, claimer = path.name.partition(CLAIMED)
            if name.endswith(f"{KEPT}{WRITING}"):  # being written, or its writer ended
                name = name.removesuffix(WRITING)
                claimer = name.split("-")[1]  # its writer (as put names it)
            if not name.endswith(KEPT) or (claimer and alive(int(claimer))):
                continue
            mine = self.folder / f"{name}{CLAIMED}{os.getpid()}"
            try:
                path.rename(mine)
            except FileNotFoundError:
                continue  # another process claimed it first
            if claimer:
                logger.warning(
                    "%s: left by process %s, which has ended; taken up (no entry twice)",
                    path,
                    claimer,
                )
            claimed.append(mine)
        return claimed


def _read(path: Path) -> list[dict[str, Any]]:
    """The entries kept in ``path``: one per whole line (a line cut short by a writer that
    ended is not an entry; a file of an earlier release holds one list of them)."""
    kept: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            read = json.loads(line)
        except ValueError:
            continue
        kept.extend(read if isinstance(read, list) else [read])
    return kept


@dataclass(frozen=True)
class Latest:
    """The latest value kept for each key, in the folder ``name`` under STARS_HOME."""

    name: str

    def _file(self, key: str) -> Path:
        return folder(self.name) / hashlib.sha256(key.encode()).hexdigest()

    def read(self, key: str) -> str | None:
        """The value kept for ``key``; None if none is."""
        try:
            return self._file(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, key: str, value: str, *, older_than: float) -> None:
        """Keep ``value`` for ``key``, deleting the files (another key's, or one a process
        ended while writing) last written before ``older_than`` (seconds since the epoch)."""
        path = self._file(key)
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.iterdir():
            try:
                if old.stat().st_mtime < older_than:
                    old.unlink()
            except FileNotFoundError:
                continue
        write_whole(path, value)

    def forget(self, key: str) -> None:
        """No value is kept for ``key``."""
        self._file(key).unlink(missing_ok=True)
