"""The contract terms page over real HTTP in chromium: reached from the money page, it lists
the contract variations, fits a phone (375 px) and passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, page_width, sign_in
from tests.conftest import PASSWORD
from tests.finance.test_contract_page import load_varied

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_variation_log_is_reached_from_the_money_page(page, users):
    load_varied()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "provider_manager", PASSWORD)
    page.goto("/finance/money/")
    page.click("a:has-text('Contract terms and variations')")
    assert page.inner_text("h1") == "Contract terms"
    log = page.inner_text("[data-testid=variations]")
    assert "Annual indexation 3.1% (Deed of Variation 2)" in log
    assert "£900.00 to £927.90" in log
    assert page_width(page) <= 375
    assert axe_violations(page) == []
