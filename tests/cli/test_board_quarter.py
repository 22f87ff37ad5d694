"""`stars report board --quarter` takes the quarters the page offers, from the programme's
first to the last ended: "Q1 9998-99" wrote a card for a quarter outside the programme,
where the page refuses it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stars.cli import app

pytestmark = pytest.mark.django_db


def test_a_quarter_outside_the_programme_is_refused_as_on_the_page(contract, tmp_path):
    out = tmp_path / "card.xlsx"
    done = CliRunner().invoke(
        app,
        ["report", "board", "--quarter", "Q1 9998-99", "--format", "xlsx", "--out", str(out)],
    )
    assert done.exit_code == 2, done.output
    assert "error: --quarter 'Q1 9998-99' is outside the programme (" in done.output
    assert not out.exists()
