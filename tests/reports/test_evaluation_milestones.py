"""The evaluation report shows a milestones cohort's milestones on the page, as its JSON and
workbook give them."""

from __future__ import annotations

import io

import openpyxl
from django.contrib.auth import get_user_model


def test_the_page_shows_the_milestones_earned_as_the_json_and_workbook_do(client, both_programmes):
    client.force_login(get_user_model().objects.get(username="evaluator"))
    url = "/reports/evaluation/?programme=stepdown&as_of=2017-12-31"
    earned = client.get(url + "&format=json").json()["finance"]["by_cohort"]["SD"]["milestones"]
    # some shown: counts within 4 of those shown the quarter before are hidden (decision 0018)
    assert sum(n for n in earned.values() if n != "c") > 0
    book = openpyxl.load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    rows = {r[0]: r[3] for r in book["milestones"].iter_rows(min_row=2, values_only=True)}
    assert rows == {f"SD: {name}": n for name, n in earned.items()}
    page = client.get(url).content.decode()
    assert "Milestones earned" in page
    assert all(f"SD: {name}" in page for name in earned)
