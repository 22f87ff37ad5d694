"""The evaluation report's "Case status by weeks on the programme" bands follow the
contract's programme length: no band runs past the end of a shorter programme."""

from __future__ import annotations

import re

from stars.domain.evaluation.breakdowns import week_bands
from stars.partnership.services import contract_load
from tests.conftest import CONTRACT


def test_the_bands_end_at_the_programmes_length():
    assert [b[2] for b in week_bands(104)] == [
        "0-12",
        "13-25",
        "26-51",
        "52-77",
        "78-103",
        "104+",
    ]
    assert [b[2] for b in week_bands(78)] == ["0-12", "13-25", "26-51", "52-77", "78+"]
    assert [b[2] for b in week_bands(40)] == ["0-12", "13-25", "26-39", "40+"]


def test_a_78_week_programmes_report_has_no_band_past_78_weeks(client, users):
    text = CONTRACT.read_text().replace("programme_weeks = 104", "programme_weeks = 78")
    contract_load(text=text, source="contract.toml")
    client.force_login(users["provider_manager"])
    page = client.get("/reports/evaluation/", {"as_of": "2024-11-30"}).content.decode()
    table = re.search(r'data-testid="status_by_weeks".*?</table>', page, re.S).group(0)
    assert ">78+<" in table
    assert "78-103" not in table and "104+" not in table
