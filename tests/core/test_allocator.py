"""The memory polars and the C allocator no longer use goes back to the system."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

# in a new process: the setting is read when polars is first loaded
FREED = """
import time
from pathlib import Path

import stars
import polars as pl


def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024


before = resident()
big = pl.int_range(0, 10_000_000, eager=True)
twice = big * 2  # 160 MB in all
del big, twice
start = time.monotonic()
while time.monotonic() - start < 0.5:  # the allocator at work, as between two files read
    pl.int_range(0, 1000, eager=True).sum()
    time.sleep(0.01)
print(resident() - before)
"""


def _grown(env: dict[str, str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", FREED], env=env, capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_memory_polars_let_go_of_is_given_back_within_a_second() -> None:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    assert _grown(env) < 40  # MiB still resident of the 160 freed


def test_an_allocator_setting_given_is_kept() -> None:
    # a setting that never gives freed memory back: if stars put its own in place, the
    # memory would go back within the loop. (jemalloc's own default, 10 s, gives back a
    # share every moment: on a busy machine the loop lasts long enough for it to be most.)
    assert _grown({**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:-1,muzzy_decay_ms:-1"}) > 100


def test_the_setting_comes_before_polars_is_loaded() -> None:
    out = subprocess.run(
        [sys.executable, "-c", "import sys, stars; print('polars' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


# a file's bytes, freed once the next block of the C allocator's heap is taken: glibc's own
# threshold has risen past them (to the 24 MiB block freed first), so they would stay resident
LARGE_BLOCK_FREED = """
from pathlib import Path

import stars


def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024


if ASKED:
    stars.give_large_blocks_back()
first = b"x" * (24 * 2**20)
del first
before = resident()
data = b"y" * (16 * 2**20)
after_it = b"z" * 100_000  # a block taken after it, below any threshold
del data
print(resident() - before)
"""


def _large_block_kept(env: dict[str, str], *, asked: bool = True) -> int:
    out = subprocess.run(
        [sys.executable, "-c", f"ASKED = {asked}\n" + LARGE_BLOCK_FREED],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
NO_THRESHOLD_GIVEN = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}


@glibc
def test_a_large_block_freed_is_given_back_at_once_once_asked() -> None:
    assert _large_block_kept(NO_THRESHOLD_GIVEN) < 4  # MiB still resident of the 16 freed


@glibc
def test_other_processes_keep_the_c_allocators_own_threshold() -> None:
    # the web server's: the pages gain little from the setting and it costs them CPU
    assert _large_block_kept(NO_THRESHOLD_GIVEN, asked=False) > 12


@glibc
def test_a_threshold_given_to_the_c_allocator_is_kept() -> None:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20)}
    assert _large_block_kept(env) > 12
