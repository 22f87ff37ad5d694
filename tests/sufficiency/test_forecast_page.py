"""The forecast page: projection with its band, a scenario beside it, a backtest, and clear
errors for values out of range; costs come from configuration."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stars.demo.returns import write_demo_returns
from stars.domain.sufficiency.codes import PLACEMENT_GROUPS
from stars.domain.sufficiency.ssda903 import FORECAST_COLUMNS
from stars.partnership.models import Council
from stars.sufficiency import services
from stars.sufficiency.config import ConfigError, weekly_costs
from stars.sufficiency.dashboard import dashboard_context
from stars.sufficiency.forecasting import Choices, forecast_context, whole_percents
from stars.sufficiency.models import SufficiencyReturn
from stars.sufficiency.services import council_returns, returns_import


@pytest.fixture
def derby_returns(users, tmp_path):
    derby = Council.objects.get(code="derby")
    returns_import(council=derby, folder=write_demo_returns(tmp_path / "r", seed=3))
    return derby


def test_the_scenario_moves_children_from_agency_to_in_house_fostering(derby_returns):
    merged = council_returns(derby_returns)
    base = forecast_context(merged, 2024, Choices(years=2))
    alt = forecast_context(merged, 2024, Choices(years=2, to_inhouse=50, residential_entries=-50))
    groups = {r[0]: r for r in alt["tables"][1].rows}
    # columns: group, now, expected, 90% band, share of the children now, expected share,
    # scenario
    assert groups["In-house fostering"][6] > groups["In-house fostering"][2]
    assert groups["Agency fostering"][6] < groups["Agency fostering"][2]
    assert groups["External residential"][6] <= groups["External residential"][2]
    assert len(base["tables"][0].rows) == 2
    accuracy = base["tables"][2]
    assert accuracy.key == "accuracy"
    total = [r for r in accuracy.rows if r[0] == "Total"]
    # returns 2018-2024: origins 2020-2023 have a year after them, 2020-2022 two, 2020-2021 three
    assert [(r[1], r[2]) for r in total] == [(1, 4), (2, 3), (3, 2)]
    trust = base["trust"]
    assert trust["origins"] == (2020, 2021, 2022, 2023)
    assert trust["backtests"] == 9 * len(groups)
    assert 0 <= trust["covered"] <= trust["backtests"]


def test_the_total_is_shared_out_between_the_groups_shares_now_and_in_the_model(derby_returns):
    from stars.domain.sufficiency.forecast import project
    from stars.domain.sufficiency.rolling import rolling_backtests

    merged = council_returns(derby_returns)
    page = forecast_context(merged, 2024, Choices(years=1))
    rolling = rolling_backtests(merged.episodes, merged.headers)
    model = project(rolling.models[2024], 1).years[0]
    shares = page["total_shares"]
    assert all(0 <= v <= 100 for v in shares.values()) and sum(shares.values()) == 100
    # the total's own combination of no change, the level, the model and the total reverting
    # to its trend,
    # weighted as the page states (each weight rounded to a whole per cent)
    rows = page["tables"][1].rows
    now_total = sum(row[1] for row in rows)
    reverting = rolling.reverting_totals(2024, 1)[0]
    level = sum(model.level_by_group.values())
    total = page["tables"][0].rows[0][1]
    candidates = {"now": now_total, "level": level, "model": model.total, "reverting": reverting}
    assert round(min(candidates.values())) - 1 <= total <= round(max(candidates.values())) + 1
    stated = sum(shares[k] * v for k, v in candidates.items()) / 100
    spread = max(abs(v - now_total) for v in candidates.values())
    assert abs(stated - total) <= 0.02 * spread + 1
    # each group's share of the total lies between its share now, in the level and in the
    # model (each rounded to a whole per cent), the weights of the three shares stated
    weights = page["group_shares"]
    assert all(0 <= v <= 100 for v in weights.values()) and sum(weights.values()) == 100
    moved = total - sum(row[2] for row in rows)
    for row in rows:
        group = row[0].lower()
        now_share, share = int(row[4] * 100), int(row[5] * 100)  # shares: 0.16 is 16%
        assert now_share == round(100 * row[1] / now_total)
        candidates = (
            100 * row[1] / now_total,
            100 * model.level_by_group[group] / level,
            100 * model.by_group[group] / model.total,
        )
        assert round(min(candidates)) - 1 <= share <= round(max(candidates)) + 1
    assert abs(moved) <= len(rows)  # the groups add up to the total (each rounded)


def test_the_page_shows_the_projection_and_names_a_bad_value(client, users, derby_returns):
    client.force_login(users["commissioner"])
    page = client.get("/sufficiency/derby/forecast/", {"years": "2"}).content.decode()
    assert "Children looked after and cost, projected" in page and "How far to trust it" in page
    assert "The 90% band held the actual count in" in page
    assert 'data-testid="total-shares"' in page and 'The total weighs "no change" ' in page
    assert (
        "and the total reverting to its trend" in page and "damped trend of the total" not in page
    )
    # each forecast weighs in the total only as far as the backtests show it beat no change
    assert "only as far as those backtests give evidence that it beat" in page
    assert 'data-testid="group-shares"' in page and "in the model with its entry trend" in page
    # entries: the last three years' average and every year's, weighed by the trend's evidence
    weighed = re.search(r"and of all (\d+) years of returns, weighed (\d+)% to (\d+)%", page)
    assert weighed is not None
    years, recent, long = (int(x) for x in weighed.groups())
    assert years > 3 and recent + long == 100
    assert "the same share of the trend kept: entries grow by" in page
    assert "Agency fostering" in page and "£820.00" in page  # the configured weekly cost
    bad = client.get("/sufficiency/derby/forecast/", {"years": "9", "to_inhouse": "x"})
    assert bad.status_code == 400
    text = bad.content.decode()
    # the words of every number a form asks for (stars.core.forms.number_field)
    assert "Years ahead must be between 1 and 5" in text
    assert "Share moved in-house must be a whole number, like 25" in text
    assert 'href="#years"' in text and 'id="years-error"' in text
    assert 'value="9"' in text and 'value="x"' in text  # shown as typed, to correct
    client.force_login(users["spoc_nottingham"])
    assert client.get("/sufficiency/derby/forecast/").status_code == 404


def test_a_bad_costs_file_is_named(tmp_path):
    path = Path(tmp_path / "costs.toml")
    path.write_text('[weekly_cost]\n"boarding school" = 100\n')
    with pytest.raises(ConfigError, match="boarding school.*unknown group"):
        weekly_costs(path)
    path.write_text("[weekly_cost\n")
    with pytest.raises(ConfigError, match="costs.toml"):
        weekly_costs(path)
    path.write_text('[weekly_cost]\n[local_authority]\nderby = "Derby"\n')
    with pytest.raises(ConfigError, match='local_authority: expected council = "ONS code"'):
        weekly_costs(path)


def test_the_forecast_downloads_carry_the_scenario_and_its_figures(client, users, derby_returns):
    import io

    from openpyxl import load_workbook

    from stars.core.models import AccessLog

    client.force_login(users["commissioner"])
    query = {"years": "2", "residential_entries": "-50", "to_inhouse": "25"}
    book = client.get("/sufficiency/derby/forecast/", {**query, "format": "xlsx"})
    assert book.status_code == 200
    assert 'filename="sufficiency-forecast-derby.xlsx"' in book["Content-Disposition"]
    wb = load_workbook(io.BytesIO(book.content))
    assert [r for r in wb["Scenario"].iter_rows(min_row=2, values_only=True)] == [
        ("Years ahead", 2),
        ("Change in residential entries (%)", -50),
        ("Agency fostering placed in-house instead (%)", 25),
    ]
    page = forecast_context(council_returns(derby_returns), 2024, Choices(2, -50, 25))
    projection = page["tables"][0]
    sheet = wb["Projection"]
    assert [c.value for c in sheet[1]] == projection.headers
    assert sheet.cell(2, 2).value == projection.rows[0][1]  # children expected, first year
    assert wb.sheetnames == [
        "Scenario",
        "Projection",
        "Groups",
        "Accuracy",
        "History",
        "Weekly unit costs",
    ]
    accuracy = [r for r in wb["Accuracy"].iter_rows(values_only=True)]
    assert accuracy[0][:4] == ("Placement group", "Years ahead", "Backtests", "This forecast")
    assert str(accuracy[-1][0]).startswith("The 90% band held the actual count in")
    assert wb["Weekly unit costs"].cell(2, 1).value == "Kinship fostering"
    pdf = client.get("/sufficiency/derby/forecast/", {**query, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="export", object_id="derby").count() == 2
    bad = client.get("/sufficiency/derby/forecast/", {"years": "9", "format": "xlsx"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")


def test_the_forecast_reads_only_its_columns_typed_compactly(derby_returns):
    full = council_returns(derby_returns)
    slim = council_returns(derby_returns, FORECAST_COLUMNS)
    assert slim.episodes.columns == ["CHILD", "DECOM", "DEC", "REC", "LS", "GROUP", "YEAR"]
    assert slim.headers.columns == ["CHILD", "DOB", "YEAR"]
    assert slim.episodes.schema["GROUP"] == pl.Enum(PLACEMENT_GROUPS)
    assert slim.episodes.schema["LS"] == slim.episodes.schema["REC"] == pl.Categorical
    # a fraction of the memory, every value and note as read with every column
    assert slim.episodes.estimated_size() * 2 < full.episodes.estimated_size()
    assert slim.notes == full.notes
    for name in ("episodes", "headers"):
        kept, every = getattr(slim, name), getattr(full, name)
        others = [c for c in kept.columns if c != "CHILD"]
        assert kept.select(others).equals(every.select(others).cast(kept.select(others).schema))
        # child ids as numbers in the ids' order: the same children, sorted and joined alike
        assert kept["CHILD"].dtype.is_integer()
        assert kept["CHILD"].rank("dense").equals(every["CHILD"].rank("dense"))
    assert slim.episodes["CHILD"].max() < full.headers.height


def test_the_forecast_page_is_the_same_from_its_columns_alone(client, users, derby_returns):
    full = forecast_context(council_returns(derby_returns), 2024, Choices(3, -20, 30))
    slim = forecast_context(
        council_returns(derby_returns, FORECAST_COLUMNS), 2024, Choices(3, -20, 30)
    )
    assert [(t.headers, t.rows) for t in slim["tables"]] == [
        (t.headers, t.rows) for t in full["tables"]
    ]
    assert slim["trust"] == full["trust"]
    # the page itself reads the stored returns with the forecast's columns only
    services._PARSED.clear()
    client.force_login(users["commissioner"])
    assert client.get("/sufficiency/derby/forecast/", {"years": "3"}).status_code == 200
    read = list(services._PARSED.values())
    assert [m.episodes.columns for m in read] == [list(FORECAST_COLUMNS.episodes)]
    assert [m.headers.columns for m in read] == [list(FORECAST_COLUMNS.headers)]


@given(
    st.tuples(st.floats(1e-6, 1e6), st.lists(st.floats(0, 1e6), max_size=5))
    .map(lambda t: [t[0], *t[1]])
    .flatmap(st.permutations)
)
def test_stated_weights_are_whole_per_cents_adding_up_to_100(raw):
    # the weights a page states (the total's four, the groups' three, the entries' two) add
    # up to 100 as printed, each within a per cent of its exact value
    weights = {f"w{i}": v / sum(raw) for i, v in enumerate(raw)}
    shown = whole_percents(weights)
    assert list(shown) == list(weights) and sum(shown.values()) == 100
    assert all(abs(shown[k] - 100 * weights[k]) < 1 for k in weights)


def test_stated_weights_round_the_largest_remainders_up():
    assert whole_percents({"now": 0.095, "level": 0.155, "model": 0.452, "damped": 0.298}) == {
        "now": 10,
        "level": 15,
        "model": 45,
        "damped": 30,
    }
    assert whole_percents({"now": 1 / 3, "level": 1 / 3, "model": 1 / 3}) == {
        "now": 34,
        "level": 33,
        "model": 33,
    }


def test_the_chart_goes_on_from_the_dashboards_counts_of_past_years(derby_returns):
    # the forecast's past years are the dashboard's children looked after at each 31 March
    # (short breaks left out), and the expected line starts from the last of them
    merged = council_returns(derby_returns)
    page = forecast_context(merged, 2024, Choices(years=2))
    history = page["tables"][3]
    assert history.key == "history"
    shown = {int(at.removeprefix("31 March ")): n for at, n in history.rows}
    dashboard = dashboard_context(derby_returns)
    counts = {y.year: y.looked_after for y in dashboard["figures"]}
    assert shown == counts and list(shown) == sorted(shown)
    svg = page["chart"]
    assert "Looked after (returns)" in svg and "Expected" in svg
    assert sum(row[1] for row in page["tables"][1].rows) == counts[2024]  # "Now"


def test_returns_of_fewer_years_than_the_window_are_said_to_be(client, users, tmp_path):
    # one or two years of returns: the model is fitted on those years only (its window
    # would reach back before them, where only the children still looked after are seen);
    # the page says so, and not with three years
    derby = Council.objects.get(code="derby")
    folder = write_demo_returns(tmp_path / "r", seed=3)
    years = sorted(p.name for p in folder.iterdir())
    client.force_login(users["commissioner"])
    for kept, warned in ((1, True), (2, True), (3, False)):
        short = tmp_path / f"short{kept}"
        for year in years[-kept:]:
            shutil.copytree(folder / year, short / year)
        SufficiencyReturn.objects.filter(council=derby).delete()
        returns_import(council=derby, folder=short)
        page = client.get("/sufficiency/derby/forecast/").content.decode()
        assert ('data-testid="short-history"' in page) is warned, kept
        if warned:
            said = "1 year," if kept == 1 else f"{kept} years,"
            assert f"The returns cover {said} fewer than the three" in page
            # fitted on the years there are (tests/domain/test_forecast.py: not biased)
            fitted = "the year to" if kept == 1 else f"the {kept} years to"
            assert f"fitted on {fitted} the last 31 March" in page
        else:
            assert "fitted on the three years to the last 31 March" in page
