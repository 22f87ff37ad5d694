"""SSDA903 parsing, structural checks and the merge of several years' returns."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stars.domain.sufficiency import ssda903
from stars.domain.sufficiency.codes import (
    FOSTERING_PROVIDER_NOT_RECORDED as FOSTERING_NR,
)
from stars.domain.sufficiency.codes import (
    PLACEMENT_GROUPS,
    code_lists,
    placement_group,
)
from stars.domain.sufficiency.codes import (
    RESIDENTIAL_PROVIDER_NOT_RECORDED as RESIDENTIAL_NR,
)
from stars.domain.sufficiency.ssda903 import (
    FORECAST_COLUMNS,
    ParsedFile,
    check_children_in_header,
    compact,
    merge_returns,
    parse_episodes,
    parse_header,
    parse_return_file,
    read_stored,
    stored_rows,
)

EP_HEAD = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
)
HD_HEAD = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"


def test_clean_file_parses_with_dates_and_groups():
    text = (
        EP_HEAD
        + "A,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\nA,10/05/2019,P,C2,N1,K2,PR4,,,CARPL,,,\n"
    )
    parsed = parse_episodes("episodes2020.csv", text, 2020)
    assert parsed.errors == ()
    rows = parsed.frame.sort("LINE").to_dicts()
    assert rows[0]["DECOM"] == date(2018, 6, 1) and rows[0]["DEC"] == date(2019, 5, 10)
    assert rows[1]["DEC"] is None
    assert [r["GROUP"] for r in rows] == ["in-house fostering", "external residential"]
    assert [r["LINE"] for r in rows] == [2, 3]


def test_overlap_is_reported_with_line_and_column():
    text = (
        EP_HEAD
        + "E,01/04/2019,S,C1,N1,U6,PR4,01/09/2019,X1,,,,\n"
        + "E,15/08/2019,P,C1,N1,U6,PR1,,,CARPL,,,\n"
    )
    parsed = parse_episodes("episodes2020.csv", text, 2020)
    assert len(parsed.errors) == 1
    err = parsed.errors[0]
    assert (err.file, err.line, err.column) == ("episodes2020.csv", 3, "DECOM")
    assert "overlaps the episode on line 2" in err.message
    assert "01/09/2019" in err.message
    assert str(err).startswith("episodes2020.csv, line 3, column DECOM:")


def test_open_episode_followed_by_another_overlaps():
    text = EP_HEAD + "E,01/04/2019,S,C1,N1,U6,PR4,,,,,,\nE,15/08/2019,P,C1,N1,U6,PR1,,,CARPL,,,\n"
    errors = parse_episodes("e.csv", text, 2020).errors
    assert [(e.line, e.column) for e in errors] == [(3, "DECOM")]
    assert "DEC open" in errors[0].message


def test_bad_codes_dates_and_order_are_each_named():
    text = (
        EP_HEAD
        + "A,2019-05-01,S,C2,N1,U4,PR1,,,,,,\n"  # ISO date
        + "B,01/05/2019,S,XX,N1,W9,PR1,,,,,,\n"  # unknown LS and PLACE
        + "C,01/05/2019,S,C2,N1,U4,PR1,01/04/2019,E8,,,,\n"  # DEC before DECOM
        + "D,01/05/2019,S,C2,N1,U4,PR1,01/05/2020,E8,,,,\n"  # DEC after year end
    )
    errors = parse_episodes("e.csv", text, 2020).errors
    got = {(e.line, e.column) for e in errors}
    assert got == {(2, "DECOM"), (3, "LS"), (3, "PLACE"), (4, "DEC"), (5, "DEC")}
    by = {(e.line, e.column): e.message for e in errors}
    assert "expected dd/mm/YYYY" in by[(2, "DECOM")]
    assert "unknown code 'W9' for 2019-20" in by[(3, "PLACE")]
    assert "before DECOM" in by[(4, "DEC")]
    assert "after the end of the year (31/03/2020)" in by[(5, "DEC")]


def test_missing_columns_are_reported_on_line_1():
    parsed = parse_episodes("e.csv", "CHILD,DECOM,RNE\nA,01/05/2019,S\n", 2020)
    assert parsed.frame.height == 0
    assert {e.column for e in parsed.errors} >= {"LS", "PLACE", "DEC"}
    assert "URN" not in {e.column for e in parsed.errors}  # optional: no page reads it
    assert all(e.line == 1 and "missing column" in e.message for e in parsed.errors)


def test_header_checks():
    text = HD_HEAD + "A,1,01/01/2005,WBRI,,,\nB,3,31/02/2010,XXXX,,,\nA,2,01/01/2006,WBRI,,,\n"
    errors = parse_header("h.csv", text, 2020).errors
    got = {(e.line, e.column) for e in errors}
    assert got == {(3, "SEX"), (3, "DOB"), (3, "ETHNIC"), (2, "CHILD"), (4, "CHILD")}


def test_kind_is_told_by_headings():
    assert parse_return_file("x.csv", EP_HEAD, 2020).kind == "episodes"
    assert parse_return_file("y.csv", HD_HEAD, 2020).kind == "header"


def test_code_lists_are_per_year():
    assert "Q1" not in code_lists(2023)["PLACE"]
    assert "Q1" in code_lists(2024)["PLACE"]
    assert "V3" in code_lists(2020)["LS"]


def test_placement_group_mapping():
    assert placement_group("U1", "PR4") == "kinship fostering"
    assert placement_group("U6", "PR1") == "in-house fostering"
    assert placement_group("U6", "PR2") == "in-house fostering"
    assert placement_group("U6", "PR5") == "agency fostering"
    assert placement_group("K2", "PR1") == "in-house residential"
    assert placement_group("R1", "PR4") == "external residential"
    assert placement_group("K1", "PR4") == "secure"
    assert placement_group("H5", "PR4") == "supported / 16+"
    assert placement_group("P1", "PR0") == "placed with parents"
    assert placement_group("R3", "PR4") == "other"


def test_placed_for_adoption_is_its_own_group():
    for place in ("A3", "A4", "A5", "A6"):
        assert placement_group(place, "PR1") == placement_group(place, "PR4") == "adoption"
    text = (
        EP_HEAD
        + "A,01/06/2018,S,E1,N1,A5,PR1,10/05/2019,E11,,,,\nB,01/06/2018,S,C2,N1,Z1,PR4,,,,,,\n"
    )
    groups = parse_episodes("e.csv", text, 2020).frame.sort("LINE")["GROUP"].to_list()
    assert groups == ["adoption", "other"]
    assert "adoption" in PLACEMENT_GROUPS and PLACEMENT_GROUPS[-1] == "other"


def test_every_episode_is_of_a_child_in_the_years_header():
    header = parse_header("2024/header.csv", HD_HEAD + "A,1,01/01/2010,WBRI,,,\n", 2024)
    episodes = parse_episodes(
        "2024/episodes.csv",
        EP_HEAD + "A,01/06/2023,S,C2,N1,U4,PR1,,,,,,\n" + "Z9,01/06/2023,S,C2,N1,U4,PR1,,,,,,\n",
        2024,
    )
    assert [str(e) for e in check_children_in_header(episodes, header)] == [
        "2024/episodes.csv, line 3, column CHILD: child 'Z9' is not in 2024/header.csv; "
        "expected every child with an episode in the year to have a row in that year's header"
    ]
    broken = parse_header("2024/header.csv", "CHILD,SEX\nA,1\n", 2024)
    assert check_children_in_header(episodes, broken) == []  # its own errors say why


def test_merge_keeps_the_later_version_of_a_repeated_episode():
    y2019 = parse_episodes("e2019.csv", EP_HEAD + "A,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n", 2019)
    y2020 = parse_episodes(
        "e2020.csv",
        EP_HEAD
        + "A,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\n"
        + "A,10/05/2019,P,C2,N1,K2,PR4,,,CARPL,,,\n",
        2020,
    )
    h = parse_header("h.csv", HD_HEAD + "A,1,01/01/2005,WBRI,,,\n", 2020)
    merged = merge_returns([y2019, y2020], [h])
    rows = merged.episodes.to_dicts()
    assert len(rows) == 2
    assert rows[0]["DEC"] == date(2019, 5, 10) and rows[0]["REC"] == "X1"
    assert rows[0]["YEAR"] == 2020
    assert merged.headers.height == 1


def test_merge_notes_count_with_thousands_separated():
    rows = "".join(f"C{i},01/06/2018,S,C2,N1,U4,PR1,,,,,,\n" for i in range(1200))
    merged = merge_returns(
        [
            parse_episodes("e2019.csv", EP_HEAD + rows, 2019),
            parse_episodes("e2020.csv", EP_HEAD + rows, 2020),
        ],
        [],
    )
    assert "1,200 episode rows repeated in a later return; the later kept" in merged.notes


def test_merge_notes_say_one_episode_as_one():
    row = "A,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n"
    repeated = merge_returns(
        [
            parse_episodes("e2019.csv", EP_HEAD + row, 2019),
            parse_episodes("e2020.csv", EP_HEAD + row, 2020),
        ],
        [],
    )
    assert "1 episode row repeated in a later return; the later kept" in repeated.notes
    dropped = merge_returns(
        [
            parse_episodes("e2019.csv", EP_HEAD + row, 2019),
            parse_episodes("e2020.csv", EP_HEAD + row.replace("01/06", "03/06"), 2020),
        ],
        [],
    )
    assert (
        "1 episode open into a later return's year but not restated there was dropped"
        in dropped.notes
    )


def test_merge_drops_an_open_episode_not_restated_later():
    # 2019 return: open episode starting 01/06/2018; 2020 return corrects its DECOM.
    y2019 = parse_episodes("e2019.csv", EP_HEAD + "A,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n", 2019)
    y2020 = parse_episodes("e2020.csv", EP_HEAD + "A,03/06/2018,S,C2,N1,U4,PR1,,,,,,\n", 2020)
    merged = merge_returns([y2019, y2020], [])
    assert merged.episodes.get_column("DECOM").to_list() == [date(2018, 6, 3)]
    assert any("not restated" in n for n in merged.notes)


def test_merge_ends_an_open_episode_in_a_year_with_no_return():
    # 2019 return: A open since 2018; no 2020 return; 2021 return: A is no longer there,
    # so the episode ended in 2019-20 (kept up to 31/03/2020). B's DECOM was corrected
    # (the 2021 return holds B from a start before the end of 2019): dropped as before.
    y2019 = parse_episodes(
        "e2019.csv",
        EP_HEAD + "A,01/06/2018,S,C2,N1,U4,PR1,,,,,,\nB,01/06/2018,S,C2,N1,U4,PR1,,,,,,\n",
        2019,
    )
    y2021 = parse_episodes("e2021.csv", EP_HEAD + "B,03/06/2018,S,C2,N1,U4,PR1,,,,,,\n", 2021)
    merged = merge_returns([y2019, y2021], [])
    rows = merged.episodes.select("CHILD", "DECOM", "DEC").rows()
    assert rows == [("A", date(2018, 6, 1), date(2020, 3, 31)), ("B", date(2018, 6, 3), None)]
    assert any(n.startswith("no return loaded for 2019-20") for n in merged.notes)
    assert any("not restated" in n for n in merged.notes)


def test_a_file_read_as_bytes_parses_as_its_text():
    text = (
        EP_HEAD
        + " A ,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\nB,31/02/2019,S,C2,N1,U4,,,,,,,\n"
    )
    as_text = parse_episodes("e.csv", text, 2020)
    as_bytes = parse_episodes("e.csv", text.encode("utf-8"), 2020)
    assert as_bytes.errors == as_text.errors and as_text.errors  # the bad date, both ways
    assert as_bytes.frame.equals(as_text.frame)
    header = HD_HEAD + "A,1,01/01/2005,WBRI,,,\n"
    assert parse_header("h.csv", header.encode(), 2020).frame.equals(
        parse_header("h.csv", header, 2020).frame
    )


def test_the_rows_kept_of_a_file_read_back_exactly_as_parsed():
    episodes = parse_episodes(
        "e.csv",
        EP_HEAD
        + "Zoë,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,LS1 1AA,,\n"
        + "Zoë,10/05/2019,P,C2,N1,K2,,,,CARPL,,,SC123\n",
        2020,
    )
    header = parse_header("h.csv", HD_HEAD + "Zoë,1,01/01/2005,WBRI,,,\nB,2,,,,,\n", 2020)
    for p in (episodes, header):
        back = read_stored(p.file_name, p.collection_year, p.kind, stored_rows(p))
        assert back.frame.equals(p.frame) and back.frame.schema == p.frame.schema
        assert (back.file_name, back.collection_year, back.kind) == (
            p.file_name,
            p.collection_year,
            p.kind,
        )
    # a reader's columns only, the others not read
    some = read_stored("e.csv", 2020, "episodes", stored_rows(episodes), ["CHILD", "DEC", "GROUP"])
    assert some.frame.equals(episodes.frame.select("CHILD", "DEC", "GROUP"))


_CHILDREN = st.sampled_from(["A", "B", "C10", "C9"])
_STARTS = st.sampled_from(["01/06/2016", "03/06/2016", "10/05/2017", "01/01/2018"])
_ENDS = st.sampled_from(["", "02/01/2018", "31/03/2018"])


@st.composite
def _returns(draw: st.DrawFn) -> list[tuple[int, str]]:
    files = []
    for year in draw(st.lists(st.sampled_from([2018, 2019, 2020]), min_size=1, unique=True)):
        rows = draw(st.dictionaries(st.tuples(_CHILDREN, _STARTS), _ENDS, max_size=6))
        lines = [
            f"{c},{s},S,C2,N1,U4,PR1,{e},{'E11' if e else ''},,,,\n" for (c, s), e in rows.items()
        ]
        files.append((year, EP_HEAD + "".join(lines)))
    return files


@settings(max_examples=60, deadline=None)
@given(_returns())
def test_merging_a_return_at_a_time_keeps_the_latest_row_of_each_episode(
    files: list[tuple[int, str]],
):
    parsed = [parse_episodes(f"e{y}.csv", text, y) for y, text in files]
    merged = merge_returns(parsed, [])
    # the same from a generator, in the reverse order: the latest return still wins
    again = merge_returns((p for p in reversed(parsed)), [])
    assert again.episodes.equals(merged.episodes)
    latest: dict[tuple[str, date], int] = {}
    for p in parsed:
        for child, decom in p.frame.select("CHILD", "DECOM").iter_rows():
            latest[(child, decom)] = max(latest.get((child, decom), 0), p.collection_year)
    got = merged.episodes.select("CHILD", "DECOM", "YEAR").rows()
    assert got == sorted(got)  # sorted by child and start
    kept = {(c, d): y for c, d, y in got}
    assert all(latest[k] == y for k, y in kept.items())
    dropped = set(latest) - set(kept)  # only an episode open into a later return's year
    for child, decom in dropped:
        row = next(
            r
            for p in parsed
            if p.collection_year == latest[(child, decom)]
            for r in p.frame.to_dicts()
            if (r["CHILD"], r["DECOM"]) == (child, decom)
        )
        later = [y for y in {p.collection_year for p in parsed} if y > row["YEAR"]]
        assert later and (row["DEC"] is None or row["DEC"] >= date(min(later) - 1, 4, 1))


# --- the merge as it was: every file's rows held, one sort --------------------------------------


def _latest_in_one_sort(files: list[ParsedFile], keys: tuple[str, ...]) -> tuple[pl.DataFrame, int]:
    frames = [
        f.frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
        for f in files
        if f.frame.height
    ]
    if not frames:
        return pl.DataFrame(), 0
    both = pl.concat(frames, how="diagonal_relaxed")
    ordered = both.sort(*keys, "YEAR")
    last = pl.lit(False)
    for k in keys:
        last = last | (pl.col(k) != pl.col(k).shift(-1))
    return ordered.filter(last.fill_null(True)), both.height


def _merged_in_one_sort(
    episode_files: list[ParsedFile], header_files: list[ParsedFile]
) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, ...]]:
    """``merge_returns``'s rule written plainly, for comparison."""
    notes: list[str] = []
    episodes, read = _latest_in_one_sort(episode_files, ("CHILD", "DECOM"))
    if read - episodes.height:
        notes.append(
            f"{read - episodes.height:,} episode row{'s' if read - episodes.height != 1 else ''} "
            "repeated in a later return; the later kept"
        )
    years = sorted(set(episodes["YEAR"].to_list())) if episodes.height else []
    if len(years) > 1:
        following = dict(zip(years, years[1:], strict=False))
        next_start = {y: date(n - 1, 4, 1) for y, n in following.items()}
        start = pl.col("YEAR").replace_strict(next_start, default=None, return_dtype=pl.Date)
        stale = start.is_not_null() & (pl.col("DEC").is_null() | (pl.col("DEC") >= start))
        missing = [m for y, n in following.items() for m in range(y + 1, n)]
        if missing:
            notes.append(
                "no return loaded for "
                + ", ".join(f"{m - 1}-{m % 100:02d}" for m in missing)
                + ": no figures for it, and episodes that began and ended in it are not known"
            )
            # a stale row whose next return is after a gap ended in the gap, unless a later
            # return holds the child from a start by the end of the row's year
            rows = episodes.with_columns(stale.alias("_STALE")).to_dicts()
            ended = [
                r["_STALE"]
                and following[r["YEAR"]] > r["YEAR"] + 1
                and not any(
                    o["CHILD"] == r["CHILD"]
                    and o["YEAR"] > r["YEAR"]
                    and o["DECOM"] <= date(r["YEAR"], 3, 31)
                    for o in rows
                )
                for r in rows
            ]
            if any(ended):
                notes.append(
                    f"{sum(ended)} episode{'s' if sum(ended) != 1 else ''} open at the end of a "
                    "return, with no return for "
                    "the year after, and not in the next return loaded ended before it (on a "
                    "day not known: taken as the last 31 March before it)"
                )
                decs = [
                    date(following[r["YEAR"]] - 1, 3, 31) if e else r["DEC"]
                    for r, e in zip(rows, ended, strict=True)
                ]
                episodes = episodes.with_columns(pl.Series("DEC", decs, dtype=pl.Date))
                stale = stale & ~pl.Series(ended)
        dropped = episodes.filter(stale).height
        if dropped:
            notes.append(
                f"{dropped} episode{'s' if dropped != 1 else ''} open into a later return's year "
                f"but not restated there {'was' if dropped == 1 else 'were'} dropped"
            )
        episodes = episodes.filter(~stale)
    headers, _ = _latest_in_one_sort(header_files, ("CHILD",))
    return episodes, headers, tuple(notes)


