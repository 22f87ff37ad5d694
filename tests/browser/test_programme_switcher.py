"""A user of two programmes switches between them in the header, on a phone too; the
portfolio puts them side by side; both pages pass axe."""

from __future__ import annotations

import pytest

from stars.core.programmes import programme_use
from tests.browser.conftest import axe_violations, page_width, sign_in
from tests.conftest import CONTRACT, PASSWORD, make_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def two(referrals):
    from stars.partnership.models import Programme
    from stars.partnership.services import contract_load, user_create

    contract_load(
        text=CONTRACT.read_text(encoding="utf-8").replace(
            'code = "dn2-stars"\nname = "STARS"', 'code = "stepdown"\nname = "Step Down"'
        ),
        source="stepdown.toml",
    )
    with programme_use(Programme.objects.get(code="stepdown").choice()):
        make_referral("R-SD1", "derby")
    for name, role in (("both", "provider_manager"), ("funder", "investor")):
        user_create(
            username=name, role=role, password=PASSWORD, programmes=["dn2-stars", "stepdown"]
        )


def test_a_user_of_two_programmes_switches_in_the_header(page, two):
    page.set_viewport_size(PHONE)
    sign_in(page, "both", PASSWORD)
    switcher = page.locator("[data-testid=programme-switcher]")
    assert switcher.locator("option").all_inner_texts() == ["STARS", "Step Down"]
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    page.goto("/referrals/")
    assert "R-DER" in page.content() and "R-SD1" not in page.content()
    switcher.get_by_label("Programme").select_option("stepdown")
    switcher.get_by_role("button", name="Switch programme").click()
    page.wait_for_load_state()
    assert page.locator("#programme-switch").input_value() == "stepdown"
    page.goto("/referrals/")
    assert "R-SD1" in page.content() and "R-DER" not in page.content()
    page.goto("/referrals/R-DER/")
    assert page.locator("h1").inner_text() == "Page not found"


def test_an_investor_sees_the_portfolio_of_both(page, two):
    page.set_viewport_size(PHONE)
    sign_in(page, "funder", PASSWORD)
    page.goto("/finance/investor/")
    page.get_by_role("link", name="portfolio").click()
    page.wait_for_load_state()
    rows = page.locator("[data-testid=portfolio] tbody th").all_inner_texts()
    # each programme by name, its provider and investor beneath (from its contract)
    assert [r.splitlines()[0] for r in rows] == ["STARS", "Step Down"]
    assert all("Provider:" in r and "Investor:" in r for r in rows)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
