"""The board report card in chromium: a commissioner opens it, changes quarter, and the page
passes axe."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_data(referrals):
    from stars.cases.models import OutcomePeriod

    OutcomePeriod.objects.create(referral=referrals["derby"], start_date=dt.date(2022, 1, 10))
    return referrals


def test_commissioner_reads_the_board_card_and_changes_quarter(page, board_data):
    sign_in(page, "commissioner", PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Board report card')")
    page.wait_for_selector("h1:has-text('Board report card')")
    assert axe_violations(page) == []
    page.select_option("#quarter", "Q4 2021-22")
    page.click("button:has-text('Show')")
    page.wait_for_selector("h1:has-text('Board report card: Q4 2021-22')")
    # R-DER (Derby) was referred on 10 January 2022: in Q4 2021-22, one more than in Q3
    assert "1 referral against a minimum of" in page.inner_text("[data-testid=change-referrals]")
    assert "(+1 since Q3 2021-22)" in page.inner_text("[data-testid=change-referrals]")
    assert page.locator("[data-testid=data-quality]").is_visible()
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.click("a:has-text('PDF')")
    assert download.value.suggested_filename == "dn2-stars-board-report-card-Q4-2021-22.pdf"
