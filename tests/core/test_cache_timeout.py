"""A cached figure is kept for ``TIMEOUT`` seconds after it is worked out, and the README's
deployment section says so (what a shared cache, Redis, holds and for how long)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import time_machine

from stars.core.cache import TIMEOUT, cached_figures

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_cached_figure_is_kept_for_the_timeout_and_no_longer():
    name = f"figures-{uuid.uuid4()}"  # nothing cached before
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert cached_figures(name, "v1", (), compute) == 1
        clock.shift(TIMEOUT - 1)
        assert cached_figures(name, "v1", (), compute) == 1  # still kept
        clock.shift(2)
        assert cached_figures(name, "v1", (), compute) == 2  # aged out: worked out again


def test_the_readme_says_how_long_the_cache_keeps_what_it_holds():
    text = " ".join(README.read_text(encoding="utf-8").split())
    hours = TIMEOUT / 3600
    said = re.search(r"each kept for up to (\d+) hours after it is worked out", text)
    assert said and int(said.group(1)) == hours
    assert f"`TIMEOUT = {int(hours)} * 3600` seconds in `stars.core.cache`" in text
