"""Reports downloaded are named for their programme and what they are of: two programmes'
reports of one day, or one report's two filters, never share a name."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

DOWNLOADS = {
    "evaluator": [
        ("/reports/evaluation/?as_of=2024-12-31&format=xlsx", "evaluation-2024-12-31.xlsx"),
        ("/finance/extract/?as_of=2024-12-31&format=csv", "extract-2024-12-31.csv"),
        ("/finance/extract/?as_of=2024-12-31&format=xlsx", "extract-2024-12-31.xlsx"),
        ("/reports/board/?quarter=Q2+2024-25&format=xlsx", "board-report-card-Q2-2024-25.xlsx"),
    ],
    "investor": [
        ("/reports/board/?quarter=Q2+2024-25&format=pdf", "board-report-card-Q2-2024-25.pdf"),
    ],
}


def _name(response) -> str:
    assert response.status_code == 200, response.content[:300]
    disposition = response["Content-Disposition"]
    return disposition.split('filename="', 1)[1].rstrip('"')


@pytest.mark.parametrize("programme", ["dn2-stars", "stepdown"])
def test_each_report_is_named_for_its_programme(client, both_programmes, programme):
    for username, downloads in DOWNLOADS.items():
        client.force_login(get_user_model().objects.get(username=username))
        for url, name in downloads:
            got = _name(client.get(f"{url}&programme={programme}"))
            assert got == f"{programme}-{name}", url


def test_the_outcomes_report_is_named_for_its_day_and_filters(client, both_programmes):
    client.force_login(get_user_model().objects.get(username="evaluator"))
    today = timezone.localdate()
    url = "/cases/outcomes/?programme=dn2-stars&format=xlsx"
    assert _name(client.get(url)) == f"dn2-stars-outcomes-{today}.xlsx"
    # a council and a cohort: for a role that sees children's records (decision 0008)
    client.force_login(get_user_model().objects.get(username="admin"))
    filtered = _name(client.get(url.replace("xlsx", "pdf") + "&council=derby&cohort=B"))
    assert filtered == f"dn2-stars-outcomes-derby-B-{today}.pdf"


def test_the_evaluators_home_does_not_promise_suppression_in_a_row_level_extract(
    client, both_programmes
):
    client.force_login(get_user_model().objects.get(username="evaluator"))
    home = client.get("/?programme=dn2-stars").content.decode()
    assert "One pseudonymised row per referral" in home
    assert "small numbers suppressed" not in home
