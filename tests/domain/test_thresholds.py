"""The governance thresholds as configuration: the sample's values are the defaults and are
assumptions; a council's own values are used; every error names file, line and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.domain.governance.access_review import Read, Thresholds, review_access
from stars.domain.governance.retention import RetentionError
from stars.domain.governance.thresholds import parse_thresholds

SAMPLE = Path(__file__).resolve().parents[2] / "config" / "privacy.toml"


def test_the_sample_holds_the_defaults_each_an_assumption():
    got = parse_thresholds(SAMPLE.read_text(), "privacy.toml")
    assert got.access == Thresholds() and got.warn_days == 60
    assert got.access_assumption and got.agreements_assumption
    assert parse_thresholds("", "empty.toml") == got  # a file without the tables: the same


def test_a_councils_own_values_are_used():
    text = (
        '[access_review]\nmany_records = 40\nday_starts = "08:30"\nday_ends = 18:00:00\n'
        "assumption = false\n[agreements]\nwarn_days = 90\n"
    )
    got = parse_thresholds(text, "p.toml")
    assert (got.access.many_records, got.access.outside_caseload) == (40, 5)
    assert (got.access.day_starts, got.access.day_ends) == (dt.time(8, 30), dt.time(18, 0))
    assert (got.warn_days, got.access_assumption, got.agreements_assumption) == (90, False, True)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[dpia]\nx = 1\n[access_review]\n\nmany_records = 0\n", 5, "many_records: 0"),
        ('[access_review]\nodd_hours = "lots"\n', 2, "expected a whole number"),
        ('[access_review]\nday_starts = "25:00"\n', 2, "expected a time like 07:00"),
        ('[access_review]\nday_starts = "21:00"\n', 1, "the day must end after it starts"),
        ("[access_review]\nmany_record = 3\n", 2, "unknown key"),
        ('[agreements]\nassumption = "yes"\n', 2, "expected true or false"),
        ("[agreements]\nwarn_days = 400\n", 2, "expected 0 to 366 days"),
        ("[agreements]\nwarn_days = \n", 2, ""),
    ],
)
def test_every_error_names_the_file_line_and_column(text, line, message):
    with pytest.raises(RetentionError) as caught:
        parse_thresholds(text, "privacy.toml")
    assert str(caught.value).startswith(f"privacy.toml:{line}: column ")
    assert message in str(caught.value)


@given(many=st.integers(1, 500), reads=st.integers(0, 500))
def test_a_user_is_listed_for_many_records_exactly_from_the_configured_threshold(many, reads):
    t = parse_thresholds(f"[access_review]\nmany_records = {many}\n", "p.toml").access
    at = dt.datetime(2024, 10, 2, 10, 0)  # a Wednesday morning: no odd hours
    rows = [
        Read("ann", "provider_manager", None, at, f"referral R{i}", "derby") for i in range(reads)
    ]
    found = [f for f in review_access(rows, t) if f.rule == "many_records"]
    assert bool(found) == (reads >= many)