_SOME_CHILDREN = st.sampled_from(["", "A", "B", "C10", "C9", "D"])
_SOME_STARTS = st.sampled_from(
    ["", "01/06/2016", "03/06/2016", "10/05/2017", "01/04/2018", "01/01/2019", "20/09/2019"]
)
_SOME_ENDS = st.sampled_from(
    ["", "31/03/2017", "10/05/2017", "02/01/2018", "31/03/2019", "01/04/2020"]
)


@st.composite
def _years_of_returns(draw: st.DrawFn) -> tuple[list[ParsedFile], list[ParsedFile]]:
    years = sorted(draw(st.sets(st.integers(2017, 2022), min_size=1, max_size=5)))
    if draw(st.booleans()):  # in order of year, or in any order
        years = draw(st.permutations(years))
    episodes, headers = [], []
    for year in years:
        rows = draw(
            st.dictionaries(st.tuples(_SOME_CHILDREN, _SOME_STARTS), _SOME_ENDS, max_size=8)
        )
        text = "".join(
            f"{c},{s},P,C2,N1,{draw(st.sampled_from(['U4', 'K2', 'R1']))},PR1,{e},"
            f"{'E11' if e else ''},,,,\n"
            for (c, s), e in rows.items()
        )
        episodes.append(parse_episodes(f"{year}/episodes.csv", EP_HEAD + text, year))
        children = draw(st.lists(_SOME_CHILDREN, unique=True, max_size=5))
        born = draw(st.sampled_from(["01/01/2005", "02/02/2010", ""]))
        text = "".join(f"{c},1,{born},WBRI,,,\n" for c in children)
        headers.append(parse_header(f"{year}/header.csv", HD_HEAD + text, year))
    return episodes, headers


