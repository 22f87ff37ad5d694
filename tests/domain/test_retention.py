"""The retention schedule: reading it (errors name file, line and column), due dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.domain.governance.retention import (
    KINDS,
    Period,
    RetentionError,
    RetentionRule,
    contract_end,
    parse_retention,
)

SAMPLE = Path(__file__).resolve().parents[2] / "config" / "retention.toml"


def test_the_sample_schedule_covers_every_kind_and_marks_its_defaults_as_assumptions():
    plan = parse_retention(SAMPLE.read_text(), "retention.toml")
    assert set(plan.rules) == set(KINDS)
    assert [r.kind for r in plan.assumptions] == list(plan.rules)  # every default
    rule = plan["enquiry_not_progressed"]
    assert (rule.trigger, rule.period) == ("decision_date", Period(years=2))
    assert plan["referral_and_case"].due_on(dt.date(2011, 5, 17)) == dt.date(2036, 5, 17)


def test_worked_examples_of_due_dates():
    rule = RetentionRule("claim", "claim_month", Period(years=6), True)
    assert rule.due_on(dt.date(2020, 11, 30)) == dt.date(2026, 11, 30)
    assert rule.is_due(dt.date(2020, 11, 30), dt.date(2026, 11, 30))
    assert not rule.is_due(dt.date(2020, 12, 1), dt.date(2026, 11, 30))
    assert not rule.is_due(None, dt.date(2099, 1, 1))  # a trigger yet to happen: never due
    leap = RetentionRule("access_log", "logged", Period(years=1), False)
    assert leap.due_on(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert leap.latest_trigger_due(dt.date(2025, 2, 28)) == dt.date(2024, 2, 29)
    assert str(Period(years=1, months=6)) == "1 year and 6 months"
    # the contract's end: the last referral's 104 weeks from the referral period's end
    assert contract_end(dt.date(2025, 3, 31), 104) == dt.date(2027, 3, 29)


LOADED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LOADED
@given(
    trigger=st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    today=st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)),
    years=st.integers(0, 30),
    months=st.integers(0, 11),
)
def test_a_record_is_due_exactly_when_its_trigger_is_on_or_before_the_latest_due(
    trigger, today, years, months
):
    """The database selects ``trigger <= latest_trigger_due(today)``: the same records the
    rule calls due, whatever the month ends and leap days."""
    if years == months == 0:
        months = 1
    rule = RetentionRule("uploads", "year_end", Period(years, months), True)
    assert rule.is_due(trigger, today) == (trigger <= rule.latest_trigger_due(today))
    assert rule.due_on(trigger) >= trigger


@LOADED
@given(a=st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), gap=st.integers(0, 400))
def test_due_dates_never_go_backwards(a, gap):
    rule = RetentionRule("claim", "claim_month", Period(years=6, months=1), True)
    assert rule.due_on(a) <= rule.due_on(a + dt.timedelta(days=gap))


def _broken(old: str, new: str) -> str:
    text = SAMPLE.read_text()
    assert old in text
    return text.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            'trigger = "decision_date"',
            'trigger = "case_end"',
            'trigger = "case_end"',
            "expected one of decision_date",
        ),
        ("years = 25", "years = -1", "years = -1", "expected a whole number from 0 to 100"),
        ("years = 6", "years = 6\nweeks = 3", "weeks = 3", "unknown key"),
        ("[uploads]", "[photos]", "[photos]", "not a kind of record"),
        (
            'assumption = true\nnote = "Who',
            'assumption = "yes"\nnote = "Who',
            'assumption = "yes"',
            "expected true or false",
        ),
    ],
)
def test_every_error_names_the_file_line_and_column(old, new, needle, message):
    text = _broken(old, new)
    with pytest.raises(RetentionError) as caught:
        parse_retention(text, "retention.toml")
    assert str(caught.value).startswith(f"retention.toml:{_line_of(text, needle)}: column 1: ")
    assert message in str(caught.value)


def test_a_syntax_error_and_a_missing_kind_are_named_too():
    with pytest.raises(RetentionError, match=r"^r.toml:2: column \d+: "):
        parse_retention("[claim]\ntrigger = \n", "r.toml")
    text = SAMPLE.read_text().split("[uploads]")[0]
    with pytest.raises(RetentionError, match="no schedule for uploads"):
        parse_retention(text, "r.toml")
    with pytest.raises(RetentionError, match="period is empty"):
        parse_retention(_broken("years = 7", "years = 0"), "r.toml")
