"""Returns as councils' spreadsheets save them: in Windows-1252 or UTF-16, separated by
semicolons or tabs, codes in lower case, are read as DfE's layout and the import's notes say
how; a date kept as a spreadsheet's serial number is refused with what to do. Every problem
names its file, line and column, and nothing is imported when anything is refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from stars import cli
from stars.demo.returns import LAST_YEAR
from stars.domain.sufficiency import ssda903
from stars.partnership.models import Council
from stars.sufficiency.dashboard import dashboard_context
from stars.sufficiency.models import SufficiencyReturn
from stars.sufficiency.services import ReturnsRejected, returns_import
from stars.sufficiency.validator import as_dfe_reads

CODED = ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC")


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]], *, separator: str = ",", encoding: str = "utf-8"):
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def _with_names(rows: list[list[str]]) -> list[list[str]]:
    """A column DfE's layout does not have (not read), holding what only Windows-1252 and
    UTF-16 of UTF-8's neighbours write: a pound sign and accented names."""
    return [rows[0] + ["SOCIAL WORKER"]] + [r + ["Zoë Brontë, £950 a week"] for r in rows[1:]]


def _lower_codes(path: Path) -> int:
    rows = _rows(path)
    at = [rows[0].index(c) for c in CODED]
    n = 0
    for r in rows[1:]:
        for i in at:
            n += r[i] != r[i].lower()
            r[i] = r[i].lower()
    _write(path, rows)
    return n


def _figures(council: Council) -> list[tuple[int, int]]:
    return [(f.year, f.looked_after) for f in dashboard_context(council)["figures"]]


def _import(folder: Path) -> tuple[int, list[str], list[str]]:
    got = CliRunner().invoke(cli.app, ["sufficiency", "import", str(folder), "--council", "derby"])
    notes = [x for x in got.stdout.splitlines() if x.startswith("note: ")]
    problems = [x for x in got.stderr.splitlines() if x.strip()]
    return got.exit_code, notes, problems


def _imported(folder: Path) -> list[str]:
    """The notes of an import of ``folder`` that succeeds."""
    code, notes, problems = _import(folder)
    assert code == 0, problems
    return notes


def _not_read(name: str) -> str:
    """The note naming ``name``, a file beside last year's return, as left unread."""
    return (
        f"note: {LAST_YEAR}/{name}: not read (of each year's return, only its header and "
        "episodes are read)"
    )


def _as_excel_saves(folder: Path, year: int) -> None:
    """The year's header as Excel on Windows saves "CSV" with a European list separator
    (Windows-1252, semicolons); its episodes as Excel's "Unicode text" (UTF-16, tabs)."""
    header, episodes = folder / str(year) / "header.csv", folder / str(year) / "episodes.csv"
    _write(header, _with_names(_rows(header)), separator=";", encoding="cp1252")
    _write(episodes, _with_names(_rows(episodes)), separator="\t", encoding="utf-16")


def test_windows_1252_utf16_semicolons_and_tabs_are_read_as_dfes_layout(derby, returns_dir):
    assert _import(returns_dir)[0] == 0
    expected = _figures(derby)
    texts = {(r.collection_year, r.kind): r.text for r in SufficiencyReturn.objects.all()}
    _as_excel_saves(returns_dir, LAST_YEAR)
    _as_excel_saves(returns_dir, LAST_YEAR - 1)
    notes = _imported(returns_dir)
    assert _figures(derby) == expected
    for year in (LAST_YEAR - 1, LAST_YEAR):
        assert (
            f"note: {year}/header.csv: read as Windows-1252, not UTF-8 (as Excel saves "
            '"CSV"); stored as UTF-8' in notes
        ), notes
        assert (
            f"note: {year}/header.csv: columns separated by semicolons, not commas: read so "
            "(DfE's layout is CSV, comma-separated)" in notes
        )
        assert (
            f'note: {year}/episodes.csv: read as UTF-16 (as Excel saves "Unicode text"); '
            "stored as UTF-8" in notes
        )
        assert f"note: {year}/episodes.csv: columns separated by tabs, not commas: read so " in (
            "\n".join(notes)
        )
        header = SufficiencyReturn.objects.get(collection_year=year, kind="header")
        assert "Zoë Brontë, £950 a week" in header.text  # stored as read, in UTF-8
        assert header.text != texts[year, "header"]
    assert not any(n.startswith(f"note: {LAST_YEAR - 2}/") for n in notes)


def test_a_problem_in_a_file_separated_by_semicolons_names_its_line_and_column(derby, returns_dir):
    header = returns_dir / str(LAST_YEAR) / "header.csv"
    rows = _rows(header)
    rows[3][rows[0].index("ETHNIC")] = "WBRÉ"  # line 4: a code no list holds
    _write(header, rows, separator=";", encoding="cp1252")
    code, notes, problems = _import(returns_dir)
    assert code == 1
    assert problems[0].startswith(
        f"{LAST_YEAR}/header.csv:4: column ETHNIC: unknown code 'WBRÉ' for "
    ), problems
    assert problems[-1].startswith("error: 1 problem found; nothing was imported")
    assert not SufficiencyReturn.objects.exists()