@settings(max_examples=200, deadline=None)
@given(_years_of_returns(), st.booleans(), st.sampled_from([1, 2, 3, 250_000]))
def test_letting_repeated_rows_go_as_files_come_merges_as_one_sort_of_every_row(
    returns: tuple[list[ParsedFile], list[ParsedFile]], few_columns: bool, at_once: int
):
    # the files in any order of year, some empty, some keys blank, episodes repeated by the next
    # return or a later one, a return whose every row a later one repeats, sorted a few rows
    # at a time or all at once: the same rows, order, types and notes as holding every file's
    # rows and sorting them once
    episodes, headers = returns
    if few_columns:
        episodes = [compact(f, FORECAST_COLUMNS.episodes) for f in episodes]
        headers = [compact(f, FORECAST_COLUMNS.headers) for f in headers]
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(ssda903, "SORTED_AT_ONCE", at_once)
    try:
        merged = merge_returns(iter(episodes), iter(headers))
    finally:
        monkeypatch.undo()
    expected_episodes, expected_headers, notes = _merged_in_one_sort(episodes, headers)
    assert merged.notes == notes
    if expected_episodes.width:
        assert merged.episodes.equals(expected_episodes)
        assert merged.episodes.schema == expected_episodes.schema
    else:
        assert merged.episodes.height == 0
    if expected_headers.width:
        assert merged.headers.equals(expected_headers)
    else:
        assert merged.headers.height == 0


