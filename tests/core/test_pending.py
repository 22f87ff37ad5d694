"""Files kept while an import holds SQLite's write lock (stars.core.pending): processes
really killed while keeping entries, while writing them in, or after writing them in but
before deleting their files; whatever happens, every whole entry kept is written in once,
and none twice. (The access log's use of it, on both databases: tests/core/test_busy.py;
the sign-ins': tests/core/test_sessions.py.)"""

from __future__ import annotations

import json
import os
from pathlib import Path

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.core import pending


class Busy(Exception):
    """The database's write lock is still held."""


class Database:
    """What the entries are written into: a file of the ids written in, one a line, shared
    with the processes forked to be killed (as a database is), each line synced as a
    commit is."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def written(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines()]

    def write_in(self, entries: list[dict]) -> None:
        done = {e["id"] for e in self.written()}
        with self.path.open("a") as out:
            out.writelines(json.dumps(e) + "\n" for e in entries if e["id"] not in done)
            out.flush()
            os.fsync(out.fileno())


def killed_in(do, *, at: tuple[object, str]) -> None:
    """``do()`` in a process of its own that is killed as it calls ``at`` (an object and
    the name of one of its functions), having done all before it."""
    child = os.fork()
    if child == 0:  # pragma: no cover (the killed process's)
        try:
            setattr(at[0], at[1], lambda *a, **k: os._exit(9))
            do()
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def whole_entries(text: str, cut: int) -> list[int]:
    """The entries (their "n") of a file's ``text`` whose lines its first ``cut`` characters
    hold whole."""
    whole, start = [], 0
    for line in text.splitlines(keepends=True):
        if cut >= start + len(line.rstrip("\n")):
            whole.append(json.loads(line)["n"])
        start += len(line)
    return whole


STEPS = st.sampled_from(
    [
        "kept",  # kept, nothing goes wrong
        "writer killed before its rename",  # a process killed keeping them
        "taker killed before writing in",  # killed having claimed them
        "taker killed after writing in",  # killed between the commit and the delete
        "still busy",  # writing in finds the lock held: let go of, for next time
        "taken",  # written in, nothing goes wrong
    ]
)


@hypothesis.settings(max_examples=25)
@given(steps=st.lists(st.tuples(STEPS, st.integers(1, 3), st.floats(0, 1)), max_size=6))
def test_processes_killed_at_any_step_leave_no_entry_lost_or_written_twice(tmp_path_factory, steps):
    home = tmp_path_factory.mktemp("home")
    queue = pending.Queue("kept", "entries")
    db = Database(home / "database")
    expected: list[int] = []
    n = 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pending, "folder", lambda name: home / name)
        for step, size, where in steps:
            batch = [{"n": n + i} for i in range(size)]
            n += size
            if step == "writer killed before its rename":
                before = set(queue.folder.glob("*.tmp"))
                killed_in(lambda b=batch: queue.put(b), at=(pending.os, "replace"))
                (left,) = set(queue.folder.glob("*.tmp")) - before
                text = left.read_text()
                cut = round(where * len(text))  # what reached the disk of what it wrote
                left.write_text(text[:cut])
                expected += whole_entries(text, cut)
                continue
            queue.put(batch)
            expected += [e["n"] for e in batch]
            if step == "taker killed before writing in":
                killed_in(lambda: queue.take(db.write_in, retry_on=(Busy,)), at=(db, "write_in"))
            elif step == "taker killed after writing in":
                killed_in(lambda: queue.take(db.write_in, retry_on=(Busy,)), at=(Path, "unlink"))
            elif step == "still busy":

                def busy(entries):
                    raise Busy

                with pytest.raises(Busy):
                    queue.take(busy, retry_on=(Busy,))
            elif step == "taken":
                queue.take(db.write_in, retry_on=(Busy,))

        queue.take(db.write_in, retry_on=(Busy,))  # the lock is free: the next beat

        written = db.written()
        assert sorted(e["n"] for e in written) == sorted(expected)  # none lost, none twice
        assert len({e["id"] for e in written}) == len(written)
        assert not queue.waiting() and not list(queue.folder.glob("*"))


def test_a_file_being_written_by_a_running_process_is_left_to_it(settings, tmp_path):
    settings.STARS_HOME = tmp_path
    queue = pending.Queue("kept", "entries")
    queue.put([{"n": 1}])
    (kept,) = queue.folder.glob("*.json")
    kept.rename(kept.with_name(f"{kept.name}.tmp"))  # this process's: it is running
    db = Database(tmp_path / "database")

    assert queue.take(db.write_in, retry_on=(Busy,)) == 0
    assert queue.waiting() and db.written() == []


def test_taking_up_a_dead_process_s_file_is_logged_in_one_line(settings, tmp_path, caplog):
    settings.STARS_HOME = tmp_path
    queue = pending.Queue("kept", "entries")
    db = Database(tmp_path / "database")
    killed_in(lambda: queue.put([{"n": 1}, {"n": 2}]), at=(pending.os, "replace"))
    (left,) = queue.folder.glob("*.tmp")

    with caplog.at_level("INFO", logger="stars.pending"):
        assert queue.take(db.write_in, retry_on=(Busy,)) == 1

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "WARNING",
            f"{left}: left by process {left.name.split('-')[1]}, which has ended; "
            "taken up (no entry twice)",
        ),
        (
            "INFO",
            f"2 entries kept while the database was busy written in from 1 file(s) of "
            f"{queue.folder}",
        ),
    ]


def test_a_value_kept_for_a_key_survives_a_writer_killed_before_its_rename(settings, tmp_path):
    settings.STARS_HOME = tmp_path
    latest = pending.Latest("latest")
    latest.write("a key", "100", older_than=0)

    killed_in(lambda: latest.write("a key", "160", older_than=0), at=(os, "replace"))

    assert latest.read("a key") == "100"  # the old value, whole
    kept = latest._file("a key")
    (left,) = kept.parent.glob("*.tmp")
    for path in (kept, left):
        os.utime(path, (1, 1))  # long ago
    latest.write("another key", "200", older_than=2)  # clears what can no longer matter
    assert not left.exists() and latest.read("a key") is None
    assert latest.read("another key") == "200"
    latest.forget("another key")
    assert latest.read("another key") is None
