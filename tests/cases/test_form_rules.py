"""What a new user hit on the case forms: a meeting dated years ahead, an event form that
opened on "Offence", and only the first of several out-of-range scores reported."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from stars.cases import record
from stars.cases.models import Assessment, MeasureEvent, ProgressMeeting
from stars.cases.services import CaseError

D = dt.date
TODAY = dt.datetime(2024, 3, 27, 12, tzinfo=dt.UTC)


def _url(name: str) -> str:
    return reverse(name, args=["R-DER"])


@time_machine.travel(TODAY, tick=False)
def test_a_meeting_dated_after_today_is_refused_on_its_date_field(client, users, case):
    client.force_login(users["key_worker"])
    response = client.post(
        _url("case_meeting"), {"date": "2027-03-27", "attendees": ["therapist", "key_worker"]}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_date"' in html
    assert "must be today or in the past" in html
    assert ProgressMeeting.objects.count() == 0
    response = client.post(_url("case_meeting"), {"date": "2024-03-27", "attendees": ["therapist"]})
    assert response.status_code == 302 and ProgressMeeting.objects.count() == 1


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    "write",
    [
        lambda case, on: record.meeting_record(referral=case, on=on, attendees=["therapist"]),
        lambda case, on: record.measure_record(referral=case, on=on, kind="caution"),
        lambda case, on: record.survey_record(
            referral=case, respondent="parent_carer", on=on, answers={"staff": "all"}
        ),
    ],
    ids=["meeting", "event", "survey"],
)
def test_what_happened_is_never_dated_after_today(case, write):
    with pytest.raises(CaseError) as err:
        write(case, D(2024, 3, 28))
    assert err.value.field == "date"
    write(case, D(2024, 3, 27))


def test_a_future_meeting_cannot_hide_an_overdue_one(client, users, case):
    record.meeting_record(referral=case, on=D(2022, 2, 1), attendees=["therapist"])
    with pytest.raises(CaseError):
        record.meeting_record(referral=case, on=D(2099, 1, 1), attendees=["therapist"])
    client.force_login(users["key_worker"])
    assert "Overdue" in client.get(reverse("case_caseload")).content.decode()


def test_the_event_form_has_no_default_event(client, users, case):
    client.force_login(users["key_worker"])
    html = client.get(_url("case_measure")).content.decode()
    select = re.search(r'<select[^>]*name="kind".*?</select>', html, re.S)
    assert select is not None
    first = re.search(r"<option[^>]*>([^<]*)</option>", select.group(0))
    assert first is not None and 'value=""' in first.group(0) and "Offence" not in first.group(1)
    assert "selected" not in select.group(0)
    response = client.post(_url("case_measure"), {"date": "2022-03-01", "note": ""})
    html = response.content.decode()
    assert "Select what happened" in html and MeasureEvent.objects.count() == 0


@pytest.mark.parametrize("name", ["case_team", "case_intervention", "case_measure"])
def test_no_list_on_the_case_forms_opens_on_a_real_choice(client, users, case, name):
    client.force_login(users["key_worker"])
    html = client.get(_url(name)).content.decode()
    for select in re.findall(r"<select.*?</select>", html, re.S):
        assert re.search(r'<option value="">', select), select[:200]
        assert " selected" not in select


def test_every_out_of_range_score_is_reported(client, users, case, instruments):
    young_person, _family = instruments
    areas = list(young_person.areas.all())
    assert len(areas) == 8
    client.force_login(users["key_worker"])
    response = client.post(
        _url("case_assessment") + f"?instrument={young_person.pk}",
        {"date": "2022-02-01", **{f"area_{a.pk}": "9" for a in areas}},
    )
    html = response.content.decode()
    assert response.status_code == 200 and Assessment.objects.count() == 0
    for a in areas:
        assert f'href="#id_area_{a.pk}"' in html
        assert f"The score for {a.name} must be between 1 and 5" in html
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary is not None and summary.group(0).count("<li>") == 8