def _read_cleaning_every_column(text: str) -> pl.DataFrame:
    """How a file was read before columns without padded or empty cells were kept as read:
    every column stripped and its empty cells made blank; then the rows with every cell
    blank left out."""
    frame = pl.read_csv(text.encode(), infer_schema=False, truncate_ragged_lines=True)
    frame = frame.rename({c: c.strip().upper() for c in frame.columns})
    frame = frame.with_columns(pl.all().str.strip_chars().replace("", None))
    frame = frame.with_row_index("LINE", offset=2)
    return frame.filter(~pl.all_horizontal(pl.exclude("LINE").is_null()))


# cells: codes, dates, blanks, quoted blanks, and spaces of several kinds at either end
_CELL = st.one_of(
    st.sampled_from(["", '""', "C2", "01/06/2018", "A 1", '" x "', '"a,b"']),
    st.builds(
        lambda pad, core, end: pad + core + end,
        st.sampled_from(["", " ", "\t", "\u00a0", "\u2003", "  "]),
        st.sampled_from(["", "C2", "U4", "Zoë"]),
        st.sampled_from(["", " ", "\t", "\u3000", "\x0b"]),
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["CHILD", " decom ", "LS", "EXTRA", "Place "]),
        min_size=1,
        max_size=5,
        unique=True,
    ),
    st.data(),
)
def test_a_file_reads_as_with_every_column_stripped_and_blanked(headings, data):
    rows = data.draw(
        st.lists(st.lists(_CELL, min_size=len(headings), max_size=len(headings)), max_size=8)
    )
    text = ",".join(headings) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    assert ssda903._read(text).equals(_read_cleaning_every_column(text))