def test_a_file_neither_utf8_nor_windows_1252_is_refused_at_its_line_and_column(derby, returns_dir):
    header = returns_dir / str(LAST_YEAR) / "header.csv"
    rows = _rows(header)
    rows[2][rows[0].index("UPN")] = "A12\x81"  # 0x81: no character in Windows-1252
    _write(header, rows, encoding="latin-1")
    with pytest.raises(ReturnsRejected) as caught:
        returns_import(council=derby, folder=returns_dir)
    assert caught.value.lines == [
        f"{LAST_YEAR}/header.csv:3: column UPN: byte 0x81 is neither UTF-8 nor Windows-1252; "
        "expected UTF-8 text (save the file as CSV UTF-8)"
    ]
    assert not SufficiencyReturn.objects.exists()


def test_codes_in_lower_case_are_read_in_upper_case_with_a_note(derby, returns_dir):
    assert _import(returns_dir)[0] == 0
    expected = _figures(derby)
    episodes = returns_dir / str(LAST_YEAR) / "episodes.csv"
    lowered = _lower_codes(episodes)
    notes = _imported(returns_dir)
    assert _figures(derby) == expected
    (note,) = [n for n in notes if "lower case" in n]
    assert note.startswith(f"note: {LAST_YEAR}/episodes.csv: {lowered} codes in lower case (in ")
    assert note.endswith("read in upper case, as DfE writes them")
    stored = SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="episodes")
    assert stored.text == episodes.read_bytes().decode()  # the file as sent; its rows as read


def test_a_date_kept_as_a_spreadsheets_serial_number_says_what_to_do(derby, returns_dir):
    header = returns_dir / str(LAST_YEAR) / "header.csv"
    rows = _rows(header)
    rows[4][rows[0].index("DOB")] = "40179"  # 01/01/2010 as Excel counts days
    _write(header, rows)
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert problems[0] == (
        f"{LAST_YEAR}/header.csv:5: column DOB: malformed date '40179'; expected dd/mm/YYYY "
        "(looks like an Excel date serial number; format the column as DD/MM/YYYY and save "
        "again: 40179 would be 01/01/2010)"
    ), problems
    assert not SufficiencyReturn.objects.exists()


def test_dfes_validator_is_given_the_rows_the_import_reads(tmp_path, returns_dir):
    plain = returns_dir / str(LAST_YEAR) / "header.csv"
    # DfE's layout: the file itself
    assert as_dfe_reads(plain, tmp_path / "copies", "header") == plain
    expected = _rows(plain)
    _as_excel_saves(returns_dir, LAST_YEAR)
    for kind in ("header", "episodes"):
        path = returns_dir / str(LAST_YEAR) / f"{kind}.csv"
        copy = as_dfe_reads(path, tmp_path / "copies", kind)
        assert copy == tmp_path / "copies" / str(LAST_YEAR) / f"{kind}.csv"
        rows = _rows(copy)
        if kind == "header":
            assert rows == expected
        # a column DfE's layout does not have is left out: DfE's validator refuses it
        assert "SOCIAL WORKER" not in rows[0] and "Zoë Brontë, £950 a week" not in rows[1]


def test_dfes_validator_is_given_only_its_columns_headed_as_it_heads_them(tmp_path, returns_dir):
    """A return as DfE's own tool writes it out (the council's code and the year before the
    columns, an errors column after) with headings in another case, padded, or with spaces
    for underscores: the copy holds DfE's columns only, headed as DfE heads them."""
    plain = returns_dir / str(LAST_YEAR) / "episodes.csv"
    expected = _rows(plain)
    headings = ["LA", "Year"] + [f" {h.lower().replace('_', ' ')} " for h in expected[0]]
    rows = [headings + ["ERRORS"]] + [
        ["E06000015", str(LAST_YEAR)] + r + ["103"] for r in expected[1:]
    ]
    _write(plain, rows)
    copy = as_dfe_reads(plain, tmp_path / "copies", "episodes")
    assert copy != plain
    assert _rows(copy) == expected


def test_headings_with_spaces_for_underscores_are_read(derby, returns_dir):
    assert _import(returns_dir)[0] == 0
    expected = _figures(derby)
    for kind in ("header", "episodes"):
        path = returns_dir / str(LAST_YEAR) / f"{kind}.csv"
        rows = _rows(path)
        rows[0] = [f" {h.title().replace('_', ' ')} " for h in rows[0]]  # " Place Provider "
        _write(path, rows)
    _imported(returns_dir)
    assert _figures(derby) == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_written_without_its_byte_order_mark_is_read_as_utf16(derby, returns_dir, encoding):
    """Tools other than Excel save "Unicode text" without a byte-order mark: every other byte
    of the heading row is then a NUL, which neither UTF-8 nor Windows-1252 text holds."""
    assert _import(returns_dir)[0] == 0
    expected = _figures(derby)
    for kind in ("header", "episodes"):
        path = returns_dir / str(LAST_YEAR) / f"{kind}.csv"
        _write(path, _with_names(_rows(path)), separator="\t", encoding=encoding)
    notes = _imported(returns_dir)
    assert _figures(derby) == expected
    assert (
        f'note: {LAST_YEAR}/episodes.csv: read as UTF-16 (as Excel saves "Unicode text"); '
        "stored as UTF-8" in notes
    )
    header = SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="header")
    assert header.text.startswith("CHILD\t") and "Zoë Brontë, £950 a week" in header.text


