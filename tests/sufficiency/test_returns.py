"""SSDA903 returns: imported all or nothing, every problem named; the dashboard's figures are
the domain's on the same files; only the council's own users see them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from stars.domain.sufficiency.figures import sufficiency_years
from stars.domain.sufficiency.ssda903 import merge_returns, parse_episodes, parse_header
from stars.partnership.models import Council
from stars.sufficiency.demo import FIRST_YEAR, LAST_YEAR, write_demo_returns
from stars.sufficiency.models import SufficiencyReturn
from stars.sufficiency.services import ReturnsRejected, returns_import


@pytest.fixture
def returns_dir(tmp_path) -> Path:
    return write_demo_returns(tmp_path / "returns", seed=3)


@pytest.fixture
def derby(users):
    return Council.objects.get(code="derby")


def _break_cell(path: Path, line: int, column: str, value: str) -> None:
    lines = path.read_text().split("\n")
    head = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[head.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines))


def test_a_bad_cell_is_named_and_nothing_is_imported(derby, returns_dir):
    _break_cell(returns_dir / "2020" / "episodes.csv", 5, "PLACE", "ZZ")
    _break_cell(returns_dir / "2022" / "header.csv", 3, "DOB", "31/02/2010")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    lines = caught.value.lines
    assert any(x.startswith("2020/episodes.csv:5: column PLACE:") for x in lines), lines[:5]
    assert any(x.startswith("2022/header.csv:3: column DOB:") for x in lines), lines[:5]
    assert "nothing was imported" in caught.value.headline
    assert not SufficiencyReturn.objects.exists()


def test_a_missing_file_is_named(derby, returns_dir):
    (returns_dir / "2021" / "header.csv").unlink()
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert any("2021/header.csv: missing" in x for x in caught.value.lines)


def test_reimporting_replaces_the_years_given(derby, returns_dir):
    got = returns_import(council=derby, folder=returns_dir)
    assert got.years == tuple(range(FIRST_YEAR, LAST_YEAR + 1))
    n = SufficiencyReturn.objects.count()
    assert n == 2 * len(got.years)
    returns_import(council=derby, folder=returns_dir)
    assert SufficiencyReturn.objects.count() == n
    assert SufficiencyReturn.history.filter(history_type="~").count() == n


def test_the_pages_see_a_changed_return_at_once(derby, returns_dir):
    from stars.sufficiency.services import council_returns

    returns_import(council=derby, folder=returns_dir)
    before = council_returns(derby).episodes.height
    assert council_returns(derby).episodes.height == before  # read again: the same
    episodes = returns_dir / str(LAST_YEAR) / "episodes.csv"
    lines = episodes.read_text().splitlines(keepends=True)
    kept = [line for line in lines if line.split(",")[0] != lines[-1].split(",")[0]]
    episodes.write_text("".join(kept))  # one child's episodes taken out of the last year
    returns_import(council=derby, folder=returns_dir)
    assert council_returns(derby).episodes.height < before


def test_the_dashboard_shows_the_domains_figures(client, users, derby, returns_dir):
    returns_import(council=derby, folder=returns_dir)
    eps, hds = [], []
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        eps.append(parse_episodes("e", (returns_dir / str(y) / "episodes.csv").read_text(), y))
        hds.append(parse_header("h", (returns_dir / str(y) / "header.csv").read_text(), y))
    merged = merge_returns(eps, hds)
    figures = sufficiency_years(merged.episodes, merged.headers, range(FIRST_YEAR, LAST_YEAR + 1))
    latest = figures[-1]
    assert 400 < latest.looked_after < 700  # shaped like the seed council

    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/").content.decode()
    assert f"{latest.looked_after} children looked after at 31 March {LAST_YEAR}" in page
    book = load_workbook(io.BytesIO(client.get("/sufficiency/derby/?format=xlsx").content))
    years = book.worksheets[0]
    assert [years.cell(row=r, column=2).value for r in range(2, years.max_row + 1)] == [
        f.looked_after for f in figures
    ]


def test_only_the_councils_own_users_see_its_returns(client, users, derby, returns_dir):
    returns_import(council=derby, folder=returns_dir)
    client.force_login(users["spoc_nottingham"])
    assert client.get("/sufficiency/derby/").status_code == 404
    client.force_login(users["investor"])
    assert client.get("/sufficiency/derby/").status_code == 403
    client.force_login(users["spoc"])
    spoc_page = client.get("/sufficiency/").content.decode()  # straight to Derby's
    assert "children looked after at 31 March" in spoc_page


def test_the_dashboard_has_the_rate_target_and_a_pdf(client, users, derby, returns_dir):
    from django.conf import settings

    from stars.sufficiency.config import load_config

    returns_import(council=derby, folder=returns_dir)
    config = load_config(settings.STARS_SUFFICIENCY_CONFIG)
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/").content.decode()
    assert "per 10,000 children" in page
    assert f"Target: under {config.targets['derby']['looked_after_below']}" in page
    assert "Children looked after per 10,000 children, and spend" in page
    pdf = client.get("/sufficiency/derby/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
