"""Dates on the pages are written as GOV.UK writes them, "30 November 2024": a month is
shortened ("30 Nov 2024") only in a table, where space is short, as GOV.UK's style allows.
A case's phases, a meeting's actions, its events, an enquiry's decision, a claim's
submission and the search's results said "12 Jan 2023" in running text."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"
SHORT = 'date:"j M Y"'


def test_a_month_is_shortened_only_in_a_table():
    outside = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SHORT in line and "govuk-table__" not in line
    ]
    assert outside == []


def test_a_python_date_in_words_is_written_in_full():
    """The form that marks a meeting's actions done labels each "due 19 September 2024"."""
    short = [
        f"{path.relative_to(SRC)}:{n}"
        for path in sorted(SRC.rglob("*.py"))
        if "domain" not in path.parts  # the tracker reads "1 Feb 2025" as a mistyped date
        and path != SRC / "core" / "forms.py"  # the formats a typed date is read in
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "%b %Y" in line
    ]
    assert short == []
