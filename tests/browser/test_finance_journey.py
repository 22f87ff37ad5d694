"""Issue 6's journey in chromium: the provider prepares and submits a claim; the council's
commissioner approves it. Every page passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def claim_data(referrals):
    import datetime as dt

    from stars.cases.models import OutcomePeriod

    OutcomePeriod.objects.create(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    return referrals


def test_provider_prepares_and_submits_a_claim_and_the_commissioner_approves_it(page, claim_data):
    sign_in(page, "provider_manager", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Claims')")
    assert page.inner_text("h1") == "Outcome claims"
    assert axe_violations(page) == []
    page.select_option("#id_council", "derby")
    page.fill("#id_month", "2022-04")
    page.click("button:has-text('Open the month')")
    assert page.inner_text("h1") == "Claim for April 2022"
    assert axe_violations(page) == []
    page.click("a:has-text('Prepare the claim')")
    assert axe_violations(page) == []
    page.click("button:has-text('Prepare the claim')")
    assert "Claim prepared" in page.inner_text(".govuk-notification-banner")
    assert "£800.00" in page.inner_text("[data-testid=claim-total]")
    assert "R-DER" in page.inner_text("[data-testid=claim-lines]")
    assert axe_violations(page) == []
    page.click("a:has-text('Submit to the council')")
    page.click("button:has-text('Submit the claim')")
    assert "Submitted to the council" in page.inner_text("main")
    page.click(".govuk-service-navigation__list a:has-text('Money')")
    assert page.inner_text("h1") == "Money"
    assert axe_violations(page) == []
    page.click("button:has-text('Sign out')")

    sign_in(page, "commissioner", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Claims')")
    page.click("[data-testid=claims-table] a:has-text('April 2022')")
    assert axe_violations(page) == []
    page.click("a:has-text('Dispute a line')")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Dispute a line"
    assert page.locator("input[type=radio][name=line]").count() == 1  # a radio a line
    assert not page.is_checked("#id_line_0")
    page.click("button:has-text('Dispute the line')")  # no line chosen, no reason given
    page.locator(".govuk-error-summary").wait_for(state="visible")
    summary = page.inner_text(".govuk-error-summary")
    assert "Select the line disputed" in summary and "Enter why the line is disputed" in summary
    assert axe_violations(page) == []
    page.click(".govuk-error-summary a:has-text('Select the line disputed')")
    page.check("#id_line_0")  # the summary's link leads to the first radio
    page.click("a:has-text('Cancel')")
    page.click("a:has-text('Approve the claim')")
    assert axe_violations(page) == []
    page.click("button:has-text('Approve the claim')")
    assert "Claim approved" in page.inner_text(".govuk-notification-banner")
    assert "approved and locked" in page.inner_text("main")
    assert axe_violations(page) == []
    page.goto("/finance/claims/nottingham/2022-04/")  # another council's claim
    assert "Page not found" in page.inner_text("h1")
    page.click("button:has-text('Sign out')")

    sign_in(page, "investor", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Investor view')")
    assert page.inner_text("h1") == "Investor view"
    assert axe_violations(page) == []
    page.click("button:has-text('Sign out')")

    sign_in(page, "evaluator", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Evaluation extract')")
    assert axe_violations(page) == []
