"""A command's date is held to the pages' one rule: no later than the end of the year 25 years
ahead (``stars.domain.calendar.latest_date``). ``--as-of 9999-12-31`` worked out the figures
week by week to then and kept the command busy until it was stopped, where a page refuses it."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from stars.core.dates import latest_date as page_latest_date
from stars.domain.calendar import latest_date
from tests.conftest import stars_command

LATEST = latest_date(dt.date.today())
BEYOND = (LATEST + dt.timedelta(days=1)).isoformat()

COMMANDS = [
    ["report", "evaluation", "--as-of", BEYOND],
    ["warm-figures", "--as-of", BEYOND],
    ["export", "indigo", "--as-of", BEYOND],
    ["explain", "R000001", "--as-of", BEYOND],
    ["retention", "review", "--as-of", BEYOND],
    ["simulate", "--as-of", "2024-11-30", "--to", BEYOND],
    ["notify-due", "--today", BEYOND],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_date_further_ahead_than_a_page_takes_is_refused_in_one_line(tmp_path, args):
    started = time.monotonic()
    done = stars_command(*args, home=tmp_path, drop=("DATABASE_URL",), timeout=120)
    assert done.returncode == 2, done.stderr
    option = args[-2]
    assert done.stderr.splitlines() == [
        f"error: {option} '{BEYOND}' is further ahead than any programme's figures; "
        f"expected a date no later than {LATEST}"
    ]
    assert time.monotonic() - started < 60


def test_the_pages_and_the_commands_share_the_latest_date():
    assert page_latest_date is latest_date
