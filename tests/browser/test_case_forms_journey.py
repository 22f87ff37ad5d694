"""A key worker on a phone fills the case forms: choosing another assessment tool or another
survey respondent keeps what was typed, with JavaScript or without; two carers giving the
same answers on one day are both recorded, and the same answers sent again are not."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations, fill_date, page_width, sign_in
from tests.conftest import PASSWORD, make_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


def _assessment_switch_keeps_the_typing(page) -> None:
    from stars.cases.instruments import instruments_ensure_defaults

    tools = instruments_ensure_defaults()
    page.goto("/cases/R-FORM/")
    page.click("a:has-text('Record an assessment')")
    shown = next(t for t in tools if t.name in page.inner_text("h1"))
    other = next(t for t in tools if t != shown)
    first = list(shown.areas.all())
    fill_date(page, "id_date", dt.date(2022, 2, 1))
    page.fill(f"#id_area_{first[0].pk}", "2")
    page.fill(f"#id_area_{first[1].pk}", "4")
    page.get_by_role("button", name=f"Use the {other.name} instead").click()
    page.locator("h1", has_text=other.name).wait_for()
    assert page.inner_text("h1") == f"Record an assessment: {other.name}"
    assert [page.input_value(f"#id_date-{part}") for part in ("day", "month", "year")] == [
        "1",
        "2",
        "2022",
    ]
    assert page.locator(".govuk-error-summary").count() == 0
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("button", name=f"Use the {shown.name} instead").click()
    page.locator("h1", has_text=shown.name).wait_for()
    assert page.input_value(f"#id_area_{first[0].pk}") == "2"
    assert page.input_value(f"#id_area_{first[1].pk}") == "4"


def test_a_phone_without_javascript_keeps_what_was_typed(browser, live_server, users):
    from stars.cases.models import Assessment, ClosingSurvey

    make_referral("R-FORM", "derby", key_worker=users["key_worker"])
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, "key_worker", PASSWORD)
        _assessment_switch_keeps_the_typing(page)
        assert Assessment.objects.count() == 0

        # the survey: the first carer, then the respondent changed and back, typing kept
        page.goto("/cases/R-FORM/survey/")
        page.fill("#id_answered_by", "Carer 1")
        fill_date(page, "id_date", dt.date(2024, 1, 8))
        page.check("input[name=staff][value=most]")
        page.click("button:has-text('Answers of the young person')")
        page.locator("h1", has_text="young person").wait_for()
        assert page.inner_text("h1") == "Closing survey: young person"
        assert page.input_value("#id_answered_by") == "Carer 1"
        assert page.is_checked("input[name=staff][value=most]")
        page.click("button:has-text('Answers of the parent or carer')")
        page.locator("h1", has_text="parent or carer").wait_for()
        page.click("button:has-text('Record the answers')")
        page.wait_for_url("**/cases/R-FORM/")

        # the second carer, the same answers: recorded
        page.goto("/cases/R-FORM/survey/")
        page.fill("#id_answered_by", "Carer 2")
        fill_date(page, "id_date", dt.date(2024, 1, 8))
        page.check("input[name=staff][value=most]")
        page.click("button:has-text('Record the answers')")
        page.wait_for_url("**/cases/R-FORM/")
        table = page.inner_text("[data-testid=surveys]")
        assert "Parent or carer (Carer 1)" in table and "Parent or carer (Carer 2)" in table
        assert ClosingSurvey.objects.count() == 2

        # the back button and the same answers sent again: refused
        page.go_back()
        assert page.input_value("#id_answered_by") == "Carer 2"
        page.click("button:has-text('Record the answers')")
        page.locator(".govuk-error-summary").wait_for(state="visible")
        assert "already recorded on this date" in page.inner_text(".govuk-error-summary")
        assert ClosingSurvey.objects.count() == 2
    finally:
        context.close()


def test_a_phone_with_javascript_keeps_what_was_typed(page, users):
    make_referral("R-FORM", "derby", key_worker=users["key_worker"])
    page.set_viewport_size(PHONE)
    sign_in(page, "key_worker", PASSWORD)
    _assessment_switch_keeps_the_typing(page)
    assert axe_violations(page) == []


def test_a_number_typed_with_a_dash_is_kept_and_named_on_a_phone(page, users):
    """A key worker typed "3-4" possible sessions on a phone: a ``type="number"`` box sent it
    as nothing, and the page asked to "Enter" a number the box had shown. The box is text with
    the number keyboard; the text comes back with what is wrong with it."""
    from stars.cases.models import AttendanceTerm

    make_referral("R-FORM", "derby", key_worker=users["key_worker"])
    page.set_viewport_size(PHONE)
    sign_in(page, "key_worker", PASSWORD)
    page.goto("/cases/R-FORM/")
    page.click('a:has-text("Record a term\'s attendance")')
    box = page.locator("#id_possible_sessions")
    assert box.get_attribute("type") == "text"
    assert box.get_attribute("inputmode") == "numeric"
    assert box.get_attribute("spellcheck") == "false"
    page.fill("#id_term", "spring 2022")
    fill_date(page, "id_start_date", dt.date(2022, 1, 4))
    box.fill("3-4")
    page.fill("#id_attended_sessions", "3")
    page.click("button:has-text('Record the attendance')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert "Possible sessions must be a whole number, like 6" in summary.inner_text()
    assert "Enter the number of possible sessions" not in page.inner_text("main")
    assert page.input_value("#id_possible_sessions") == "3-4"
    assert page.input_value("#id_attended_sessions") == "3"
    assert page.locator("#id_possible_sessions").get_attribute("inputmode") == "numeric"
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    assert AttendanceTerm.objects.count() == 0