def test_a_year_saved_as_old_workbooks_says_how_to_save_each(derby, returns_dir):
    """A year kept as workbooks in a format not read (Excel 97-2003, OpenDocument) beside
    CSV years: each workbook is named, with how to save it as a workbook read or as the CSV
    file the import reads, not reported as a CSV file missing."""
    folder = returns_dir / str(LAST_YEAR)
    for kind, suffix in (("header", ".XLS"), ("episodes", ".ods")):
        (folder / f"{kind}.csv").rename(folder / f"{kind.title()}{suffix}")
    code, _, problems = _import(returns_dir)
    assert code == 1
    for kind, suffix in (("header", ".XLS"), ("episodes", ".ods")):
        assert any(
            p.startswith(
                f"{folder / kind.title()}{suffix}: a workbook saved as Excel 97-2003 (.xls) "
                "or OpenDocument (.ods), which is not read:"
            )
            and f"named {kind}.xlsx" in p
            and f"named {kind}.csv" in p
            and "CSV UTF-8" in p
            for p in problems
        ), problems
    assert not any("missing" in p for p in problems), problems
    assert not SufficiencyReturn.objects.exists()


@pytest.mark.parametrize(
    ("written", "shown"),
    [("2012-05-17 00:00:00", "17/05/2012"), ("17/05/2012 00:00", "17/05/2012")],
)
def test_a_date_with_a_time_of_day_says_what_to_do(written, shown):
    """A workbook's dates turned into text by some tools carry midnight: refused, naming the
    date without it and how to save the column."""
    text = f"CHILD,SEX,DOB,ETHNIC\nC1,1,{written},WBRI\n"
    parsed = ssda903.parse_header("2024/header.csv", text, 2024, today=dt.date(2026, 11, 28))
    [error] = parsed.errors
    assert (error.line, error.column) == (2, "DOB")
    assert error.message == (
        f"malformed date '{written}'; expected dd/mm/YYYY (a date with a time of day, as "
        "some tools write a workbook's dates; format the column as DD/MM/YYYY and save "
        f"again: {shown} for this one)"
    )


def test_dfes_other_tables_beside_a_years_return_are_left_unread_with_a_note(derby, returns_dir):
    """A council's return folder holds DfE's other tables of the return (UASC, reviews, ...)
    beside the header and the episodes: the import reads the two, and names each other CSV
    file as not read, so nobody takes a UASC table as used."""
    folder = returns_dir / str(LAST_YEAR)
    (folder / "uasc.csv").write_text("CHILD,SEX,DOB,DUC\r\n")
    (folder / "Reviews.csv").write_text("CHILD,DOB,REVIEW,REVIEW_CODE\r\n")
    notes = _imported(returns_dir)
    assert _not_read("Reviews.csv") in notes and _not_read("uasc.csv") in notes, notes
    assert SufficiencyReturn.objects.filter(collection_year=LAST_YEAR).count() == 2


def test_a_year_kept_as_one_workbook_of_its_tables_names_it_with_what_to_save(derby, returns_dir):
    """A year's return kept as one workbook, a sheet for each table (as some councils keep
    it), in a format not read, is named with how to save it, not reported as two CSV files
    missing; a spreadsheet's lock file beside it is not named. Beside a year's CSV files, a
    workbook is left unread with a note."""
    folder = returns_dir / str(LAST_YEAR)
    for kind in ("header", "episodes"):
        (folder / f"{kind}.csv").rename(returns_dir / f"{kind}.csv")
    (folder / "SSDA903 return.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "~$SSDA903 return.xlsx").write_bytes(b"lock")
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert problems[:-1] == [
        f"{folder / 'SSDA903 return.xls'}: a workbook saved as Excel 97-2003 (.xls) or "
        "OpenDocument (.ods), which is not read, in a year with no header.csv and "
        "episodes.csv: open it and save it as an Excel workbook (in Excel, File > Save As > "
        '"Excel Workbook (*.xlsx)"), its sheets named header and episodes'
    ], problems
    assert not SufficiencyReturn.objects.exists()
    for kind in ("header", "episodes"):
        (returns_dir / f"{kind}.csv").rename(folder / f"{kind}.csv")
    notes = _imported(returns_dir)
    assert _not_read("SSDA903 return.xls") in notes, notes
    assert not any("~$" in n for n in notes), notes
