"""Returns kept as XLSX workbooks, as councils keep them: a year's tables as sheets of one
workbook (beside the years' folders or in its own), or a workbook for each table, are read
as the same tables saved as CSV, with the same checks; every problem names the workbook,
the sheet, the row and the column; a hostile workbook is refused before it is read."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from stars import cli
from stars.demo.returns import LAST_YEAR
from stars.domain.sufficiency.workbooks import (
    Limits,
    NotReadable,
    cell_text,
    sheet_names,
    sheet_text,
)
from stars.partnership.models import Council
from stars.sufficiency.dashboard import dashboard_context
from stars.sufficiency.models import SufficiencyReturn
from tests.workbooks import workbook, year_as_workbook

TODAY = dt.date(2026, 11, 28)
LIMITS = Limits(file_bytes=50 * 1024 * 1024, unpacked_bytes=500 * 1024 * 1024)


def _import(folder: Path) -> tuple[int, list[str], list[str]]:
    got = CliRunner().invoke(cli.app, ["sufficiency", "import", str(folder), "--council", "derby"])
    notes = [x for x in got.stdout.splitlines() if x.startswith("note: ")]
    problems = [x for x in got.stderr.splitlines() if x.strip()]
    return got.exit_code, notes, problems


def _figures(council: Council) -> list[tuple[int, int]]:
    return [(f.year, f.looked_after) for f in dashboard_context(council)["figures"]]


def _edit(path: Path, sheet: str, cell: str, value: object, number_format: str = "") -> None:
    book = load_workbook(path)
    book[sheet][cell] = value
    if number_format:
        book[sheet][cell].number_format = number_format
    book.save(path)


def _column(path: Path, sheet: str, name: str) -> str:
    """The letter of the column headed ``name`` in ``sheet``."""
    book = load_workbook(path, read_only=True)
    head = next(book[sheet].iter_rows(max_row=1))
    letter = next(c.column_letter for c in head if c.value == name)
    book.close()
    return letter


@pytest.mark.parametrize(
    "where",
    [
        "{year}.xlsx",  # a year's tables in one workbook beside the years' folders
        "{year}/SSDA903 {year}.xlsx",  # in the year's own folder, named as it likes
    ],
)
def test_a_year_kept_as_one_workbook_is_imported_as_its_csv_files_are(derby, returns_dir, where):
    assert _import(returns_dir)[0] == 0
    expected = _figures(derby)
    texts = {r.kind: r.text for r in SufficiencyReturn.objects.filter(collection_year=LAST_YEAR)}
    book = returns_dir / where.format(year=LAST_YEAR)
    year_as_workbook(returns_dir, LAST_YEAR, book)

    code, notes, problems = _import(returns_dir)

    assert code == 0, problems
    assert _figures(derby) == expected
    name = where.format(year=LAST_YEAR)
    assert f"note: {name}, sheet UASC: not read (of each year's return, only its header and " \
        "episodes are read)" in notes, notes  # fmt: skip
    stored = {r.kind: r for r in SufficiencyReturn.objects.filter(collection_year=LAST_YEAR)}
    assert stored["episodes"].file_name == f"{name}, sheet Episodes"
    # the text kept is the CSV file the sheet stands for: dates as dd/mm/YYYY, 2.0 as 2
    assert stored["episodes"].text.splitlines() == texts["episodes"].splitlines()
    assert stored["header"].text.splitlines() == texts["header"].splitlines()


def test_a_workbook_for_each_table_is_read_by_its_only_sheet(derby, returns_dir):
    folder = returns_dir / str(LAST_YEAR)
    for kind in ("header", "episodes"):
        csv_file = folder / f"{kind}.csv"
        (folder / f"{kind.title()}.xlsx").write_bytes(workbook({"Sheet1": csv_file.read_text()}))
        csv_file.unlink()
    code, _, problems = _import(returns_dir)
    assert code == 0, problems
    stored = SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="episodes")
    assert stored.file_name == f"{LAST_YEAR}/Episodes.xlsx, sheet Sheet1"


def test_a_bad_cell_is_named_by_workbook_sheet_row_and_column_and_nothing_is_imported(
    derby, returns_dir
):
    book = year_as_workbook(returns_dir, LAST_YEAR, returns_dir / f"{LAST_YEAR}.xlsx")
    decom = _column(book, "Episodes", "DECOM")
    _edit(book, "Episodes", f"{decom}14", "2024-01-13")  # a date typed as ISO text
    _edit(book, "Episodes", f"{_column(book, 'Episodes', 'PLACE')}9", "ZZ")
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert (
        f"{LAST_YEAR}.xlsx, sheet Episodes, row 14, column DECOM: malformed date '2024-01-13'; "
        "expected dd/mm/YYYY (13/01/2024 for this one)" in problems
    ), problems
    assert any(
        p.startswith(f"{LAST_YEAR}.xlsx, sheet Episodes, row 9, column PLACE: unknown code 'ZZ'")
        for p in problems
    ), problems
    assert not SufficiencyReturn.objects.exists()


def test_a_child_missing_from_the_header_sheet_names_both_sheets(derby, returns_dir):
    book = year_as_workbook(returns_dir, LAST_YEAR, returns_dir / f"{LAST_YEAR}.xlsx")
    _edit(book, "Episodes", f"{_column(book, 'Episodes', 'CHILD')}3", "NOBODY")
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert (
        f"{LAST_YEAR}.xlsx, sheet Episodes, row 3, column CHILD: child 'NOBODY' is not in "
        f"{LAST_YEAR}.xlsx, sheet Header; expected every child with an episode in the year "
        "to have a row in that year's header" in problems
    ), problems


def test_a_formula_in_a_column_read_is_refused_naming_its_cell(derby, returns_dir):
    """No formula is worked out, nor is the value Excel last showed for it read: one in a
    column of the return is the one problem of its cell; one in a column not read is left
    out, with a note."""
    book = year_as_workbook(returns_dir, LAST_YEAR, returns_dir / f"{LAST_YEAR}.xlsx")
    dob = _column(book, "Header", "DOB")
    _edit(book, "Header", f"{dob}5", "=DATE(2012,5,17)")
    sheet = load_workbook(book)
    sheet["Header"]["Z1"] = "AGE"
    sheet["Header"]["Z2"] = "=TODAY()-C2"
    sheet.save(book)
    code, notes, problems = _import(returns_dir)
    assert code == 1
    formula = [p for p in problems if "row 5, column DOB" in p]
    assert formula == [
        f"{LAST_YEAR}.xlsx, sheet Header, row 5, column DOB: cell {dob}5 holds a formula "
        "(=DATE(2012,5,17)); expected a value (formulas are not worked out: copy the column "
        "and paste it as values)"
    ], problems
    assert not SufficiencyReturn.objects.exists()
    _edit(book, "Header", f"{dob}5", dt.datetime(2012, 5, 17))
    code, notes, problems = _import(returns_dir)
    assert code == 0, problems
    assert (
        f"note: {LAST_YEAR}.xlsx, sheet Header: 1 formula cell in columns not read (e.g. Z2) "
        "left out: formulas are not worked out" in notes
    ), notes
    assert (
        "TODAY" not in SufficiencyReturn.objects.get(collection_year=LAST_YEAR, kind="header").text
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2012, 5, 17), "17/05/2012"),  # a date cell
        (dt.date(2012, 5, 17), "17/05/2012"),
        ("17/05/2012", "17/05/2012"),  # a date typed as text
        (dt.datetime(2012, 5, 17, 13, 45), "17/05/2012 13:45:00"),  # refused as a date
        (2.0, "2"),  # a code typed as a number, kept as a float
        (1, "1"),
        (40179, "40179"),  # an unformatted date: refused, saying what it would be
        (0.5, "0.5"),
        ("line one\nline two", "line one line two"),  # a sheet row stays one line
        (True, "TRUE"),
        (None, ""),
    ],
)
def test_a_cell_is_read_as_its_csv_file_would_hold_it(value, text):
    assert cell_text(value) == text


def test_a_date_cell_with_a_time_and_a_serial_number_are_refused_with_what_to_do(
    derby, returns_dir
):
    book = year_as_workbook(returns_dir, LAST_YEAR, returns_dir / f"{LAST_YEAR}.xlsx")
    dob = _column(book, "Header", "DOB")
    _edit(book, "Header", f"{dob}2", dt.datetime(2012, 5, 17, 9, 30))
    _edit(book, "Header", f"{dob}3", 40179, "General")  # a number, not formatted as a date
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert (
        f"{LAST_YEAR}.xlsx, sheet Header, row 2, column DOB: malformed date "
        "'17/05/2012 09:30:00'; expected dd/mm/YYYY" in problems
    ), problems
    assert any(
        p.startswith(f"{LAST_YEAR}.xlsx, sheet Header, row 3, column DOB: malformed date '40179'")
        and "would be 01/01/2010" in p
        for p in problems
    ), problems


def test_a_year_workbook_without_an_episodes_sheet_names_its_sheets(derby, returns_dir):
    folder = returns_dir / str(LAST_YEAR)
    (returns_dir / f"{LAST_YEAR}.xlsx").write_bytes(
        workbook({"Header": (folder / "header.csv").read_text(), "Notes": "a,b\r\n"})
    )
    for kind in ("header", "episodes"):
        (folder / f"{kind}.csv").unlink()
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert problems[:-1] == [
        f"{LAST_YEAR}.xlsx: no sheet named episodes (its sheets: Header, Notes); expected a "
        "sheet for each table read, named as DfE names them: header and episodes"
    ], problems


def test_a_table_in_two_workbooks_of_a_year_is_refused_naming_both(derby, returns_dir):
    year_as_workbook(returns_dir, LAST_YEAR, returns_dir / f"{LAST_YEAR}.xlsx")
    (returns_dir / str(LAST_YEAR) / "copy.xlsx").write_bytes(
        (returns_dir / f"{LAST_YEAR}.xlsx").read_bytes()
    )
    code, _, problems = _import(returns_dir)
    assert code == 1
    assert problems[0] == (
        f"{LAST_YEAR}: a header sheet in {LAST_YEAR}.xlsx (sheet Header) and {LAST_YEAR}/copy.xlsx "
        f"(sheet Header); expected one header table for {LAST_YEAR}"
    ), problems


def test_a_workbook_beside_a_years_csv_files_is_left_unread(derby, returns_dir):
    (returns_dir / str(LAST_YEAR) / "notes.xlsx").write_bytes(b"not a workbook at all")
    code, notes, problems = _import(returns_dir)
    assert code == 0, problems
    assert (
        f"note: {LAST_YEAR}/notes.xlsx: not read (of each year's return, only its header and "
        "episodes are read)" in notes
    ), notes


# --- hostile workbooks --------------------------------------------------------------------


def _path(tmp_path: Path, data: bytes, name: str = "2024.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_workbook_larger_than_an_upload_may_be_is_refused_unopened(tmp_path):
    path = _path(tmp_path, workbook({"Header": "CHILD,SEX,DOB,ETHNIC\r\n"}))
    with pytest.raises(NotReadable) as caught:
        sheet_names(path, "2024.xlsx", Limits(file_bytes=1000, unpacked_bytes=10**9))
    assert str(caught.value).startswith("2024.xlsx: the workbook is 0.0 MB; expected at most")


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused_before_unpacking(tmp_path):
    """A ZIP bomb: a small file whose parts unpack to far more (their sizes are read from the
    ZIP's directory; nothing is unpacked)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    path = _path(tmp_path, out.getvalue())
    assert path.stat().st_size < 100_000
    with pytest.raises(NotReadable) as caught:
        sheet_names(path, "2024.xlsx", Limits(file_bytes=10**6, unpacked_bytes=10**7))
    assert str(caught.value) == (
        "2024.xlsx: the workbook unpacks to 19.1 MB; expected at most 9.5 MB"
    )


@pytest.mark.parametrize(
    ("data", "starts"),
    [
        (b"\xd0\xcf\x11\xe0 an Excel 97-2003 or password-kept file", "2024.xlsx: not an XLSX "),
        (b"CHILD,SEX\r\n", "2024.xlsx: not an XLSX workbook"),
    ],
)
def test_a_file_that_is_no_xlsx_workbook_is_refused_saying_what_to_save(tmp_path, data, starts):
    with pytest.raises(NotReadable) as caught:
        sheet_names(_path(tmp_path, data), "2024.xlsx", LIMITS)
    assert str(caught.value).startswith(starts)
    assert "save it as an Excel workbook (.xlsx)" in str(caught.value)


def test_a_zip_that_is_no_workbook_is_refused(tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("2024/header.csv", "CHILD\r\n")
    with pytest.raises(NotReadable, match="not an XLSX workbook \\(a ZIP without"):
        sheet_names(_path(tmp_path, out.getvalue()), "2024.xlsx", LIMITS)


def test_a_sheet_claiming_a_vast_size_is_read_by_its_rows(tmp_path):
    """The dimension a sheet states (here every cell of a sheet) is not trusted: only the rows
    it holds are read, each as wide as its headings."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Header"
    sheet.append(["CHILD", "SEX", "DOB", "ETHNIC"])
    sheet.append(["C1", 1.0, dt.datetime(2012, 5, 17), "WBRI"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet_xml = "xl/worksheets/sheet1.xml"
    parts[sheet_xml] = re.sub(
        rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', parts[sheet_xml]
    )
    assert b"XFD1048576" in parts[sheet_xml]
    hostile = io.BytesIO()
    with zipfile.ZipFile(hostile, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    got = sheet_text(_path(tmp_path, hostile.getvalue()), "2024.xlsx", "Header", "header", LIMITS)
    assert got.data == b"CHILD,SEX,DOB,ETHNIC\nC1,1,17/05/2012,WBRI\n"
    assert got.errors == ()


def test_a_heading_row_far_wider_than_a_return_is_refused(tmp_path):
    book = Workbook()
    book.active.title = "Header"
    book.active.append([f"C{i}" for i in range(1_001)] + ["CHILD"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(NotReadable, match="more than 1,000 columns"):
        sheet_text(_path(tmp_path, out.getvalue()), "2024.xlsx", "Header", "header", LIMITS)
