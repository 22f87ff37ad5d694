"""Issue 4's journey in chromium: enquiry → decision → consent → acceptance → targets."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations, fill_date, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _targets_derby(page) -> int:
    page.goto("/targets/?as_of=2030-01-01")
    row = page.locator("[data-testid=targets-council] tbody tr").first
    return int(row.locator("td").nth(1).inner_text())


def test_enquiry_to_referral_moves_the_targets_page(page, users):
    sign_in(page, "commissioner", PASSWORD)
    before = _targets_derby(page)
    assert axe_violations(page) == []
    page.click("button:has-text('Sign out')")

    # The SPOC records an enquiry; an ineligible age is flagged, then corrected.
    sign_in(page, "spoc", PASSWORD)
    page.goto("/enquiries/new/")
    page.select_option("#id_cohort", "A")
    page.fill("#id_given_name", "Robin")
    page.fill("#id_family_name", "Example")
    fill_date(page, "id_date_of_birth", dt.date(2018, 3, 1))
    fill_date(page, "id_enquiry_date", dt.date(2024, 1, 15))
    page.check("input[name=papers][value=care_plan]")
    live = page.locator("[data-testid=eligibility-live]")
    live.wait_for(state="visible")  # shown as the fields are filled, before sending
    assert "Not eligible" in live.inner_text() and "under the minimum age 10" in live.inner_text()
    page.click("button:has-text('Record the enquiry')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for(state="visible")
    assert "under the minimum age 10" in summary.inner_text()
    assert page.input_value("#id_given_name") == "Robin"  # what was typed is kept
    assert axe_violations(page) == []
    fill_date(page, "id_date_of_birth", dt.date(2011, 3, 1))
    page.click("button:has-text('Record the enquiry')")
    assert "Success" in page.inner_text(".govuk-notification-banner")
    enquiry_id = page.inner_text("h1").split()[-1]
    assert axe_violations(page) == []
    page.goto("/enquiries/")
    assert enquiry_id in page.inner_text("[data-testid=worklist]")
    assert axe_violations(page) == []

    # The same child entered again (other case and spacing): warned, offered the child.
    page.goto("/enquiries/new/")
    page.select_option("#id_cohort", "A")
    page.fill("#id_given_name", " robin")
    page.fill("#id_family_name", "EXAMPLE ")
    fill_date(page, "id_date_of_birth", dt.date(2011, 3, 1))
    fill_date(page, "id_enquiry_date", dt.date(2024, 1, 20))
    page.click("button:has-text('Record the enquiry')")
    warning = page.locator("[data-testid=warning]")
    warning.wait_for(state="visible")
    assert "Robin Example, born 1 March 2011, is already recorded" in warning.inner_text()
    assert axe_violations(page) == []
    page.click("button:has-text('Record the enquiry')")  # no answer yet: an error
    assert "Select whether" in page.inner_text(".govuk-error-summary")
    page.locator("input[name=same_child]").first.check()
    page.click("button:has-text('Record the enquiry')")
    assert "Success" in page.inner_text(".govuk-notification-banner")
    page.click("button:has-text('Sign out')")

    # Another council's SPOC cannot open it.
    sign_in(page, "spoc_nottingham", PASSWORD)
    page.goto(f"/enquiries/{enquiry_id}/")
    assert "Page not found" in page.inner_text("h1")
    page.click("button:has-text('Sign out')")

    # The provider records the decision and the consent call, and accepts.
    sign_in(page, "provider_manager", PASSWORD)
    page.goto(f"/enquiries/{enquiry_id}/decision/")
    page.check("input[name=decision][value=progressed]")
    fill_date(page, "id_decision_date", dt.date(2024, 1, 25))
    page.click("button:has-text('Record the decision')")
    assert "consent call" in page.inner_text("[data-testid=next-step]")
    page.goto(f"/enquiries/{enquiry_id}/consent/")
    assert axe_violations(page) == []
    fill_date(page, "id_call_date", dt.date(2024, 1, 26))
    page.fill("#id_spoke_to", "foster carer")
    page.check("input[name=outcome][value=agreed]")
    page.click("button:has-text('Record the call')")
    page.goto(f"/enquiries/{enquiry_id}/accept/")
    fill_date(page, "id_referral_date", dt.date(2024, 2, 1))
    page.click("button:has-text('Accept the referral')")
    assert "Accepted as referral" in page.inner_text("main")
    page.click("button:has-text('Sign out')")

    sign_in(page, "commissioner", PASSWORD)
    assert _targets_derby(page) == before + 1


def test_papers_ticked_in_two_tabs_are_both_kept(page, users):
    """A SPOC with the papers form open in two tabs ticks one paper in each and saves both:
    the second save no longer undoes the first."""
    from stars.partnership.models import Council
    from stars.referrals import services

    e = services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Sam",
        family_name="Synthetic",
        date_of_birth=dt.date(2012, 6, 1),
        enquiry_date=dt.date(2024, 1, 15),
    )
    sign_in(page, "spoc", PASSWORD)
    url = f"/enquiries/{e.enquiry_id}/papers/"
    other = page.context.new_page()
    page.goto(url)
    other.goto(url)
    page.check("input[name=papers][value=education_plan]")
    page.click("button:has-text('Save papers')")
    assert "Education plan" in page.inner_text("main")
    other.check("input[name=papers][value=chronology]")
    other.click("button:has-text('Save papers')")
    received = other.inner_text("main")
    assert "Education plan" in received and "Chronology" in received
    e.refresh_from_db()
    assert e.papers == ["chronology", "education_plan"]
