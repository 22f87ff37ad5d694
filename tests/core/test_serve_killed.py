"""`stars serve` killed outright (SIGKILL: no code of its own runs to stop its children) takes
its web server (gunicorn) and its job worker with it, so the port is freed for the next start
(not held by an orphaned server) and no worker goes on alone."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import NOT_INHERITED


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc (Linux)."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(
                line for line in status.read_text().splitlines() if line.startswith("PPid:")
            )
        except (OSError, StopIteration):
            continue
        parents[int(status.parent.name)] = int(ppid.split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {p for p, pp in parents.items() if pp == parent} - found
        found |= kids
        todo += kids
    return found


def _serving(port: int) -> set[int]:
    """The processes whose command line binds ``port`` (gunicorn's master)."""
    bind = f"127.0.0.1:{port}".encode()
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if bind in cmdline.read_bytes():
                found.add(int(cmdline.parent.name))
        except OSError:
            continue
    return found - {os.getpid()}


def _alive(pid: int) -> bool:
    try:
        state = next(
            line
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("State:")
        )
    except (OSError, StopIteration):
        return False
    return " Z " not in state + " "  # a zombie has ended


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_killing_stars_serve_outright_frees_its_port_and_ends_its_worker(tmp_path, migrated_home):
    home = migrated_home(tmp_path / "home")
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["STARS_HOME"] = str(home)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "stars.cli", "serve", "--port", str(port), "--worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    below: set[int] = set()
    try:
        deadline = time.monotonic() + 180  # generous: the machine may be busy
        while not _listening(port):
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        # gunicorn listens before it starts its workers: wait for its two and the job worker
        while len(below := _descendants(serve.pid)) < 4:
            assert time.monotonic() < deadline, (below, (tmp_path / "serve.log").read_text())
            time.sleep(0.2)
        serve.kill()
        serve.wait(timeout=30)
        deadline = time.monotonic() + 90  # gunicorn stops its workers first
        while (_listening(port) or any(_alive(p) for p in below)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _listening(port), "the web server outlived stars serve, holding the port"
        assert [p for p in below if _alive(p)] == []
    finally:
        # what outlived it (before the fix), so the test leaves nothing running
        for pid in below | _serving(port):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if serve.poll() is None:
            serve.kill()
            serve.wait()
        log.close()
