"""A number a key worker types (sessions, a score) is asked for in a text box with the phone's
number keyboard, as GOV.UK does, not ``type="number"``: a browser sends "3-4" typed there as
nothing, so the text was lost and the message said "Enter ..." of a box that was filled in.
What was typed is kept, and the message says what is wrong with it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from stars.cases.forms import AssessmentForm, AttendanceForm
from stars.cases.models import AttendanceTerm

TERM = {"term": "spring 2022", "start_date": "2022-01-04"}


def _attendance(possible: str, attended: str = "10") -> AttendanceForm:
    form = AttendanceForm(
        data={**TERM, "possible_sessions": possible, "attended_sessions": attended}
    )
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the number of possible sessions"),
        ("3-4", "Possible sessions must be a whole number, like 6"),
        ("3 sessions", "Possible sessions must be a whole number, like 6"),
        ("6.5", "Possible sessions must be a whole number, like 6"),
        ("-1", "Possible sessions must be 0 or more"),
    ],
)
def test_each_mistake_in_a_number_is_named(typed, message):
    assert _attendance(typed).errors["possible_sessions"] == [message]


def test_a_number_typed_with_spaces_around_it_is_read():
    form = _attendance(" 120 ")
    assert form.is_valid() and form.cleaned_data["possible_sessions"] == 120


def test_a_score_out_of_range_names_the_range(instruments):
    tool = instruments[0]
    area = tool.areas.first()
    form = AssessmentForm(data={"date": "2022-02-01", f"area_{area.pk}": "9"}, instrument=tool)
    assert not form.is_valid()
    low, high = tool.scale_min, tool.scale_max
    assert form.errors[f"area_{area.pk}"] == [
        f"The score for {area.name} must be between {low} and {high}"
    ]
    form = AssessmentForm(data={"date": "2022-02-01", f"area_{area.pk}": "two"}, instrument=tool)
    assert not form.is_valid()
    assert form.errors[f"area_{area.pk}"] == [
        f"The score for {area.name} must be a whole number, like {min(max(6, low), high)}"
    ]


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found is not None, name
    return found.group(0)


def test_the_page_keeps_the_text_typed_and_asks_with_a_number_keyboard(client, users, case):
    client.force_login(users["key_worker"])
    url = reverse("case_attendance", args=["R-DER"])
    for name in ("possible_sessions", "attended_sessions"):
        box = _input(client.get(url).content.decode(), name)
        assert 'type="text"' in box and 'inputmode="numeric"' in box, box
        assert 'spellcheck="false"' in box
    response = client.post(
        url, {**TERM, "possible_sessions": "3-4", "attended_sessions": "3 sessions"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and AttendanceTerm.objects.count() == 0
    assert 'value="3-4"' in _input(html, "possible_sessions")
    assert 'value="3 sessions"' in _input(html, "attended_sessions")
    assert "Possible sessions must be a whole number, like 6" in html
    assert "Sessions attended must be a whole number, like 6" in html
    assert "Enter the number of" not in html


def test_no_form_asks_for_a_number_with_type_number(client, users, case, instruments):
    client.force_login(users["key_worker"])
    for name in ("case_attendance", "case_assessment"):
        html = client.get(reverse(name, args=["R-DER"])).content.decode()
        assert 'type="number"' not in html, name
        assert 'inputmode="numeric"' in html, name
