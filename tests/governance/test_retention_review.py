"""The retention review: counts per kind as the schedule says, on the page and the command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import time_machine
from click.testing import CliRunner
from django.urls import reverse

from stars.cli import app
from stars.core.models import AccessLog
from stars.governance.retention import review, schedule
from stars.referrals.models import Enquiry
from tests.governance.conftest import TODAY


def _counts(today=TODAY):
    return {k.rule.kind: k.count for k in review(today)}


def test_the_review_counts_what_each_rule_makes_due(held):
    assert _counts() == {
        "enquiry_not_progressed": 1,  # withdrawn 2021-03-01 + 2 years; not 2025's
        "referral_and_case": 1,  # born 2000-06-01 + 25 years, and closed; live ones never
        "claim": 1,  # October 2020 ends 2020-10-31 + 6 years; not June 2021
        "access_log": 1,  # logged 2023-05-01 + 2 years
        "uploads": 0,  # none loaded
        "browser_uploads": 0,  # none loaded in the browser
    }
    enquiries = next(k for k in review(TODAY) if k.rule.kind == "enquiry_not_progressed")
    (item,) = enquiries.items
    assert (item.key, item.council, item.trigger_date, item.due_date) == (
        "E-OLD",
        "derby",
        dt.date(2021, 3, 1),
        dt.date(2023, 3, 1),
    )
    # the day before October 2020's claim falls due, it is not listed
    assert _counts(dt.date(2026, 10, 30))["claim"] == 0
    assert _counts(dt.date(2026, 10, 31))["claim"] == 1


def test_an_enquiry_on_the_waiting_list_is_open_and_never_due(held):
    """A child on the waiting list still waits for a place or a match (the waiting list and
    match pages work on it), however long ago the decision was: disposing of it would clear
    the needs and papers and delete the profile the fostering agencies are sent."""
    old = held["E-OLD"]
    Enquiry.objects.filter(pk=old.pk).update(decision="waiting_list")
    assert _counts()["enquiry_not_progressed"] == 0
    Enquiry.objects.filter(pk=old.pk).update(decision="criteria_not_met")
    assert _counts()["enquiry_not_progressed"] == 1


def test_a_confirmed_schedule_from_another_file_is_used(held, tmp_path, settings):
    own = tmp_path / "retention.toml"
    sample = Path(schedule().source).read_text(encoding="utf-8")
    own.write_text(
        sample.replace("years = 2\nassumption = true", "years = 6\nassumption = false", 1)
    )
    settings.STARS_RETENTION_CONFIG = own
    assert _counts()["enquiry_not_progressed"] == 0  # 2021 + 6 years: not yet
    assert [r.kind for r in schedule().assumptions][0] == "referral_and_case"


def test_the_page_shows_the_counts_and_the_records_and_logs_the_list(client, held, users):
    client.force_login(users["admin"])
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("governance_retention"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="due-enquiry_not_progressed">1<' in body
    assert "E-OLD" in body and "E-NEW" not in body and "R-OLD" in body
    assert "Assumption" in body  # the sample's periods are not confirmed
    logged = set(
        AccessLog.objects.filter(username="admin").values_list("action", "object_type", "object_id")
    )
    assert {("list", "enquiry", "E-OLD"), ("list", "referral", "R-OLD")} <= logged
    client.force_login(users["provider_manager"])
    assert client.get(reverse("governance_retention")).status_code == 403


def test_the_command_lists_the_same(held):
    result = CliRunner().invoke(app, ["retention", "review", "--as-of", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "Retention review on 2026-11-26: 4 due" in result.output
    assert "E-OLD" in result.output and "assumption" in result.output
    assert AccessLog.objects.filter(object_id="E-OLD", path="stars retention review").exists()


def test_a_broken_schedule_is_one_line_naming_file_and_line(held, tmp_path, settings):
    bad = tmp_path / "retention.toml"
    bad.write_text('[claim]\ntrigger = "nonsense"\nyears = 6\n')
    settings.STARS_RETENTION_CONFIG = bad
    result = CliRunner().invoke(app, ["retention", "review"])
    assert result.exit_code == 2
    assert f"{bad}:2: column 1: claim.trigger" in result.output.replace("\n", "")


def test_the_demo_shows_a_retention_review_with_items_due_in_each_programme(
    client, both_programmes
):
    from stars.core.programmes import programme_use
    from stars.partnership.models import Programme, User

    for programme in Programme.objects.all():
        with programme_use(programme.choice()):
            due = _counts()
        assert due["enquiry_not_progressed"] > 0, (programme.code, due)
    client.force_login(User.objects.get(username="admin"))
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=False):
        body = client.get(reverse("governance_retention") + "?programme=dn2-stars").content
    assert 'data-testid="due-enquiry_not_progressed">0<' not in body.decode()
    assert 'data-testid="due-uploads">0<' not in body.decode()  # the councils' SSDA903 files
