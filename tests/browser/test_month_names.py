"""A month typed by its name in a date's Month box ("Mar", "March"), as GOV.UK's date input
allows and the server reads it, is read by the enquiry form's live eligibility check too: it
said nothing until the month was a number."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_live_eligibility_check_reads_a_named_month(page, users):
    sign_in(page, "spoc", PASSWORD)
    page.goto("/enquiries/new/")
    page.select_option("#id_cohort", "A")
    for field, (day, month, year) in (
        ("id_date_of_birth", ("1", "Mar", "2018")),
        ("id_enquiry_date", ("15", "January", "2024")),
    ):
        for part, value in (("day", day), ("month", month), ("year", year)):
            page.fill(f"#{field}-{part}", value)
    live = page.locator("[data-testid=eligibility-live]")
    live.wait_for(state="visible")
    assert "Not eligible" in live.inner_text() and "under the minimum age 10" in live.inner_text()
