"""Correcting a recorded outcome period from the case page: the rules of recording one, a
reason, and the change kept (who, when, old and new values) and shown on the case page.
(What the claims do with it: tests/finance/test_period_corrections.py.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stars.cases import services
from stars.cases.chronology import chronology
from stars.cases.models import OutcomePeriod
from stars.cases.selectors import period_corrections
from stars.cases.services import CaseError
from stars.core.models import AccessLog
from tests.live_http import typed_date

D = dt.date


def _err(call) -> tuple[str | None, str]:
    with pytest.raises(CaseError) as exc:
        call()
    return exc.value.field, exc.value.message


def _correct(case, period, by=None, **changes):
    values = {
        "start_date": period.start_date,
        "end_date": period.end_date,
        "note": period.note,
        "reason": "placement end date was typed wrongly",
        **changes,
    }
    return services.outcome_period_correct(referral=case, period_id=period.pk, by=by, **values)


def test_a_correction_follows_the_rules_of_recording_a_period(case, referrals):
    first = services.outcome_period_record(
        referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 6, 1)
    )
    later = services.outcome_period_record(referral=case, start_date=D(2022, 9, 1))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert _err(lambda: _correct(case, later, end_date=tomorrow))[0] == "end_date"
    assert _err(lambda: _correct(case, later, start_date=tomorrow))[0] == "start_date"
    assert _err(lambda: _correct(case, first, start_date=D(2022, 1, 1))) == (
        "start_date",
        "cannot be before the referral date (10 January 2022)",
    )
    assert _err(lambda: _correct(case, first, end_date=D(2022, 9, 2))) == (
        "start_date",
        "overlaps the period from 1 September 2022 to now (continuing)",
    )
    assert _err(lambda: _correct(case, first, end_date=D(2022, 1, 10)))[0] == "end_date"
    assert _err(lambda: _correct(case, first, reason="  ")) == (
        "reason",
        "Enter the reason for the correction",
    )
    assert _err(lambda: _correct(case, first))[0] == "start_date"  # nothing changed
    other = services.outcome_period_record(
        referral=referrals["nottingham"], start_date=D(2022, 1, 10)
    )  # another case's period cannot be corrected through this one
    assert _err(lambda: _correct(case, other, end_date=D(2022, 2, 1)))[0] is None
    # its own dates are no overlap: the period moves within itself
    _correct(case, first, start_date=D(2022, 1, 12), end_date=D(2022, 8, 31))
    first.refresh_from_db()
    assert (first.start_date, first.end_date) == (D(2022, 1, 12), D(2022, 8, 31))
    assert OutcomePeriod.objects.get(pk=other.pk).end_date is None  # untouched


def test_a_closed_cases_periods_stay_inside_its_support(case, users):
    period = services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    services.case_close(
        referral=case,
        outcome="closed_early",
        on=D(2023, 3, 1),
        reason="consent_withdrawn",
        narrative="The family withdrew consent.",
    )
    case.refresh_from_db()
    period.refresh_from_db()
    assert period.end_date == D(2023, 3, 1)
    assert _err(lambda: _correct(case, period, end_date=D(2023, 3, 2))) == (
        "end_date",
        "cannot be after support ended (1 March 2023)",
    )
    assert _err(lambda: _correct(case, period, end_date=None))[0] == "end_date"
    _correct(case, period, end_date=D(2023, 2, 1))


def test_the_history_keeps_who_when_why_and_the_old_and_new_values(case, users):
    period = services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    _correct(
        case,
        period,
        by=users["provider_manager"],
        start_date=D(2022, 1, 17),
        end_date=D(2022, 6, 1),
        note="Placement broke down",
        reason="dates taken from the placement record",
    )
    (c,) = period_corrections(case)
    manager = users["provider_manager"]
    assert c.who == (manager.get_full_name() or manager.username)
    assert c.at is not None
    assert c.reason == "dates taken from the placement record"
    assert c.changes == [
        ("From", D(2022, 1, 10), D(2022, 1, 17)),
        ("Until", None, D(2022, 6, 1)),
        ("Note", "", "Placement broke down"),
    ]
    row = period.history.first()
    assert row.history_change_reason == "correction: dates taken from the placement record"
    assert row.history_user == users["provider_manager"]


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_correction_form_over_http_with_its_security_token(case, users):
    period = services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["key_worker"])  # R-DER is on the key worker's caseload
    page = client.get(reverse("case_detail", args=["R-DER"])).content.decode()
    url = reverse("case_period_correct", args=["R-DER"])
    assert url in page  # offered among the case's actions
    form = client.get(url)
    html = form.content.decode()
    assert form.status_code == 200  # the period as it reads
    assert typed_date(html, "start_date") == ("10", "1", "2022")
    data = {
        "start_date": "2022-01-10",
        "end_date": "2022-05-02",
        "note": "Placement broke down",
        "reason": "the breakdown was not recorded",
    }
    assert client.post(url, data).status_code == 403  # no token: refused, nothing saved
    period.refresh_from_db()
    assert period.end_date is None
    # a refusal of the rules is shown on its field, nothing saved
    future = timezone.localdate() + dt.timedelta(days=3)
    refused = client.post(
        url, {**data, "end_date": future.isoformat(), "csrfmiddlewaretoken": _token(html)}
    )
    assert refused.status_code == 200 and "must be today or in the past" in refused.content.decode()
    period.refresh_from_db()
    assert period.end_date is None
    done = client.post(url, {**data, "csrfmiddlewaretoken": _token(html)})
    assert done.status_code == 302
    period.refresh_from_db()
    assert (period.end_date, period.note) == (D(2022, 5, 2), "Placement broke down")
    shown = client.get(done["Location"]).content.decode()
    assert 'data-testid="period-corrections"' in shown
    section = shown.split('data-testid="period-corrections"')[1].split("</table>")[0]
    for text in ("continuing", "2 May 2022", "the breakdown was not recorded", "broke down"):
        assert text in section
    assert AccessLog.objects.filter(object_id="R-DER", path=url).exists()  # the form read


def test_the_correction_form_is_refused_outside_the_users_scope(referrals, users):
    services.outcome_period_record(referral=referrals["nottingham"], start_date=D(2022, 1, 10))
    client = Client()
    client.force_login(users["key_worker"])
    assert client.get(reverse("case_period_correct", args=["R-NOT"])).status_code == 404
    client.force_login(users["commissioner"])
    assert client.get(reverse("case_period_correct", args=["R-DER"])).status_code == 403


def test_a_case_without_periods_says_so(client, users, case):
    client.force_login(users["provider_manager"])
    html = client.get(reverse("case_period_correct", args=["R-DER"])).content.decode()
    assert "No outcome period is recorded on this case yet." in html


def test_the_chronology_gives_a_corrections_reason(case, users):
    period = services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    _correct(case, period, by=users["provider_manager"], start_date=D(2022, 1, 17))
    (entry,) = [e for e in chronology(case) if e.kind == "change"]
    assert "start date" in entry.detail
    assert "correction: placement end date was typed wrongly" in entry.detail
