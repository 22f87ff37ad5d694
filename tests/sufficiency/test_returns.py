"""SSDA903 returns: imported all or nothing, every problem named; the dashboard's figures are
the domain's on the same files; only the council's own users see them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import shutil
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook

from stars import cli
from stars.demo.returns import FIRST_YEAR, LAST_YEAR
from stars.domain.sufficiency import ssda903
from stars.domain.sufficiency.figures import sufficiency_years
from stars.domain.sufficiency.ssda903 import (
    DASHBOARD_COLUMNS,
    merge_returns,
    parse_episodes,
    parse_header,
)
from stars.partnership.models import Council
from stars.sufficiency import services
from stars.sufficiency.config import ConfigError, load_config
from stars.sufficiency.dashboard import dashboard_context
from stars.sufficiency.forecasting import Choices, forecast_context
from stars.sufficiency.models import SufficiencyReturn
from stars.sufficiency.services import ReturnsRejected, council_returns, returns_import


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


def test_a_problem_in_a_late_year_undoes_the_years_stored_before_it(derby, returns_dir):
    # the years are stored one at a time as they are checked: the earlier ones already are
    # when the later ones' problems are found, and every later file is still checked
    returns_import(council=derby, folder=returns_dir)
    before = sorted(SufficiencyReturn.objects.values_list("pk", "sha256", "imported_at"))
    _break_cell(returns_dir / str(LAST_YEAR - 1) / "episodes.csv", 5, "PLACE", "ZZ")
    _break_cell(returns_dir / str(LAST_YEAR) / "header.csv", 3, "DOB", "31/02/2010")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    lines = caught.value.lines
    assert lines[0].startswith(f"{LAST_YEAR - 1}/episodes.csv:5: column PLACE:"), lines
    assert lines[1].startswith(f"{LAST_YEAR}/header.csv:3: column DOB:"), lines
    assert sorted(SufficiencyReturn.objects.values_list("pk", "sha256", "imported_at")) == before
    assert not SufficiencyReturn.history.filter(history_type="~").exists()


def test_a_missing_file_is_named(derby, returns_dir):
    (returns_dir / "2021" / "header.csv").unlink()
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert any("2021/header.csv: missing" in x for x in caught.value.lines)


def test_files_named_in_capitals_are_read_and_two_of_a_kind_are_refused(derby, returns_dir):
    # as a spreadsheet or Windows may save them: Header.csv, EPISODES.CSV
    year = returns_dir / "2021"
    (year / "header.csv").rename(year / "Header.csv")
    (year / "episodes.csv").rename(year / "EPISODES.CSV")
    got = returns_import(council=derby, folder=returns_dir)
    assert 2021 in got.years
    assert SufficiencyReturn.objects.filter(collection_year=2021).count() == 2
    shutil.copy(year / "Header.csv", year / "header.csv")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines == [
        f"{year}: holds Header.csv and header.csv; expected one header.csv for 2021"
    ]


def test_reimporting_replaces_the_years_given(derby, returns_dir):
    got = returns_import(council=derby, folder=returns_dir)
    assert got.years == tuple(range(FIRST_YEAR, LAST_YEAR + 1))
    n = SufficiencyReturn.objects.count()
    assert n == 2 * len(got.years)
    returns_import(council=derby, folder=returns_dir)
    assert SufficiencyReturn.objects.count() == n
    assert SufficiencyReturn.history.filter(history_type="~").count() == n


def test_the_stored_texts_are_the_files_written_through_a_small_page_cache(
    derby, returns_dir, monkeypatch
):
    # each text is made from the file's bytes only when stored (a byte-order mark dropped);
    # on SQLite the rows go through a 2 MB page cache, and the setting's comes back after
    header = returns_dir / str(LAST_YEAR) / "header.csv"
    header.write_bytes(b"\xef\xbb\xbf" + header.read_bytes())
    caches: list[int] = []
    stored_rows = services.stored_rows

    def watched(parsed: ssda903.ParsedFile) -> bytes:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            caches.append(cur.fetchone()[0])
        return stored_rows(parsed)

    def cache_size() -> int:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            return int(cur.fetchone()[0])

    sqlite = connection.vendor == "sqlite"
    before = cache_size() if sqlite else None
    monkeypatch.setattr(services, "stored_rows", watched if sqlite else stored_rows)
    returns_import(council=derby, folder=returns_dir)
    for r in SufficiencyReturn.objects.all():
        path = returns_dir / str(r.collection_year) / f"{r.kind}.csv"
        assert r.text == path.read_text(encoding="utf-8-sig")
        data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        assert r.sha256 == hashlib.sha256(data).hexdigest()
    assert SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="header").text[0] != (
        "\ufeff"
    )
    if sqlite:
        assert caches and set(caches) == {-2048}
        assert cache_size() == before != -2048


def _merged_files(folder: Path) -> tuple[int, int, tuple[str, ...]]:
    years = sorted(int(d.name) for d in folder.iterdir())
    merged = merge_returns(
        [parse_episodes("e", (folder / f"{y}/episodes.csv").read_bytes(), y) for y in years],
        [parse_header("h", (folder / f"{y}/header.csv").read_bytes(), y) for y in years],
    )
    return merged.headers.height, merged.episodes.height, merged.notes


def test_the_counts_and_notes_are_of_the_years_imported(derby, returns_dir, tmp_path):
    # the import merges the rows it stored, read back: those of its own years, not of
    # years stored before and left as they were
    got = returns_import(council=derby, folder=returns_dir)
    assert (got.children, got.episodes, got.notes) == _merged_files(returns_dir)
    assert got.notes  # the demo's returns repeat episodes in later returns
    one = tmp_path / "one"
    shutil.copytree(returns_dir / str(LAST_YEAR - 1), one / str(LAST_YEAR - 1))
    shutil.copytree(returns_dir / str(LAST_YEAR), one / str(LAST_YEAR))
    got = returns_import(council=derby, folder=one)
    assert got.years == (LAST_YEAR - 1, LAST_YEAR)
    assert (got.children, got.episodes, got.notes) == _merged_files(one)
    assert SufficiencyReturn.objects.count() == 2 * (LAST_YEAR - FIRST_YEAR + 1)


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


def test_the_dashboard_reads_only_its_columns_with_the_same_figures(
    client, users, derby, returns_dir
):
    returns_import(council=derby, folder=returns_dir)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    config = load_config(settings.STARS_SUFFICIENCY_CONFIG)
    full = council_returns(derby)  # every column, child ids as they are
    every = sufficiency_years(
        full.episodes,
        full.headers,
        years,
        population=config.population.get("derby", {}),
        weekly_costs=config.weekly_cost,
    )
    services._PARSED.clear()
    page = dashboard_context(derby)
    # the same figures, each count listed in the same order
    assert repr(page["figures"]) == repr(every)
    assert page["notes"] == full.notes
    read = list(services._PARSED.values())
    assert [m.episodes.columns for m in read] == [list(DASHBOARD_COLUMNS.episodes)]
    assert [m.headers.columns for m in read] == [list(DASHBOARD_COLUMNS.headers)]
    assert read[0].episodes.estimated_size() * 2 < full.episodes.estimated_size()
    # the page itself reads them so
    services._PARSED.clear()
    client.force_login(users["commissioner"])
    assert client.get("/sufficiency/derby/").status_code == 200
    assert [m.episodes.columns for m in services._PARSED.values()] == [
        list(DASHBOARD_COLUMNS.episodes)
    ]


def test_the_pages_read_the_stored_rows_without_parsing_the_text_again(
    derby, returns_dir, monkeypatch
):
    # parsed and checked when imported (all or nothing): the pages read back the rows kept
    # then, and neither read the text again nor check it
    returns_import(council=derby, folder=returns_dir)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    checked = merge_returns(
        [parse_episodes("e", (returns_dir / f"{y}/episodes.csv").read_bytes(), y) for y in years],
        [parse_header("h", (returns_dir / f"{y}/header.csv").read_bytes(), y) for y in years],
    )

    def parsing(*args, **kwargs):
        raise AssertionError("a stored return parsed again")

    for name in ("_read", "_check_required", "_check_codes", "_episode_order_errors"):
        monkeypatch.setattr(ssda903, name, parsing)
    services._PARSED.clear()
    read = council_returns(derby)
    # every row and value as the checked files give them
    assert read.episodes.equals(checked.episodes)
    assert read.headers.equals(checked.headers)
    assert read.notes == checked.notes
    services._PARSED.clear()
    slim = council_returns(derby, DASHBOARD_COLUMNS)
    assert slim.episodes.height == checked.episodes.height


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


def test_a_rate_not_shown_says_the_population_is_not_configured(client, users, derby, returns_dir):
    # a council whose child population the configuration does not give: its rate is not
    # shown, and the dashboard says why and where to give it, not a bare dash
    nottingham = Council.objects.get(code="nottingham")
    returns_import(council=nottingham, folder=returns_dir)
    notes = dashboard_context(nottingham)["notes"]
    assert (
        f"no child population for Nottingham City Council in {FIRST_YEAR - 1}-{FIRST_YEAR % 100} "
        f"to {LAST_YEAR - 1}-{LAST_YEAR % 100} in the sufficiency configuration: no rate per "
        "10,000 children for them (give each year's children under 18 under "
        "[population.nottingham])" in notes
    ), notes
    returns_import(council=derby, folder=returns_dir)
    assert not any("no child population" in n for n in dashboard_context(derby)["notes"])


HEADINGS = {
    "header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n",
    "episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n",
}


def _year(folder: Path, year: int, header: str, episodes: str) -> Path:
    (folder / str(year)).mkdir(parents=True, exist_ok=True)
    (folder / str(year) / "header.csv").write_text(HEADINGS["header"] + header)
    (folder / str(year) / "episodes.csv").write_text(HEADINGS["episodes"] + episodes)
    return folder


def test_an_episode_of_a_child_missing_from_the_years_header_is_named(derby, returns_dir):
    episodes = returns_dir / "2021" / "episodes.csv"
    lines = episodes.read_text().split("\n")
    lines[4] = "NOT-IN-HEADER," + lines[4].split(",", 1)[1]
    episodes.write_text("\n".join(lines))
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines == [
        "2021/episodes.csv:5: column CHILD: child 'NOT-IN-HEADER' is not in 2021/header.csv; "
        "expected every child with an episode in the year to have a row in that year's header"
    ]
    assert not SufficiencyReturn.objects.exists()


def test_an_episodes_file_without_episodes_is_refused_unless_asked_for(derby, returns_dir):
    returns_import(council=derby, folder=returns_dir)
    before = SufficiencyReturn.objects.get(collection_year=2024, kind="episodes").rows
    (returns_dir / "2024" / "episodes.csv").write_text(HEADINGS["episodes"])
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines == [
        "2024/episodes.csv:1: has no episodes, only its heading row; importing it would leave "
        "2024 with no episodes, replacing any loaded before. Expected the year's episodes (or "
        "--replace-with-empty if an empty year is meant)"
    ]
    assert SufficiencyReturn.objects.get(collection_year=2024, kind="episodes").rows == before
    returns_import(council=derby, folder=returns_dir, replace_with_empty=True)
    assert SufficiencyReturn.objects.get(collection_year=2024, kind="episodes").rows == 0


def test_the_import_command_refuses_an_empty_year_and_takes_the_flag(derby, tmp_path):
    folder = _year(tmp_path / "r", 2024, "C1,1,01/01/2010,WBRI,,,\n", "")
    runner = CliRunner()
    got = runner.invoke(cli.app, ["sufficiency", "import", str(folder), "--council", "derby"])
    assert got.exit_code == 1
    assert (
        got.stderr.strip()
        .splitlines()[0]
        .startswith(  # the progress bar leaves a newline
            "2024/episodes.csv:1: has no episodes, only its heading row;"
        )
    )
    assert "--replace-with-empty" in got.stderr
    assert not SufficiencyReturn.objects.exists()
    got = runner.invoke(
        cli.app,
        ["sufficiency", "import", str(folder), "--council", "derby", "--replace-with-empty"],
    )
    assert got.exit_code == 0, got.output
    assert SufficiencyReturn.objects.filter(collection_year=2024).count() == 2
    # and a file where the folder should be is one line, not a traceback
    got = runner.invoke(cli.app, ["sufficiency", "import", str(folder / "2024" / "header.csv"),
                                  "--council", "derby"])  # fmt: skip
    assert got.exit_code == 1 and "Traceback" not in got.output
    assert got.stderr.strip().splitlines() == [
        f"error: {folder / '2024' / 'header.csv'}: is a file, expected a directory holding "
        "YEAR/header.csv and YEAR/episodes.csv; nothing was imported"
    ]


def test_placed_for_adoption_has_its_own_group_and_weekly_cost(client, users, derby, tmp_path):
    costs = load_config(settings.STARS_SUFFICIENCY_CONFIG).weekly_cost
    assert costs["adoption"] < costs["other"]  # adopters get no fostering allowance
    # two children all year (2023-24: 366 days): one placed for adoption (A4), one in a
    # family centre (R3)
    folder = _year(
        tmp_path / "r",
        2024,
        "C1,1,01/01/2021,WBRI,,,\nC2,2,01/01/2022,WBRI,,0,\n",
        "C1,01/04/2023,S,E1,N1,A4,PR1,,,,,,\nC2,01/04/2023,S,C2,N1,R3,PR4,,,,,,\n",
    )
    returns_import(council=derby, folder=folder)
    merged = council_returns(derby)
    figures = sufficiency_years(merged.episodes, merged.headers, [2024], weekly_costs=costs)
    year = figures[0]
    assert year.placement_mix["adoption"] == 1 and year.placement_mix["other"] == 1
    days = year.days_by_group["adoption"]
    assert days == 366 and year.spend_by_group["adoption"] == days * costs["adoption"] / 7
    assert year.spend_by_group["other"] == year.days_by_group["other"] * costs["other"] / 7
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/").content.decode()
    assert "Adoption" in page
    forecast = forecast_context(merged, 2024, Choices(years=1))
    assert "Adoption" in {row[0] for row in forecast["tables"][1].rows}
    assert client.get("/sufficiency/derby/forecast/").status_code == 200


def test_the_import_gives_large_freed_blocks_back(derby, returns_dir, monkeypatch):
    # the process that imports returns (the command, the upload's job worker) asks glibc to
    # give large freed blocks back (tests/core/test_allocator.py); the web server does not
    asked: list[bool] = []
    monkeypatch.setattr(services, "give_large_blocks_back", lambda: asked.append(True))
    returns_import(council=derby, folder=returns_dir)
    assert asked == [True]


def test_a_year_with_no_return_leaves_the_years_before_it_as_they_were(derby, returns_dir):
    # a council that lacks one year's return: the children looked after at each earlier 31
    # March are those of the full returns, not fewer (an episode open at the end of the year
    # before the gap and ended in the gap is kept up to then), and the page says a year is
    # missing
    full = dashboard_context_figures(derby, returns_dir)
    gap = LAST_YEAR - 2
    shutil.rmtree(returns_dir / str(gap))
    SufficiencyReturn.objects.all().delete()
    returns_import(council=derby, folder=returns_dir)
    context = dashboard_context(derby)
    with_gap = {f.year: f.looked_after for f in context["figures"]}
    assert gap not in with_gap
    assert with_gap == {y: n for y, n in full.items() if y != gap}
    missing = f"no return loaded for {gap - 1}-{gap % 100:02d}"
    assert any(n.startswith(missing) for n in context["notes"]), context["notes"]


def dashboard_context_figures(council: Council, folder: Path) -> dict[int, int]:
    returns_import(council=council, folder=folder)
    return {f.year: f.looked_after for f in dashboard_context(council)["figures"]}


def test_blank_lines_and_rows_of_commas_are_no_rows(derby, returns_dir):
    # as a spreadsheet saves them: blank lines, and rows of commas where cells were once
    # formatted, between the rows and at the end; a problem after them keeps its line
    expected = _merged_files(returns_dir)
    for path in returns_dir.glob("*/*.csv"):
        head, *rows = path.read_text().splitlines()
        commas = "," * head.count(",")
        path.write_text("\r\n".join([head, rows[0], "", commas, *rows[1:], "", commas, ""]))
    got = returns_import(council=derby, folder=returns_dir)
    assert (got.children, got.episodes, got.notes) == expected
    _break_cell(returns_dir / str(LAST_YEAR) / "episodes.csv", 6, "PLACE", "ZZ")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines[0].startswith(f"{LAST_YEAR}/episodes.csv:6: column PLACE:")
    assert len(caught.value.lines) == 1, caught.value.lines


def test_an_unknown_code_lists_every_valid_code_and_those_only_a_later_year_accepts(
    derby, returns_dir
):
    # PLACE has about 30 codes: none is left out of the message (U6 and Z1 were), and a code
    # DfE added later says from when
    _break_cell(returns_dir / "2021" / "episodes.csv", 5, "PLACE", "Q1")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    (line,) = caught.value.lines
    assert line.startswith("2021/episodes.csv:5: column PLACE: unknown code 'Q1' for 2020-21;")
    assert line.endswith("U4, U5, U6, Z1; Q1, Q2 only from 2023-24"), line


def test_a_line_break_in_a_quoted_cell_leaves_the_lines_after_it_named_right(derby, returns_dir):
    # a postcode typed over two lines in a spreadsheet: the row after it is a line later
    episodes = returns_dir / str(LAST_YEAR) / "episodes.csv"
    _break_cell(episodes, 5, "PLACE", "ZZ")
    _break_cell(episodes, 3, "HOME_POST", '"ZZ99\n1AA"')
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines[0].startswith(f"{LAST_YEAR}/episodes.csv:6: column PLACE:"), (
        caught.value.lines
    )


def test_a_date_with_a_two_digit_year_is_refused_not_read_as_the_year_18(derby, returns_dir):
    # a spreadsheet's short date (dd/mm/yy) was read as a date in the first century: the
    # episode counted as open since then, in every year, with no starters
    _break_cell(returns_dir / str(LAST_YEAR) / "episodes.csv", 5, "DECOM", "01/06/18")
    _break_cell(returns_dir / str(LAST_YEAR) / "header.csv", 3, "DOB", "1/1/10")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines[:2] == [
        f"{LAST_YEAR}/header.csv:3: column DOB: malformed date '1/1/10'; expected dd/mm/YYYY",
        f"{LAST_YEAR}/episodes.csv:5: column DECOM: malformed date '01/06/18'; expected dd/mm/YYYY",
    ], caught.value.lines


def test_a_folder_of_returns_not_named_by_its_year_is_named_not_left_out(derby, returns_dir):
    # "2023-24/" beside "2023/": it was skipped without a word, its year never imported
    (returns_dir / str(LAST_YEAR)).rename(returns_dir / f"{LAST_YEAR - 1}-{LAST_YEAR % 100}")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines == [
        f"{returns_dir}/{LAST_YEAR - 1}-{LAST_YEAR % 100}: holds returns but is not named by a "
        f"collection year; expected the year it ends in four digits, e.g. 2025 for 2024-25"
    ]
    assert not SufficiencyReturn.objects.exists()


def test_placements_with_no_provider_are_counted_as_not_recorded(client, users, derby, tmp_path):
    # they were counted as agency fostering and external residential
    folder = _year(
        tmp_path / "r",
        2024,
        "C1,1,01/01/2012,WBRI,,,\nC2,2,01/01/2012,WBRI,,0,\nC3,1,01/01/2012,WBRI,,,\n",
        "C1,01/04/2023,S,C2,N1,U6,,,,,,,\nC2,01/04/2023,S,C2,N1,K2,,,,,,,\n"
        "C3,01/04/2023,S,C2,N1,U6,PR4,,,,,,\n",
    )
    done = returns_import(council=derby, folder=folder)
    assert (
        "2 foster or residential episodes with no PLACE_PROVIDER: counted as provider not "
        "recorded (neither in-house nor external)"
    ) in done.notes
    merged = council_returns(derby)
    year = sufficiency_years(merged.episodes, merged.headers, [2024])[0]
    assert year.placement_mix["fostering, provider not recorded"] == 1
    assert year.placement_mix["residential, provider not recorded"] == 1
    assert year.placement_mix["agency fostering"] == 1
    assert year.placement_mix["external residential"] == 0
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/").content.decode()
    assert "Fostering, provider not recorded" in page and "2 foster or residential" in page
    book = load_workbook(io.BytesIO(client.get("/sufficiency/derby/?format=xlsx").content))
    mix = {
        row[0]: row[1:]
        for row in book["Placement mix at each 31 March"].iter_rows(min_row=2, values_only=True)
    }
    assert mix["Residential, provider not recorded"] == (1,)
    assert mix["External residential"] == (0,)
    forecast = forecast_context(merged, 2024, Choices(years=1, residential_entries=-20))
    assert "Residential, provider not recorded" in {row[0] for row in forecast["tables"][1].rows}
    got = CliRunner().invoke(cli.app, ["sufficiency", "import", str(folder), "--council", "derby"])
    assert "2 foster or residential episodes with no PLACE_PROVIDER" in got.output, got.output


def test_a_date_out_of_the_returns_span_is_refused_and_nothing_changes(derby, returns_dir):
    returns_import(council=derby, folder=returns_dir)
    before = sorted(SufficiencyReturn.objects.values_list("pk", "sha256"))
    _break_cell(returns_dir / str(LAST_YEAR) / "episodes.csv", 5, "DECOM", "01/06/1018")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert (
        f"{LAST_YEAR}/episodes.csv:5: column DECOM: DECOM 01/06/1018 is before "
        f"01/04/{LAST_YEAR - 20}; expected a date from 01/04/{LAST_YEAR - 20} to "
        f"31/03/{LAST_YEAR} in the {LAST_YEAR - 1}-{LAST_YEAR % 100} return (a child looked "
        "after in the year is under 18 at its start)"
    ) in caught.value.lines
    assert sorted(SufficiencyReturn.objects.values_list("pk", "sha256")) == before


def test_an_episode_before_the_childs_date_of_birth_is_refused(derby, tmp_path):
    folder = _year(
        tmp_path / "r",
        2024,
        "C1,1,01/05/2023,WBRI,,,\n",
        "C1,01/04/2023,S,C2,N1,U6,PR1,,,,,,\n",
    )
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=folder)
    assert caught.value.lines == [
        "2024/episodes.csv:2: column DECOM: DECOM 01/04/2023 is before the date of birth of "
        "child 'C1' (01/05/2023 in 2024/header.csv); expected an episode to start on or after it"
    ]
    assert not SufficiencyReturn.objects.exists()


def test_returns_without_the_columns_no_page_reads_are_imported(derby, returns_dir):
    # a return without URN or MC_DOB was refused, though nothing reads them
    whole = returns_import(council=derby, folder=returns_dir)
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for kind, dropped in (("header", ("UPN", "MOTHER", "MC_DOB")), ("episodes", ("URN",))):
            path = returns_dir / str(year) / f"{kind}.csv"
            rows = [line.split(",") for line in path.read_text().splitlines()]
            keep = [i for i, h in enumerate(rows[0]) if h not in dropped]
            path.write_text("".join(",".join(r[i] for i in keep) + "\n" for r in rows))
    services._PARSED.clear()
    cut = returns_import(council=derby, folder=returns_dir)
    assert (cut.children, cut.episodes, cut.notes) == (whole.children, whole.episodes, whole.notes)


def test_returns_that_record_every_provider_show_no_provider_not_recorded_rows(derby, returns_dir):
    returns_import(council=derby, folder=returns_dir)
    tables = {t.title: t for t in dashboard_context(derby)["tables"]}
    shown = {row[0] for row in tables["Placement mix at each 31 March"].rows}
    assert "Agency fostering" in shown
    assert not {g for g in shown if "provider not recorded" in g}
    merged = council_returns(derby)
    forecast = forecast_context(merged, LAST_YEAR, Choices(years=1))
    assert not {row[0] for row in forecast["tables"][1].rows if "not recorded" in row[0]}


def _after(folder: Path, today: dt.date) -> list[str]:
    """Every date cell of every return under ``folder`` after ``today``, as the import names
    it, read with the standard library (file order, then line, then column)."""
    named = []
    for year_dir in sorted(folder.iterdir()):
        for kind, columns in (("header", ("DOB", "MC_DOB")), ("episodes", ("DEC", "DECOM"))):
            rows = csv.DictReader((year_dir / f"{kind}.csv").read_text().splitlines())
            for line, row in enumerate(rows, start=2):
                for column in columns:
                    if not row[column]:
                        continue
                    day = dt.datetime.strptime(row[column], "%d/%m/%Y").date()
                    if day > today:
                        named.append(
                            f"{year_dir.name}/{kind}.csv:{line}: column {column}: {column} "
                            f"{row[column]} is in the future (after {today:%d/%m/%Y}"
                        )
    return named


def test_returns_hold_no_date_after_their_own_31_march(derby, returns_dir):
    # the demo's generated returns, each as known at its 31 March: imported on the last
    # one's 31 March, none is in the future
    got = returns_import(council=derby, folder=returns_dir, today=dt.date(LAST_YEAR, 3, 31))
    assert got.years == tuple(range(FIRST_YEAR, LAST_YEAR + 1))
    assert _after(returns_dir, dt.date(LAST_YEAR, 3, 31)) == []


@pytest.mark.parametrize("today", [dt.date(LAST_YEAR, 2, 20), dt.date(LAST_YEAR - 2, 12, 1)])
def test_a_date_after_the_day_of_import_in_any_return_is_refused_and_nothing_changes(
    derby, returns_dir, today
):
    # a placement started or ended after the day of import in that day's year's return (and,
    # imported a year earlier, in the next year's too), the other years' dates all past
    returns_import(council=derby, folder=returns_dir)
    before = sorted(SufficiencyReturn.objects.values_list("pk", "sha256"))
    year_of_today = today.year + (today.month >= 4)  # the collection year it falls in
    expected = [
        line
        for line in _after(returns_dir, today)
        if int(line.split("/")[0]) == year_of_today or year_of_today == LAST_YEAR
    ]
    # a year not begun on the day of import is one problem, not one of each of its dates
    expected += [
        f"{y}/: the {y - 1}-{y % 100:02d} return is of a year not yet begun (it begins on "
        f"01/04/{y - 1}, after {today:%d/%m/%Y}, the day of import)"
        for y in range(year_of_today + 1, LAST_YEAR + 1)
    ]
    assert len(expected) > 10
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir, today=today)
    lines = caught.value.lines
    assert caught.value.headline.startswith(f"{len(expected)} problems found; nothing was")
    shown = lines[: services.MAX_LISTED]
    assert [x[: len(e)] for x, e in zip(shown, expected, strict=False)] == expected[:200]
    assert all(x.endswith("in the future)") or "not yet begun" in x for x in shown)
    assert lines[len(shown) :] == (
        [f"... and {len(expected) - len(shown)} more problems"] if len(expected) > 200 else []
    )
    assert sorted(SufficiencyReturn.objects.values_list("pk", "sha256")) == before


def test_a_return_of_a_year_not_yet_begun_is_one_problem_of_that_year(derby, tmp_path):
    # a folder named a year too late (2027 for 2025-26, read in December 2025): every date
    # in it is in the future, but what is wrong is the year, said once
    folder = tmp_path / "returns"
    (folder / "2027").mkdir(parents=True)
    (folder / "2027" / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC\nC1,1,03/02/2012,WBRI\nC2,2,17/05/2011,WBRI\n"
    )
    (folder / "2027" / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
        "C1,01/06/2025,S,C2,N1,U4,PR1,01/09/2025,E11\nC2,01/07/2025,S,C2,N1,U1,PR1,,\n"
    )
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=folder, today=dt.date(2025, 12, 1))
    assert caught.value.headline.startswith("1 problem found; nothing was imported")
    assert caught.value.lines == [
        "2027/: the 2026-27 return is of a year not yet begun (it begins on 01/04/2026, "
        "after 01/12/2025, the day of import); expected a year begun by then, named by the "
        "year it ends in, at the latest 2026 for 2025-26"
    ]
    assert not SufficiencyReturn.objects.exists()
    # the same return read once its year has begun: its dates are checked as any other's
    got = returns_import(council=derby, folder=folder, today=dt.date(2026, 8, 1))
    assert (got.years, got.children, got.episodes) == ((2027,), 2, 2)


@time_machine.travel(dt.datetime(LAST_YEAR, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_the_import_command_takes_today_from_the_clock(derby, returns_dir):
    expected = _after(returns_dir, dt.date(LAST_YEAR, 3, 10))
    got = CliRunner().invoke(cli.app, ["sufficiency", "import", str(returns_dir), "--council",
                                       "derby"])  # fmt: skip
    assert got.exit_code == 1, got.output
    listed = [x for x in got.stderr.splitlines() if x.startswith(f"{LAST_YEAR}/")]
    assert [x[: len(e)] for x, e in zip(listed, expected, strict=True)] == expected
    assert not SufficiencyReturn.objects.exists()


@time_machine.travel(dt.datetime(LAST_YEAR, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_validate_refuses_what_the_import_refuses_before_dfes_rules_run(
    derby, returns_dir, monkeypatch
):
    # the same day from the clock, the same rule: a date after it in this year's return
    def not_run(*args, **kwargs):
        raise AssertionError("DfE's rules ran on returns the import refuses")

    monkeypatch.setattr("stars.sufficiency.validator.ensure_environment", not_run)
    imported = CliRunner().invoke(cli.app, ["sufficiency", "import", str(returns_dir),
                                            "--council", "derby"])  # fmt: skip
    checked = CliRunner().invoke(cli.app, ["sufficiency", "validate", str(returns_dir),
                                           "--la", "E06000015"])  # fmt: skip
    assert (imported.exit_code, checked.exit_code) == (1, 1), checked.output

    def listed(output: str) -> list[str]:
        return [x for x in output.splitlines() if x.strip() and not x.startswith("error:")]

    problems = listed(imported.stderr)
    assert len(problems) > 10
    assert listed(checked.stderr) == problems
    assert checked.stderr.splitlines()[-1] == (
        f"error: {len(problems)} problems found; the import would refuse them; nothing was "
        "validated. Correct the files and check them again."
    )
    assert not SufficiencyReturn.objects.exists()


def _config_in_capitals(tmp_path: Path) -> Path:
    """The sufficiency configuration with Derby's tables keyed ``Derby``, as a person may
    write the council's code (the contract's is ``derby``)."""
    text = Path(settings.STARS_SUFFICIENCY_CONFIG).read_text(encoding="utf-8")
    for old, new in (
        ("[population.derby]", "[population.Derby]"),
        ("[targets.derby]", "[targets.Derby]"),
        ('\nderby = "', '\nDerby = "'),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "sufficiency.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_councils_code_in_another_case_in_the_configuration_is_the_same_council(
    derby, returns_dir, tmp_path, settings
):
    # a council's code is one in any case: Derby's population, target and ONS code keyed
    # "Derby" are Derby's, not left out with a note to give them under "derby"
    settings.STARS_SUFFICIENCY_CONFIG = _config_in_capitals(tmp_path)
    config = load_config(settings.STARS_SUFFICIENCY_CONFIG)
    returns_import(council=derby, folder=returns_dir)
    context = dashboard_context(derby)
    assert not any("no child population" in n for n in context["notes"]), context["notes"]
    assert all(f.rate_per_10k is not None for f in context["figures"])
    assert context["target"] == config.of_council("derby").targets["looked_after_below"]
    assert context["target"] is not None
    assert config.of_council("DERBY").ons_code == "E06000015"


def test_a_council_given_twice_in_the_configuration_in_two_cases_is_refused(tmp_path):
    path = tmp_path / "sufficiency.toml"
    path.write_text(
        Path(settings.STARS_SUFFICIENCY_CONFIG).read_text(encoding="utf-8")
        + "\n[population.Derby]\n2024 = 43000\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: population.Derby: the council is given twice, as 'derby' and 'Derby' (a "
        "council's code is one in any case); expected it once"
    )