def test_padded_and_blank_cells_parse_as_the_clean_file():
    clean = (
        EP_HEAD + "A,01/06/2018,S,C2,N1,U4,PR1,10/05/2019,X1,,,,\nB,01/07/2018,S,C2,N1,U4,,,,,,,\n"
    )
    padded = (
        EP_HEAD
        + ' A ,01/06/2018 ,S,\tC2,N1,U4,PR1,10/05/2019,X1,"", ,,\n'
        + 'B,01/07/2018,S,C2,N1, U4,,,"",,,"  ",\n'
    )
    assert parse_episodes("e.csv", padded, 2020).frame.equals(
        parse_episodes("e.csv", clean, 2020).frame
    )
    bad = EP_HEAD + " A ,01/06/2018,S,C2,N1,U4, ,10/05/2019,,,,,\n"  # REC blank once stripped
    assert [str(e) for e in parse_episodes("e.csv", bad, 2020).errors] == [
        "e.csv, line 2, column REC: REC is blank but the episode has ceased (DEC 10/05/2019)"
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["A", "B", "C", "", " "]), max_size=6),
    st.lists(st.sampled_from(["A", "B", "C", "D", "", " A"]), max_size=10),
)
def test_every_episode_of_a_child_not_in_the_header_is_named_once_in_line_order(listed, kids):
    header = parse_header(
        "h.csv", HD_HEAD + "".join(f"{c},1,01/01/2010,WBRI,,,\n" for c in listed), 2024
    )
    episodes = parse_episodes(
        "e.csv",
        EP_HEAD + "".join(f"{c},01/06/2023,S,C2,N1,U4,PR1,,,,,,\n" for c in kids),
        2024,
    )
    known = {c.strip() for c in listed if c.strip()}
    expected = [
        (line, c.strip())
        for line, c in enumerate(kids, start=2)
        if c.strip() and c.strip() not in known
    ]
    found = [(e.line, e.message.split("'")[1]) for e in check_children_in_header(episodes, header)]
    assert found == expected


