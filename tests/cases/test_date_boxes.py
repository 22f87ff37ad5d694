"""A date a key worker knows (a meeting's, a placement's start) is typed in GOV.UK's three
boxes, Day, Month and Year: each mistake is named in GOV.UK's words with the field's name,
only the box at fault is marked, and the error summary shows the message alone, linked to
that box."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from stars.cases.forms import MeetingForm, PeriodEndForm, TeamMemberForm
from stars.cases.models import ProgressMeeting
from stars.core.forms import date_boxes, shown_as_typed
from tests.live_http import signed_in


def _meeting(day: str, month: str, year: str) -> MeetingForm:
    form = MeetingForm(
        data={"date-day": day, "date-month": month, "date-year": year, "attendees": ["therapist"]}
    )
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("typed", "message", "at_fault"),
    [
        (("", "", ""), "Enter the date of the meeting", ["day", "month", "year"]),
        (("3", "", "2024"), "Date of the meeting must include a month", ["month"]),
        (("", "3", ""), "Date of the meeting must include a day and year", ["day", "year"]),
        (("31", "2", "2024"), "Date of the meeting must be a real date", ["day", "month", "year"]),
        (("12", "13", "2024"), "Date of the meeting must be a real date", ["month"]),
        (("x", "3", "2024"), "Date of the meeting must be a real date", ["day"]),
        (
            ("27", "3", "24"),
            "Date of the meeting must include a year of 4 numbers, for example, 2024",
            ["year"],
        ),
    ],
    ids=["blank", "no-month", "no-day-or-year", "31-february", "month-13", "not-a-number", "yy"],
)
def test_each_mistake_is_named_and_only_its_box_is_marked(typed, message, at_fault):
    form = _meeting(*typed)
    assert form.errors["date"] == [message]
    assert [b.part for b in date_boxes(form["date"]) if b.error] == at_fault
    assert [b.value for b in date_boxes(form["date"])] == list(typed)  # kept as typed


@pytest.mark.parametrize(
    "typed",
    [("27", "3", "2024"), ("27", "03", "2024"), ("27", "mar", "2024"), (" 7", "3 ", "2024")],
)
def test_a_real_date_is_read_as_people_type_it(typed):
    form = _meeting(*typed)
    assert "date" not in form.errors
    assert form.cleaned_data["date"].month == 3 and form.cleaned_data["date"].year == 2024


def test_a_label_that_is_not_a_noun_is_named_in_its_messages():
    form = TeamMemberForm(data={"role": "therapist", "name": "T", "added_on-day": "4"})
    form.is_valid()
    assert form.errors["added_on"] == ["Date they joined the team must include a month and year"]
    form = PeriodEndForm(
        data={"new_start-day": "31", "new_start-month": "4", "new_start-year": "2024"},
        place="foster placement",
    )
    form.is_valid()
    assert form.errors["new_start"] == ["Date the new placement started must be a real date"]


def test_the_error_summary_shows_the_message_alone_linked_to_the_box_at_fault():
    html = render_to_string("stars/error_summary.html", {"form": _meeting("3", "", "2024")})
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', html)
    assert links == [("#id_date-month", "Date of the meeting must include a month")]
    whole = render_to_string("stars/error_summary.html", {"form": _meeting("31", "2", "2024")})
    assert '<a href="#id_date-day">Date of the meeting must be a real date</a>' in whole


def test_the_boxes_are_grouped_under_the_label_with_numeric_keyboards(client, users, case):
    client.force_login(users["key_worker"])
    html = client.get(reverse("case_meeting", args=["R-DER"])).content.decode()
    group = re.search(r'<fieldset class="govuk-fieldset" role="group".*?</fieldset>', html, re.S)
    assert group and "<legend" in group.group(0) and "Date of the meeting" in group.group(0)
    boxes = re.findall(r'<input[^>]*name="(date-\w+)"[^>]*>', group.group(0))
    assert boxes == ["date-day", "date-month", "date-year"]
    assert group.group(0).count('inputmode="numeric"') == 3
    assert 'type="date"' not in html


@pytest.fixture
def key_worker_web(live_server, users, case):
    return signed_in(live_server, "key_worker")


def _post(web, path: str, fields: dict[str, str]):
    fields = {**fields, "csrfmiddlewaretoken": web.form_token(path)}
    return web.request(
        "POST", path, urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"}
    )


@pytest.mark.django_db(transaction=True)
def test_a_meeting_is_recorded_from_its_three_boxes_over_http(key_worker_web):
    path = reverse("case_meeting", args=["R-DER"])
    fields = {"date-day": "20", "date-month": "2", "date-year": "2022", "attendees": "therapist"}
    status, head, _ = _post(key_worker_web, path, fields)
    assert status == 302, status
    assert list(ProgressMeeting.objects.values_list("date", flat=True)) == [dt.date(2022, 2, 20)]


@pytest.mark.django_db(transaction=True)
def test_a_date_after_today_is_refused_over_http_and_nothing_is_recorded(key_worker_web):
    path = reverse("case_meeting", args=["R-DER"])
    fields = {"date-day": "1", "date-month": "1", "date-year": "2099", "attendees": "therapist"}
    status, _, page = _post(key_worker_web, path, fields)
    assert status == 200
    summary = re.search(rb'class="govuk-error-summary".*?</ul>', page, re.S).group(0)
    assert b'<a href="#id_date-day">Date of the meeting must be today or in the past</a>' in summary
    assert b'name="date-year" type="text" inputmode="numeric" value="2099"' in page
    assert ProgressMeeting.objects.count() == 0


def test_a_date_typed_in_its_boxes_is_kept_when_the_form_is_shown_again_unchecked():
    data = QueryDict("date-day=3&date-month=&date-year=2024")
    form = shown_as_typed(MeetingForm(), data)
    assert [b.value for b in date_boxes(form["date"])] == ["3", "", "2024"]
