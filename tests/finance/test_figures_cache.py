"""Figures are cached per version of the records: a change is never served stale."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from simple_history.manager import HistoryDescriptor

from stars.cases.models import OutcomePeriod
from stars.cases.services import outcome_period_record
from stars.finance import figures
from stars.partnership.selectors import contract_current
from stars.tracker.selectors import programme_figures, programme_version

AS_OF = dt.date(2024, 11, 30)


def _period(referral):
    return outcome_period_record(
        referral=referral, start_date=referral.referral_date + dt.timedelta(days=3)
    )


def test_programme_version_changes_with_any_change_to_the_records(referrals):
    before = programme_version()
    assert programme_version() == before  # a read changes nothing
    period = _period(referrals["derby"])
    added = programme_version()
    assert added != before
    period.delete()
    assert programme_version() not in (before, added)


def test_figures_are_computed_once_per_version_scope_and_parts(referrals):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert programme_figures("t", None, (AS_OF,), compute) == 1
    assert programme_figures("t", None, (AS_OF,), compute) == 1  # from the cache
    assert programme_figures("t", None, (AS_OF + dt.timedelta(days=1),), compute) == 2
    _period(referrals["derby"])  # a change: a new version
    assert programme_figures("t", None, (AS_OF,), compute) == 3


def _page(client, url: str) -> str:
    # the form tokens vary, and so do the session's seconds left from one second to the next
    body = client.get(url).content.decode()
    return re.sub(r'(value|data-session-seconds-left)="[^"]*"', "", body)


def test_the_money_page_shows_new_figures_after_a_change(client, users, referrals):
    _period(referrals["derby"])
    client.force_login(users["admin"])
    url = reverse("finance_money") + f"?as_of={AS_OF}"
    first = _page(client, url)
    assert _page(client, url) == first  # served again, from the cache
    contract = contract_current()
    assert figures.money_overview(contract, None, AS_OF)["total"].outcome_payments > 0
    OutcomePeriod.objects.all().delete()
    assert figures.money_overview(contract, None, AS_OF)["total"].outcome_payments == 0
    assert _page(client, url) != first


def test_the_outcomes_report_is_cached_per_version_of_the_case_records(client, users, referrals):
    from stars.cases.outcomes import OUTCOME_RECORDS
    from stars.core.cache import data_version

    before = data_version(OUTCOME_RECORDS)
    client.force_login(users["admin"])
    first = _page(client, reverse("cases_outcomes"))
    assert _page(client, reverse("cases_outcomes")) == first
    _period(referrals["derby"])
    assert data_version(OUTCOME_RECORDS) != before


def test_todays_work_is_cached_per_version_of_its_records(client, users, referrals):
    from stars.core.cache import data_version
    from stars.web.today import TODAY_RECORDS

    client.force_login(users["provider_manager"])
    before = data_version(TODAY_RECORDS)
    first = _page(client, "/")
    assert "R-DER" not in first or "Cases to allocate" in first
    referrals["nottingham"].key_worker = users["key_worker"]
    referrals["nottingham"].save()  # a change: a new version, the lists worked out again
    assert data_version(TODAY_RECORDS) != before
    assert _page(client, "/") != first


def test_reading_the_version_builds_no_history_manager_once_its_query_is_known(
    referrals, monkeypatch
):
    """Every cached page reads a version; a model's history manager is a new class on each
    read (a tenth of a second for a page's versions), so the version's query is built once
    and still sees every change."""
    before = programme_version()

    built = HistoryDescriptor.__get__

    def refuse(self, instance, owner):
        if instance is None:  # the model's manager (a record's own is saving its history)
            raise AssertionError("history manager built again")
        return built(self, instance, owner)

    monkeypatch.setattr(HistoryDescriptor, "__get__", refuse)
    assert programme_version() == before
    _period(referrals["derby"])  # a change
    assert programme_version() != before


def test_downloads_are_built_once_per_version_and_every_download_is_logged(
    client, users, referrals, monkeypatch
):
    """The evaluator's extract and the evaluation report's JSON are built once per version of
    the records (a second download is read, not worked out again), each download is still
    in the access log, another recipient never gets the first one's pseudonyms, and a change
    to the records gives a new file."""
    from stars.core.models import AccessLog
    from stars.reports import services

    built = {"extract": 0, "json": 0}
    rows_of, json_of = figures.evaluator_rows, services.evaluation_json

    def counted_rows(*args, **kwargs):
        built["extract"] += 1
        return rows_of(*args, **kwargs)

    def counted_json(*args, **kwargs):
        built["json"] += 1
        return json_of(*args, **kwargs)

    monkeypatch.setattr(figures, "evaluator_rows", counted_rows)
    monkeypatch.setattr(services, "evaluation_json", counted_json)
    quarter_end = "2024-12-31"  # the evaluator asks for whole quarters
    extract = reverse("finance_extract") + f"?as_of={quarter_end}&format=csv"
    report = reverse("report_evaluation") + f"?as_of={quarter_end}&format=json"

    client.force_login(users["evaluator"])
    first = client.get(extract).content
    assert client.get(extract).content == first
    assert client.get(report).content == client.get(report).content
    assert built == {"extract": 1, "json": 1}
    assert AccessLog.objects.filter(object_type="evaluator_extract").count() == 2
    assert AccessLog.objects.filter(object_type="report", detail="json").count() == 2

    client.force_login(users["admin"])  # another recipient: their own pseudonyms
    other = client.get(extract).content
    assert built["extract"] == 2 and other != first

    client.force_login(users["evaluator"])
    _period(referrals["derby"])  # a change: a new version, built again
    assert client.get(extract).content != first
    client.get(report)
    assert built == {"extract": 3, "json": 2}