# --- returns from other councils ---------------------------------------------------------


def test_a_foster_or_residential_placement_with_no_provider_is_not_counted_external():
    # it was counted as agency fostering / external residential
    for place in ("U4", "U5", "U6"):
        assert placement_group(place, None) == placement_group(place, " ") == FOSTERING_NR
    for place in ("K2", "R1", "S1"):
        assert placement_group(place, None) == placement_group(place, "") == RESIDENTIAL_NR
    assert placement_group("U1", None) == "kinship fostering"  # not split by provider
    text = (
        EP_HEAD
        + "A,01/06/2019,S,C2,N1,U6,,,,,,,\n"
        + 'B,01/06/2019,S,C2,N1,K2," ",,,,,,\n'
        + "C,01/06/2019,S,C2,N1,U6,PR4,,,,,,\n"
    )
    parsed = parse_episodes("e.csv", text, 2020)
    assert parsed.errors == ()
    assert parsed.frame.sort("LINE")["GROUP"].to_list() == [
        FOSTERING_NR,
        RESIDENTIAL_NR,
        "agency fostering",
    ]
    header = parse_header("h.csv", HD_HEAD + "A,1,01/01/2010,WBRI,,,\n", 2020)
    merged = merge_returns([parsed], [header])
    assert merged.notes == (
        "2 foster or residential episodes with no PLACE_PROVIDER: counted as provider not "
        "recorded (neither in-house nor external)",
    )
    assert merge_returns([parse_episodes("e.csv", EP_HEAD, 2020)], [header]).notes == ()


@given(
    place=st.sampled_from(sorted(code_lists(2024)["PLACE"])),
    provider=st.sampled_from(["", "  ", *sorted(code_lists(2024)["PLACE_PROVIDER"])]),
)
@settings(max_examples=60, deadline=None)
def test_a_files_groups_are_those_of_each_episode(place, provider):
    text = EP_HEAD + f"A,01/06/2023,S,C2,N1,{place},{provider},,,,,,\n"
    group = parse_episodes("e.csv", text, 2024).frame["GROUP"].item()
    assert group == placement_group(place, provider)
    if not provider.strip():
        assert group not in {"agency fostering", "external residential"}


def test_a_date_in_a_year_no_return_can_hold_is_refused_naming_its_cell():
    text = (
        EP_HEAD
        + "A,01/06/1018,S,C2,N1,U4,PR1,,,,,,\n"  # 2018 typed as 1018
        + "B,01/06/2019,S,C2,N1,U4,PR1,01/07/1919,E8,,,,\n"
    )
    errors = parse_episodes("2020/episodes.csv", text, 2020).errors
    assert [str(e) for e in errors] == [
        "2020/episodes.csv, line 2, column DECOM: DECOM 01/06/1018 is before 01/04/2000; "
        "expected a date from 01/04/2000 to 31/03/2020 in the 2019-20 return (a child looked "
        "after in the year is under 18 at its start)",
        "2020/episodes.csv, line 3, column DEC: DEC 01/07/1919 is before 01/04/2000; "
        "expected a date from 01/04/2000 to 31/03/2020 in the 2019-20 return (a child looked "
        "after in the year is under 18 at its start)",
        "2020/episodes.csv, line 3, column DEC: DEC 01/07/1919 is before DECOM 01/06/2019",
    ]
    header = parse_header(
        "2020/header.csv",
        HD_HEAD + "A,1,01/01/1899,WBRI,,,\nB,2,01/01/2005,WBRI,,1,01/01/1018\n",
        2020,
    )
    assert [(e.line, e.column) for e in header.errors] == [(2, "DOB"), (3, "MC_DOB")]
    assert "DOB 01/01/1899 is before 01/04/2000" in header.errors[0].message


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=80, deadline=None)
def test_a_date_is_accepted_exactly_when_within_the_returns_span(day):
    first, last = ssda903.date_span(2020)
    text = HD_HEAD + f"A,1,{day:%d/%m/%Y},WBRI,,,\n"
    errors = parse_header("h.csv", text, 2020).errors
    assert (not errors) == (first <= day <= last), errors
    assert all((e.line, e.column) == (2, "DOB") and f"{day:%d/%m/%Y}" in e.message for e in errors)


