"""Every page that hides small counts says so in the same words: "Counts from 1 to 4, and
any figure that would reveal one, are shown as "c"". The investor view and the portfolio
said "Counts under 5 are shown as “c”", which is not what they do (a 0 is shown) and quoted
the "c" differently from the board report card, the evaluation report and the outcomes."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "stars"


def test_the_pages_say_how_small_counts_are_hidden_in_one_way():
    said = {
        str(path.relative_to(SRC)): path.read_text(encoding="utf-8")
        for path in SRC.rglob("templates/**/*.html")
        if "are shown as" in path.read_text(encoding="utf-8")
    }
    assert len(said) >= 5
    assert [p for p, text in said.items() if "Counts under 5" in text or "“c”" in text] == []
    assert all('shown as "c"' in text for text in said.values())
