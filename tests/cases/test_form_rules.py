"""What a new user hit on the case forms: a meeting dated years ahead, an event form that
opened on "Offence", and only the first of several out-of-range scores reported."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from stars.cases import record, services
from stars.cases.models import (
    Assessment,
    AttendanceTerm,
    Audience,
    Instrument,
    MeasureEvent,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
)
from stars.cases.services import CaseError
from tests.live_http import typed_date

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
    assert response.status_code == 200 and 'href="#id_date-day"' in html
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


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("write", "field"),
    [
        (
            lambda case, on: services.outcome_period_record(referral=case, start_date=on),
            "start_date",
        ),
        (
            lambda case, on: services.outcome_period_record(
                referral=case, start_date=D(2022, 2, 1), end_date=on
            ),
            "end_date",
        ),
        (
            lambda case, on: services.outcome_period_end(
                referral=case, end_date=on, reason="breakdown"
            ),
            "end_date",
        ),
        (
            lambda case, on: services.outcome_period_end(
                referral=case, end_date=D(2024, 3, 1), reason="move", new_start=on
            ),
            "new_start",
        ),
        (
            lambda case, on: services.case_close(
                referral=case, outcome="closed_early", on=on, reason="other", narrative="n"
            ),
            "end_date",
        ),
        (
            lambda case, on: services.case_move_cohort(referral=case, cohort="C", on=on),
            "referral_date",
        ),
        (
            lambda case, on: record.phase_change(referral=case, phase="consolidation", on=on),
            "start_date",
        ),
        (
            lambda case, on: record.attendance_record(
                referral=case, term="summer 2024", start_date=on, possible=10, attended=9
            ),
            "start_date",
        ),
        (
            lambda case, on: record.team_member_add(
                referral=case, role="therapist", name="Therapist 2", on=on
            ),
            "added_on",
        ),
        (
            lambda case, on: record.intervention_record(
                referral=case, kind="team_parenting", start_date=on
            ),
            "start_date",
        ),
    ],
    ids=[
        "period-start",
        "period-end",
        "placement-end",
        "move-start",
        "close",
        "cohort",
        "phase",
        "attendance",
        "team",
        "intervention",
    ],
)
def test_a_placement_or_closure_is_never_dated_after_today(request, case, write, field):
    """A placement ended or a case closed 'next June' was saved and counted as if it had
    happened: the case shown ended, its outcome period cut short, nothing flagged."""
    if not request.node.callspec.id.startswith("period-"):
        services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    periods = list(OutcomePeriod.objects.values_list("start_date", "end_date"))
    case.refresh_from_db()
    with pytest.raises(CaseError) as err:
        write(case, D(2024, 3, 28))
    assert err.value.field == field
    case.refresh_from_db()
    assert case.status == "live" and case.end_date is None
    assert list(OutcomePeriod.objects.values_list("start_date", "end_date")) == periods
    write(case, D(2024, 3, 27))


@time_machine.travel(TODAY, tick=False)
def test_the_end_of_a_placement_dated_ahead_is_refused_on_its_field(client, users, case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    client.force_login(users["key_worker"])
    response = client.post(
        _url("case_period_end"),
        {"end_date-day": "1", "end_date-month": "6", "end_date-year": "2025", "reason": "move"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_end_date-day"' in html
    assert "End date must be today or in the past" in html
    assert typed_date(html, "end_date") == ("1", "6", "2025")  # kept as typed
    assert list(OutcomePeriod.objects.values_list("end_date", flat=True)) == [None]


@pytest.mark.parametrize("possible", ["381", "99999999999999999999"])
def test_a_term_of_more_sessions_than_a_school_year_is_refused_on_its_field(
    client, users, case, possible
):
    """Twenty nines typed in "Possible sessions" gave the service's error page (the number
    did not fit the database); any term longer than a school year is a slip of the keys."""
    client.force_login(users["key_worker"])
    data = {"term": "spring 2022", "start_date": "2022-01-04", "attended_sessions": "100"}
    response = client.post(_url("case_attendance"), {**data, "possible_sessions": possible})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_possible_sessions"' in html
    assert "cannot be more than 380" in html and f'value="{possible}"' in html
    assert not AttendanceTerm.objects.exists()
    response = client.post(_url("case_attendance"), {**data, "possible_sessions": "380"})
    assert response.status_code == 302 and AttendanceTerm.objects.count() == 1


def test_an_assessment_sent_again_is_not_saved_twice(client, users, case, instruments):
    """The back button after saving an assessment, then "Record the assessment" again, saved
    it a second time (two assessments on one day, every score counted twice)."""
    young_person, family = instruments
    areas = list(young_person.areas.all())
    client.force_login(users["key_worker"])
    url = _url("case_assessment") + f"?instrument={young_person.pk}"
    typed = {"date-day": "1", "date-month": "2", "date-year": "2022"}
    data = {**typed, **{f"area_{a.pk}": "3" for a in areas}}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_date-day"' in html
    assert "already recorded on this date" in html
    assert typed_date(html, "date") == ("1", "2", "2022")
    assert Assessment.objects.count() == 1
    # another day, or another instrument on the same day, is another assessment
    assert client.post(url, {**data, "date-day": "2"}).status_code == 302
    scores = {a.pk: 5 for a in family.areas.all()}
    record.assessment_record(referral=case, instrument=family, on=D(2022, 2, 1), scores=scores)
    assert Assessment.objects.count() == 3


def test_a_meeting_sent_again_is_not_saved_twice(client, users, case):
    client.force_login(users["key_worker"])
    data = {"date": "2022-02-20", "attendees": ["key_worker"], "action_1": "Call school"}
    data |= {"owner_1": "Key worker", "due_1": "2022-03-01"}
    assert client.post(_url("case_meeting"), data).status_code == 302
    response = client.post(_url("case_meeting"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_date-day"' in html
    assert "already recorded on this date" in html
    assert ProgressMeeting.objects.count() == 1 and MeetingAction.objects.count() == 1
    # another meeting that day (other people) is a meeting of its own
    data |= {"attendees": ["key_worker", "therapist"], "action_1": ""}
    assert client.post(_url("case_meeting"), data).status_code == 302
    assert ProgressMeeting.objects.count() == 2


def test_an_intervention_sent_again_is_not_saved_twice(client, users, case):
    client.force_login(users["key_worker"])
    data = {"kind": "team_parenting", "start_date": "2022-02-01", "note": ""}
    assert client.post(_url("case_intervention"), data).status_code == 302
    response = client.post(_url("case_intervention"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_start_date-day"' in html
    assert "already recorded from this date" in html and case.interventions.count() == 1


def test_an_event_sent_again_is_not_saved_twice(client, users, case):
    """The back button after recording a missing episode, then "Record the event" again,
    saved it a second time: two missing episodes counted where there was one."""
    client.force_login(users["key_worker"])
    data = {"date": "2022-02-01", "kind": "missing_episode", "note": "Back by 10pm"}
    assert client.post(_url("case_measure"), data).status_code == 302
    response = client.post(_url("case_measure"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_date-day"' in html
    assert "already recorded on this date" in html and "Back by 10pm" in html
    assert MeasureEvent.objects.count() == 1
    # a second one that day, told apart by its note, is an event of its own
    data["note"] = "Missing again overnight"
    assert client.post(_url("case_measure"), data).status_code == 302
    assert MeasureEvent.objects.count() == 2


def test_a_team_member_sent_again_is_not_added_twice(client, users, case):
    client.force_login(users["key_worker"])
    data = {"role": "therapist", "name": "Therapist 4", "added_on": "2022-02-01"}
    assert client.post(_url("case_team"), data).status_code == 302
    response = client.post(_url("case_team"), {**data, "name": "therapist 4 "})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_name"' in html
    assert "already on the team" in html and case.team.count() == 1
    # another therapist is another member
    assert client.post(_url("case_team"), {**data, "name": "Therapist 5"}).status_code == 302
    assert case.team.count() == 2


def test_closing_survey_answers_sent_again_are_not_saved_twice(client, users, case):
    """Each answer sent twice counted twice in the survey's shares."""
    client.force_login(users["key_worker"])
    url = _url("case_survey") + "?respondent=young_person"
    data = {"date": "2024-01-08", "expectations_met": "all", "staff": "most"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_date-day"' in html
    assert "already recorded on this date" in html and case.surveys.count() == 2
    # another respondent's answers, or other answers, are theirs
    other = {**data, "staff": "some"}
    assert client.post(url, other).status_code == 302
    assert client.post(_url("case_survey"), data).status_code == 302
    assert case.surveys.count() == 6


@time_machine.travel(TODAY, tick=False)
def test_a_new_placements_start_is_never_dropped_when_the_reason_is_not_a_move(client, users, case):
    """ "Placement broke down" chosen with the new placement's start typed in: the start was
    dropped unseen and the weeks of the new placement never recorded."""
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    client.force_login(users["key_worker"])
    new_start = {"new_start-day": "8", "new_start-month": "5", "new_start-year": "2023"}
    data = {"end_date": "2023-05-01", "reason": "breakdown", **new_start}
    response = client.post(_url("case_period_end"), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_new_start-day"' in html
    assert "is for a move to another foster placement" in html
    assert typed_date(html, "new_start") == ("8", "5", "2023")
    assert 'value="breakdown" checked' in html
    assert list(OutcomePeriod.objects.values_list("end_date", flat=True)) == [None]
    response = client.post(_url("case_period_end"), {**data, "reason": "move"})
    assert response.status_code == 302
    assert list(
        OutcomePeriod.objects.order_by("start_date").values_list("start_date", flat=True)
    ) == [
        D(2022, 1, 12),
        D(2023, 5, 8),
    ]


def test_a_period_after_a_continuing_one_points_to_ending_the_placement(client, users, case):
    """A key worker recording a new placement's period was told only that it overlapped the
    continuing one, not how to end that one first."""
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    client.force_login(users["key_worker"])
    response = client.post(_url("case_period"), {"start_date": "2022-06-01", "note": "New carers"})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_start_date-day"' in html
    assert "overlaps the period from 12 January 2022 to now (continuing)" in html
    assert "use End the placement on the case page" in html and "New carers" in html
    assert OutcomePeriod.objects.count() == 1


def test_a_refusal_about_the_tool_itself_is_shown_for_the_whole_form(client, users, case):
    """The tool chosen is a hidden field of the assessment form: a refusal naming it (an
    instrument configured without areas) is shown at the top, not linked to a field the
    key worker cannot see."""
    empty = Instrument.objects.create(
        name="Tool without areas", scale_min=1, scale_max=5, audience=Audience.values[0]
    )
    client.force_login(users["key_worker"])
    url = _url("case_assessment")
    response = client.post(url, {"instrument": str(empty.pk), "date": "2022-02-01"})
    html = response.content.decode()
    assert response.status_code == 200 and Assessment.objects.count() == 0
    assert "<li>This instrument has no areas configured</li>" in html
    assert 'href="#id_instrument"' not in html