def test_a_date_after_the_day_of_import_within_the_year_is_refused_naming_its_cell():
    today = date(2025, 11, 28)  # during the 2025-26 collection year
    text = (
        EP_HEAD
        + "A,01/06/2025,S,C2,N1,U4,PR1,28/11/2025,X1,,,,\n"  # ends today: accepted
        + "A,28/11/2025,P,C2,N1,U4,PR1,,,CARPL,,,\n"  # starts today: accepted
        + "B,01/10/2025,S,C2,N1,U4,PR1,15/12/2025,E8,,,,\n"  # ends next month
        + "C,29/11/2025,S,C2,N1,U4,PR1,,,,,,\n"  # starts tomorrow
    )
    assert parse_episodes("2026/episodes.csv", text, 2026).errors == ()  # no day given
    errors = parse_episodes("2026/episodes.csv", text, 2026, today=today).errors
    assert [str(e) for e in errors] == [
        "2026/episodes.csv, line 4, column DEC: DEC 15/12/2025 is in the future (after "
        "28/11/2025, the day of import); expected a date on or before it (an episode cannot "
        "end in the future)",
        "2026/episodes.csv, line 5, column DECOM: DECOM 29/11/2025 is in the future (after "
        "28/11/2025, the day of import); expected a date on or before it (an episode cannot "
        "start in the future)",
    ]
    header = parse_header(
        "2026/header.csv",
        HD_HEAD + "A,1,01/01/2010,WBRI,,,\nB,2,01/01/2026,WBRI,,1,03/02/2026\n",
        2026,
        today=today,
    )
    assert [(e.line, e.column) for e in header.errors] == [(3, "DOB"), (3, "MC_DOB")]
    assert "DOB 01/01/2026 is in the future" in header.errors[0].message
    assert "a child cannot be born in the future" in header.errors[0].message
    # a year ended before today holds no future date; one after its end is named as before
    past = parse_episodes(
        "2025/episodes.csv",
        EP_HEAD + "A,01/06/2024,S,C2,N1,U4,PR1,01/05/2025,X1,,,,\n",
        2025,
        today=today,
    )
    assert [e.message for e in past.errors] == [
        "DEC 01/05/2025 is after the end of the year (31/03/2025)"
    ]


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["DECOM", "DEC", "DOB"]),
)
@settings(max_examples=120, deadline=None)
def test_a_date_is_accepted_exactly_when_within_the_span_known_on_the_day(day, today, column):
    first, last = ssda903.date_span(2026, today)
    assert last == min(date(2026, 3, 31), today)
    if column == "DOB":
        parsed = parse_header("h.csv", HD_HEAD + f"A,1,{day:%d/%m/%Y},WBRI,,,\n", 2026, today=today)
    else:
        decom, dec = (day, "") if column == "DECOM" else (first, f"{day:%d/%m/%Y}")
        reason = "E8" if dec else ""
        parsed = parse_episodes(
            "e.csv",
            EP_HEAD + f"A,{decom:%d/%m/%Y},S,C2,N1,U4,PR1,{dec},{reason},,,,\n",
            2026,
            today=today,
        )
    named = [e for e in parsed.errors if e.column == column]
    assert (not named) == (first <= day <= last), parsed.errors
    assert all(e.line == 2 and f"{day:%d/%m/%Y}" in e.message for e in named)
    # within the year but after the day: named once, as in the future
    if first <= day <= date(2026, 3, 31) and day > today:
        assert ["in the future" in e.message for e in named] == [True]


def test_an_episode_before_the_childs_birth_is_named():
    header = parse_header(
        "2020/header.csv", HD_HEAD + "A,1,01/01/2010,WBRI,,,\nB,1,15/05/2019,WBRI,,,\n", 2020
    )
    episodes = parse_episodes(
        "2020/episodes.csv",
        EP_HEAD + "A,01/06/2019,S,C2,N1,U4,PR1,,,,,,\nB,01/05/2019,S,C2,N1,U4,PR1,,,,,,\n",
        2020,
    )
    assert episodes.errors == () and header.errors == ()
    assert [str(e) for e in ssda903.check_born_before_episodes(episodes, header)] == [
        "2020/episodes.csv, line 3, column DECOM: DECOM 01/05/2019 is before the date of birth "
        "of child 'B' (15/05/2019 in 2020/header.csv); expected an episode to start on or "
        "after it"
    ]


