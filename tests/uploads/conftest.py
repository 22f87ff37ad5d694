"""A small synthetic tracker and Derby's synthetic SSDA903 returns, as files to upload."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CONTRACT


@pytest.fixture
def tracker_files(tmp_path) -> dict[str, Path]:
    from stars.demo.synthetic import generate_programme
    from stars.domain.contract.parsing import parse_contract
    from stars.domain.tracker.rows import write_tracker

    terms = parse_contract(CONTRACT.read_text())
    p = generate_programme(terms, n_referrals=12, as_of=dt.date(2022, 12, 1), seed=4)
    folder = tmp_path / "tracker"
    folder.mkdir()
    for name, text in write_tracker(p.enquiries, p.referrals, p.periods).items():
        (folder / name).write_text(text)
    return {
        "contract": CONTRACT,
        "enquiries": folder / "enquiries.csv",
        "referrals": folder / "referrals.csv",
        "periods": folder / "outcome_periods.csv",
    }


@pytest.fixture
def returns_zip(tmp_path) -> bytes:
    from stars.demo.returns import write_demo_returns

    folder = write_demo_returns(tmp_path / "903", seed=3)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for path in sorted(folder.rglob("*.csv")):
            z.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def as_excel_saves(archive: bytes, year: int, *, serial_dob: bool = False) -> bytes:
    """``archive`` with ``year``'s returns as councils' spreadsheets save them: the header
    as Excel's "CSV" on Windows with a European list separator (Windows-1252, semicolons,
    a pound sign and an accented name in a column DfE's layout does not have), the episodes
    as Excel's "Unicode text" (UTF-16, tabs) with codes in lower case; with ``serial_dob``,
    the header's first date of birth as Excel keeps an unformatted date (40179)."""

    def rows(data: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))

    def written(table: list[list[str]], separator: str, encoding: str) -> bytes:
        out = io.StringIO()
        csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(table)
        return out.getvalue().encode(encoding)

    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        files = {n: z.read(n) for n in z.namelist()}
    header = rows(files[f"{year}/header.csv"])
    header = [header[0] + ["SOCIAL WORKER"]] + [r + ["Zoë Brontë, £950"] for r in header[1:]]
    if serial_dob:
        header[1][header[0].index("DOB")] = "40179"
    episodes = rows(files[f"{year}/episodes.csv"])
    coded = [episodes[0].index(c) for c in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER")]
    episodes = [episodes[0]] + [
        [v.lower() if i in coded else v for i, v in enumerate(r)] for r in episodes[1:]
    ]
    files[f"{year}/header.csv"] = written(header, ";", "cp1252")
    files[f"{year}/episodes.csv"] = written(episodes, "\t", "utf-16")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buffer.getvalue()
