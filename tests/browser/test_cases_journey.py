"""Issue 5's journey in chromium: a key worker records a meeting, a term's attendance and an
assessment; a manager closes a case early; the outcomes report moves."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations, fill_date, sign_in
from tests.conftest import PASSWORD, make_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _closed_early(page) -> int:
    page.goto("/cases/outcomes/")
    row = page.locator("[data-testid=stability] tbody tr").nth(1)
    return int(row.locator("td").nth(0).inner_text())


def test_key_worker_records_and_manager_closes_early(page, users):
    from stars.cases import services
    from stars.cases.instruments import instruments_ensure_defaults

    instruments_ensure_defaults()
    case = make_referral("R-JRNY", "derby", key_worker=users["key_worker"])
    services.outcome_period_record(referral=case, start_date=dt.date(2022, 1, 12))
    for i in range(5):  # other closed-early cases, so the count is not suppressed
        r = make_referral(f"R-OLD{i}", "derby")
        services.case_close(
            referral=r,
            outcome="closed_early",
            on=dt.date(2022, 6, 1),
            reason="other",
            narrative="n",
        )

    sign_in(page, "provider_manager", PASSWORD)
    before = _closed_early(page)
    assert axe_violations(page) == []
    page.click("button:has-text('Sign out')")

    sign_in(page, "key_worker", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Caseload')")
    assert "R-JRNY" in page.inner_text("[data-testid=caseload]")
    assert axe_violations(page) == []
    page.click("a:has-text('R-JRNY')")
    assert page.inner_text("h1") == "Case R-JRNY"
    assert axe_violations(page) == []

    # a progress meeting with an action
    page.click("a:has-text('Record a progress meeting')")
    fill_date(page, "id_date", dt.date(2022, 2, 20))
    page.check("input[name=attendees][value=therapist]")
    page.check("input[name=attendees][value=key_worker]")
    page.fill("#id_action_1", "Book the ATTUNE course")
    page.click("button:has-text('Record the meeting')")
    page.locator(".govuk-error-summary").wait_for(state="visible")  # the action has no owner
    assert page.input_value("#id_action_1") == "Book the ATTUNE course"
    assert axe_violations(page) == []
    page.fill("#id_owner_1", "Key worker")
    fill_date(page, "id_due_1", dt.date(2022, 3, 1))
    page.click("button:has-text('Record the meeting')")
    assert "Success" in page.inner_text(".govuk-notification-banner")
    assert "Book the ATTUNE course" in page.inner_text("[data-testid=meetings]")

    # a term's attendance
    page.click('a:has-text("Record a term\'s attendance")')
    assert axe_violations(page) == []
    page.fill("#id_term", "spring 2022")
    fill_date(page, "id_start_date", dt.date(2022, 1, 4))
    page.fill("#id_possible_sessions", "120")
    page.fill("#id_attended_sessions", "100")
    page.click("button:has-text('Record the attendance')")
    assert "Persistent absence" in page.inner_text("[data-testid=attendance]")

    # an assessment, with one score outside the scale first
    page.click("a:has-text('Record an assessment')")
    page.click('button:has-text("Use the Young person\'s outcome star")')
    page.locator("h1", has_text="Young person").wait_for()  # the form shown for that tool
    fill_date(page, "id_date", dt.date(2022, 2, 1))
    inputs = page.locator("input[name^=area_]")
    for i in range(inputs.count()):
        inputs.nth(i).fill("3")
    inputs.nth(0).fill("7")
    page.click("button:has-text('Record the assessment')")
    assert "must be between 1 and 5" in page.inner_text(".govuk-error-summary")
    assert axe_violations(page) == []
    inputs.nth(0).fill("2")
    page.click("button:has-text('Record the assessment')")
    assert "Feelings and behaviour" in page.inner_text("main")
    assert axe_violations(page) == []

    # the placement breaks down and the child moves to another foster placement: the case
    # stays open and the weeks count both placements (13 + 89 whole weeks in the window)
    page.goto("/cases/R-JRNY/period/end/")
    assert axe_violations(page) == []
    fill_date(page, "id_end_date", dt.date(2022, 4, 13))
    page.check("input[name=reason][value=move]")
    fill_date(page, "id_new_start", dt.date(2022, 4, 20))
    page.click("main button:has-text('End the placement')")
    page.locator("[data-testid=periods]").wait_for()
    page.wait_for_load_state()
    assert "Live" in page.inner_text("[data-testid=case-status]")
    assert page.locator("[data-testid=periods] tbody tr").count() == 2
    assert "Weeks sustained so far: 102" in page.inner_text("[data-testid=weeks-so-far]")
    page.click("button:has-text('Sign out')")

    # the manager closes the case early
    sign_in(page, "provider_manager", PASSWORD)
    page.goto("/cases/R-JRNY/close/")
    assert axe_violations(page) == []
    page.check("input[name=outcome][value=closed_early]")
    fill_date(page, "id_end_date", dt.date(2022, 9, 1))
    page.click("button:has-text('Close the case')")
    assert "Select the reason" in page.inner_text(".govuk-error-summary")
    page.select_option("#id_reason", "consent_withdrawn")
    page.fill("#id_narrative", "The family withdrew consent.")
    page.click("button:has-text('Close the case')")
    assert "Closed early" in page.inner_text("[data-testid=case-status]")
    assert "The family withdrew consent." in page.inner_text("[data-testid=closure]")
    assert "Weeks sustained so far: 32" in page.inner_text("[data-testid=weeks-so-far]")
    assert _closed_early(page) == before + 1
    assert axe_violations(page) == []


def test_a_date_is_typed_in_its_three_boxes_and_a_missing_month_is_marked(page, users):
    """GOV.UK's date input on a case form: the Day, Month and Year boxes; a month left out is
    named in the summary, which links to that box, the only one marked; the page passes axe."""
    make_referral("R-BOX", "derby", key_worker=users["key_worker"])
    sign_in(page, "key_worker", PASSWORD)
    page.goto("/cases/R-BOX/meeting/")
    assert page.locator("input[type=date]").count() == 0
    assert axe_violations(page) == []
    page.fill("#id_date-day", "20")
    page.fill("#id_date-year", "2022")
    page.check("input[name=attendees][value=therapist]")
    page.click("button:has-text('Record the meeting')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    link = summary.locator("a", has_text="Date of the meeting must include a month")
    assert link.get_attribute("href") == "#id_date-month"
    marked = page.locator(".govuk-date-input .govuk-input--error")
    assert marked.evaluate_all("boxes => boxes.map(b => b.id)") == ["id_date-month"]
    assert page.input_value("#id_date-day") == "20"  # what was typed is kept
    assert axe_violations(page) == []
    fill_date(page, "id_date", dt.date(2022, 2, 20))
    page.click("button:has-text('Record the meeting')")
    assert "Success" in page.inner_text(".govuk-notification-banner")
    assert "20 February 2022" in page.inner_text("[data-testid=meetings]")