def test_columns_no_page_reads_may_be_left_out():
    # URN, MC_DOB and the other columns no page reads made a return without them refused
    episodes = parse_episodes(
        "e.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\nA,01/06/2019,S,C2,N1,U4,PR1,,\n",
        2020,
    )
    header = parse_header("h.csv", "CHILD,SEX,DOB,ETHNIC\nA,1,01/01/2010,WBRI\n", 2020)
    assert episodes.errors == () and header.errors == ()
    full_e = parse_episodes("e.csv", EP_HEAD + "A,01/06/2019,S,C2,N1,U4,PR1,,,,,,\n", 2020)
    full_h = parse_header("h.csv", HD_HEAD + "A,1,01/01/2010,WBRI,,,\n", 2020)
    assert episodes.frame.equals(full_e.frame) and header.frame.equals(full_h.frame)
    missing = parse_header("h.csv", "CHILD,SEX,ETHNIC\nA,1,WBRI\n", 2020).errors
    assert [(e.line, e.column) for e in missing] == [(1, "DOB")]  # read by the pages
    assert "(and, if given, UPN, MOTHER, MC_DOB)" in missing[0].message


@pytest.mark.parametrize(
    "name, edit",
    [
        ("lower-case headings", lambda t: t.split("\n", 1)[0].lower() + "\n" + t.split("\n", 1)[1]),
        ("byte-order mark", lambda t: "\ufeff" + t),
        ("CRLF line ends", lambda t: t.replace("\n", "\r\n")),
        ("CR line ends (CSV for Macintosh)", lambda t: t.replace("\n", "\r")),
        ("codes padded with spaces", lambda t: t.replace(",U4,PR1,", ", U4 ,PR1  ,")),
        ("one-digit days and months", lambda t: t.replace("01/06/2019", "1/6/2019")),
    ],
)
def test_files_saved_other_ways_read_as_the_plain_file(name, edit):
    text = EP_HEAD + "A,01/06/2019,S,C2,N1,U4,PR1,,,,,,\nB,01/06/2019,S,C2,N1,K2,PR4,,,,,,\n"
    plain = parse_episodes("e.csv", text, 2020)
    saved = parse_episodes("e.csv", edit(text).encode("utf-8"), 2020)
    assert saved.errors == (), name
    assert saved.frame.equals(plain.frame), name


def test_a_malformed_end_date_is_one_problem_not_also_an_open_episode_with_a_reason():
    # DEC written as 2023-09-01 is refused as malformed; it was also read as blank, and the
    # episode's REC named as "given for an open episode", which it is not
    text = EP_HEAD + "C1,01/06/2023,S,C2,N1,U1,PR1,2023-09-01,E11,,,,\n"
    parsed = parse_episodes("2024/episodes.csv", text, 2024)
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "DEC")]
    # a DEC left blank with a REC given is still named
    text = EP_HEAD + "C1,01/06/2023,S,C2,N1,U1,PR1,,E11,,,,\n"
    parsed = parse_episodes("2024/episodes.csv", text, 2024)
    assert [(e.line, e.column) for e in parsed.errors] == [(2, "REC")]


@pytest.mark.parametrize("second", ["DOB", " dob ", "Dob"])
def test_a_column_headed_twice_is_refused_not_one_of_them_taken(second):
    # a copy of DOB pasted at the end (or the same heading in another case): one was read
    # and the other left out without a word
    text = f"CHILD,SEX,DOB,ETHNIC,{second}\nC1,1,03/02/2012,WBRI,01/01/2000\n"
    parsed = parse_header("2024/header.csv", text, 2024)
    assert [str(e) for e in parsed.errors] == [
        "2024/header.csv, line 1, column DOB: column DOB is headed more than once (columns 3 "
        "and 5); expected it once"
    ]
    # a heading the return does not have may be repeated: it is not read
    text = "CHILD,SEX,DOB,ETHNIC,Notes,notes\nC1,1,03/02/2012,WBRI,a,b\n"
    assert parse_header("2024/header.csv", text, 2024).ok


def test_a_date_written_year_first_is_refused_showing_it_as_expected():
    # a database's export writes 2023-09-01: refused where it stands, the message showing
    # how the return writes that date
    text = EP_HEAD + "C1,2023-06-01,S,C2,N1,U1,PR1,1/9/2023,E11,,,,\n"
    parsed = parse_episodes("2024/episodes.csv", text, 2024)
    assert [str(e) for e in parsed.errors] == [
        "2024/episodes.csv, line 2, column DECOM: malformed date '2023-06-01'; expected "
        "dd/mm/YYYY (01/06/2023 for this one)"
    ]
