"""Issue 7's check of an invoice in chromium: Derby's commissioner links a referral to the
council's child identifier, finds the claimed weeks the child spent in a children's home, and
follows the discrepancy to the month's claim. Every page passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD
from tests.sufficiency.test_reconcile_checks import CHILD, write_returns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def returns(referrals, tmp_path):
    import datetime as dt

    from stars.cases.models import OutcomePeriod
    from stars.partnership.models import Council
    from stars.sufficiency.services import returns_import

    OutcomePeriod.objects.create(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    returns_import(council=Council.objects.get(code="derby"), folder=write_returns(tmp_path / "r"))
    return referrals


def test_commissioner_links_a_referral_and_finds_a_childrens_home_stay(page, returns):
    sign_in(page, "commissioner", PASSWORD)
    page.goto("/referrals/R-DER/")
    assert page.inner_text("[data-testid=council-child-id]") == "Not linked"
    page.click("a:has-text('Link to the council')")
    assert page.inner_text("h1") == "Link to the council's child record"
    assert axe_violations(page) == []
    page.fill("#id_council_child_id", "DB9999")
    page.click("button:has-text('Save the link')")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "No child DB9999" in page.inner_text(".govuk-error-summary")
    assert axe_violations(page) == []

    page.fill("#id_council_child_id", CHILD)
    page.click("button:has-text('Save the link')")
    page.wait_for_url("**/sufficiency/derby/reconcile/")
    assert page.inner_text("h1") == "Claimed weeks against the council's records"
    table = page.inner_text("[data-testid=discrepancies]")
    assert "R-DER" in table and CHILD in table
    assert "1 Aug 2022" in table and "30 Sep 2022" in table
    assert "children's home" in table
    assert axe_violations(page) == []

    page.click("[data-testid=discrepancies] a:has-text('August 2022')")
    assert page.inner_text("h1") == "Claim for August 2022"
    page.goto("/referrals/R-DER/")
    assert page.inner_text("[data-testid=council-child-id]") == CHILD
    page.click("button:has-text('Sign out')")

    sign_in(page, "provider_manager", PASSWORD)
    page.goto("/referrals/R-DER/")
    assert CHILD not in page.inner_text("main")
    page.goto("/sufficiency/derby/reconcile/")
    assert CHILD not in page.inner_text("body")
