"""The pages' figures are worked out before the users come (after a change, by the job
worker or `stars warm-figures`), not while the first user waits."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.urls import reverse

from stars.cases import outcomes, selectors
from stars.cases.services import outcome_period_record
from stars.cli import app
from stars.finance import figures
from stars.reports import services, targets
from stars.web import today
from stars.web.warm import figures_version, warm_figures

AS_OF = dt.date(2024, 12, 31)

# each role's pages whose figures are cached, as users open them (as of today and AS_OF)
PAGES = {
    "commissioner": ["finance_money", "report_evaluation", "targets", "home"],
    "provider_manager": [
        "finance_money",
        "report_evaluation",
        "cases_outcomes",
        "case_caseload",
        "home",
    ],
    "investor": ["finance_investor", "targets", "cases_outcomes", "home"],
    "evaluator": ["report_evaluation", "cases_outcomes", "home"],
    "admin": ["finance_money", "home"],
    "key_worker": ["case_caseload", "home"],
    "spoc_nottingham": ["home"],
}


def _no_computing(monkeypatch):
    """Every cached figure's computation fails: a page that is not served from the cache
    raises."""

    def refuse(*args, **kwargs):
        raise AssertionError("computed while the user waits")

    for module, name in [
        (figures, "money_overview"),
        (figures, "cap_position"),
        (figures, "investor_overview"),
        (services, "evaluation_context"),
        (targets, "targets_context"),  # the targets page's charts
        (outcomes, "outcomes_report"),
        (today, "today_work"),
        (selectors, "rows_count"),  # the caseload's overdue count
    ]:
        monkeypatch.setattr(module, name, refuse)


def _open_every_page(client, users):
    for who, pages in PAGES.items():
        client.force_login(users[who])
        for name in pages:
            for query in ("", f"?as_of={AS_OF}"):
                if name in ("cases_outcomes", "case_caseload", "home") and query:
                    continue  # not dated: as of today
                response = client.get(reverse(name) + query)
                assert response.status_code == 200, (who, name, query)


@pytest.fixture
def programme(users, referrals):
    outcome_period_record(
        referral=referrals["derby"],
        start_date=referrals["derby"].referral_date + dt.timedelta(days=3),
    )
    return users


def test_after_warming_every_role_s_pages_are_served_without_computing(
    client, programme, monkeypatch
):
    assert warm_figures([AS_OF]) == len(programme)
    _no_computing(monkeypatch)
    _open_every_page(client, programme)


def test_without_warming_the_first_user_computes_them(client, programme, monkeypatch):
    _no_computing(monkeypatch)
    with pytest.raises(AssertionError, match="computed while the user waits"):
        _open_every_page(client, programme)


def test_a_change_after_warming_is_a_new_version_computed_again(
    client, programme, referrals, monkeypatch
):
    warm_figures([AS_OF])
    before = figures_version()
    outcome_period_record(referral=referrals["nottingham"], start_date=dt.date(2022, 1, 20))
    assert figures_version() != before
    _no_computing(monkeypatch)
    with pytest.raises(AssertionError, match="computed while the user waits"):
        _open_every_page(client, programme)


def test_stars_warm_figures_warms_them_by_hand(client, programme, monkeypatch):
    outcome = CliRunner().invoke(app, ["warm-figures", "--as-of", AS_OF.isoformat()])
    assert outcome.exit_code == 0, outcome.output
    assert f"warmed the figures of {len(programme)} users' pages" in outcome.output
    _no_computing(monkeypatch)
    _open_every_page(client, programme)
