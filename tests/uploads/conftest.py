"""A small synthetic tracker and Derby's synthetic SSDA903 returns, as files to upload."""

from __future__ import annotations

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
