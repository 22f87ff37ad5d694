"""Each role signs in in a real browser, sees its own navigation, and the shell is accessible."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_NAV = {
    "admin": [
        "Home",
        "Search",
        "Referrals",
        "Evaluation report",
        "Board report card",
        "Simulator",
        "Audit",
        "Failed emails",
        "Enquiries",
        "Waiting list",
        "Targets",
        "Caseload",
        "Outcomes",
        "Claims",
        "Money",
        "Investor view",
        "Evaluation extract",
        "Placement sufficiency",
        "Upload a tracker",
        "Upload returns",
        "Information governance",
    ],
    "commissioner": [
        "Home",
        "Search",
        "Referrals",
        "Evaluation report",
        "Board report card",
        "Simulator",
        "Enquiries",
        "Waiting list",
        "Targets",
        "Outcomes",
        "Claims",
        "Money",
        "Placement sufficiency",
        "Upload returns",
    ],
    "evaluator": [
        "Home",
        "Evaluation report",
        "Board report card",
        "Outcomes",
        "Evaluation extract",
    ],
    "investor": ["Home", "Board report card", "Simulator", "Targets", "Outcomes", "Investor view"],
    "key_worker": ["Home", "Search", "Referrals", "Caseload", "Outcomes"],
    "provider_manager": [
        "Home",
        "Search",
        "Referrals",
        "Evaluation report",
        "Board report card",
        "Simulator",
        "Enquiries",
        "Waiting list",
        "Targets",
        "Caseload",
        "Outcomes",
        "Claims",
        "Money",
        "Investor view",
        "Evaluation extract",
        "Upload a tracker",
    ],
    "spoc": [
        "Home",
        "Search",
        "Referrals",
        "Enquiries",
        "Waiting list",
        "Outcomes",
        "Placement sufficiency",
        "Upload returns",
    ],
}


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_role_signs_in_sees_its_navigation_and_pages_pass_axe(page, users, referrals, role):
    sign_in(page, role, PASSWORD)
    nav = page.locator(".govuk-service-navigation__list a").all_inner_texts()
    assert [n.strip() for n in nav] == EXPECTED_NAV[role]
    for index, label in enumerate(EXPECTED_NAV[role]):
        with page.expect_navigation():
            page.locator(".govuk-service-navigation__list a").nth(index).click()
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1
        assert axe_violations(page) == [], (role, label)
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/sign-in/**")


def test_sign_in_and_error_pages_pass_axe(page, users, referrals):
    page.goto("/sign-in/")
    page.click("button:has-text('Sign in')")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert axe_violations(page) == []
    sign_in(page, "spoc", PASSWORD)
    page.goto("/referrals/R-NOT/")  # another council's record
    assert "Page not found" in page.inner_text("h1")
    assert axe_violations(page) == []
    page.goto("/audit/")
    assert "do not have access" in page.inner_text("h1")
    assert axe_violations(page) == []
