"""What key workers lost on the case forms: choosing another assessment tool, or another
survey respondent, reloaded the form and everything typed so far was gone; and a second
carer's answers, the same as the first's on the same day, were refused as sent twice."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from stars.cases.models import Assessment, ClosingSurvey
from tests.live_http import signed_in

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def key_worker(live_server, users, case):
    return signed_in(live_server, "key_worker")


def _post(web, path: str, data: dict[str, str]) -> tuple[int, str]:
    token = web.form_token(path)
    status, _, page = web.request(
        "POST", path, urlencode({**data, "csrfmiddlewaretoken": token}), FORM
    )
    return status, page.decode()


def _value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def _date(html: str) -> tuple[str | None, ...]:
    """The date's Day, Month and Year boxes as the page shows them."""
    return tuple(_value(html, f"date-{part}") for part in ("day", "month", "year"))


def _checked(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)" checked', html)
    return match.group(1) if match else None


def test_another_assessment_tool_keeps_what_was_typed_and_saves_nothing(
    key_worker, case, instruments
):
    young_person, family = instruments
    young_areas = list(young_person.areas.all())
    family_areas = list(family.areas.all())
    path = f"/cases/{case.referral_id}/assessment/"
    typed = {
        "instrument": str(young_person.pk),
        "date-day": "1",
        "date-month": "2",
        "date-year": "2022",
    }
    typed |= {f"area_{a.pk}": str(1 + i % 5) for i, a in enumerate(young_areas[:3])}

    status, html = _post(key_worker, path, {**typed, "switch": str(family.pk)})
    assert status == 200 and "Record an assessment: Family outcome star" in html
    assert "govuk-error-summary" not in html  # unfinished, not wrong
    assert _date(html) == ("1", "2", "2022") and _value(html, "instrument") == str(family.pk)
    assert all(f'id="id_area_{a.pk}"' in html for a in family_areas)
    assert Assessment.objects.count() == 0

    # the family tool's first score typed, then back: the first tool's scores are there
    back = {**typed, "instrument": str(family.pk), f"area_{family_areas[0].pk}": "4"}
    status, html = _post(key_worker, path, {**back, "switch": str(young_person.pk)})
    assert status == 200 and "Record an assessment: Young person" in html
    for i, a in enumerate(young_areas[:3]):
        assert _value(html, f"area_{a.pk}") == str(1 + i % 5)
    assert _value(html, f"area_{family_areas[0].pk}") == "4"  # kept, hidden, for a switch
    assert Assessment.objects.count() == 0

    done = {**typed} | {f"area_{a.pk}": "3" for a in young_areas[3:]}
    done[f"area_{family_areas[0].pk}"] = "4"  # the other tool's score is not the assessment's
    status, _ = _post(key_worker, path, done)
    assert status == 302
    saved = Assessment.objects.get()
    assert saved.instrument == young_person
    assert sorted(s.area_id for s in saved.scores.all()) == sorted(a.pk for a in young_areas)


def test_another_survey_respondent_keeps_what_was_typed_and_saves_nothing(key_worker, case):
    path = f"/cases/{case.referral_id}/survey/"
    status, _, page = key_worker.request("GET", path)
    assert status == 200 and b">Answers of the young person</button>" in page
    typed = {
        "respondent": "parent_carer",
        "answered_by": "Carer 2",
        "date-day": "8",
        "date-month": "1",
        "date-year": "2024",
    }
    typed |= {"expectations_met": "most", "staff": "all"}

    status, html = _post(key_worker, path, {**typed, "switch": "young_person"})
    assert status == 200 and "Closing survey: young person" in html
    assert "govuk-error-summary" not in html
    assert _value(html, "respondent") == "young_person"
    assert _date(html) == ("8", "1", "2024") and _value(html, "answered_by") == "Carer 2"
    assert _checked(html, "expectations_met") == "most" and _checked(html, "staff") == "all"
    assert ClosingSurvey.objects.count() == 0

    status, _ = _post(key_worker, path, {**typed, "respondent": "young_person"})
    assert status == 302
    assert set(ClosingSurvey.objects.values_list("respondent", flat=True)) == {"young_person"}


# one parent or carer's closing survey answers on 8 January 2024
SAME_DAY_ANSWERS = {
    "respondent": "parent_carer",
    "date-day": "8",
    "date-month": "1",
    "date-year": "2024",
    "staff": "most",
}


def test_two_carers_giving_the_same_answers_on_one_day_are_both_recorded(key_worker, case):
    path = f"/cases/{case.referral_id}/survey/"
    answers = SAME_DAY_ANSWERS
    assert _post(key_worker, path, {**answers, "answered_by": "Carer 1"})[0] == 302
    status, html = _post(key_worker, path, {**answers, "answered_by": "Carer 2"})
    assert status == 302, html
    assert sorted(ClosingSurvey.objects.values_list("answered_by", flat=True)) == [
        "Carer 1",
        "Carer 2",
    ]
    # the second carer's form sent again (the back button) is still refused
    status, html = _post(key_worker, path, {**answers, "answered_by": "carer 2 "})
    assert status == 200 and 'href="#id_date-day"' in html
    assert "These answers of carer 2 are already recorded on this date" in html
    assert ClosingSurvey.objects.count() == 2
    # the case page tells the two apart
    page = key_worker.request("GET", f"/cases/{case.referral_id}/")[2].decode()
    assert "Parent or carer (Carer 1)" in page and "Parent or carer (Carer 2)" in page


def test_same_answers_without_who_answered_say_how_to_record_a_second_respondent(key_worker, case):
    path = f"/cases/{case.referral_id}/survey/"
    answers = SAME_DAY_ANSWERS
    assert _post(key_worker, path, answers)[0] == 302
    status, html = _post(key_worker, path, answers)
    assert status == 200 and 'href="#id_date-day"' in html
    assert "if another parent or carer gave the same answers, enter who answered" in html
    assert _date(html) == ("8", "1", "2024") and _checked(html, "staff") == "most"
    assert ClosingSurvey.objects.count() == 1
