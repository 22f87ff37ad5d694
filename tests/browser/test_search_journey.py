"""A search in chromium: what is typed (a child's name) is posted, never put in an address, so
it stays out of the browser's history, its address bar, any proxy's log and the referring
page sent with the next request; the results are shown and open the child's records."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from stars.demo.programme import DEMO_PASSWORD
from stars.referrals.models import Referral
from tests.browser.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def child(demo):
    """A Derby child of the demo (the SPOC's council) with a referral."""
    return (
        Referral.objects.filter(council__code="derby")
        .select_related("child")
        .order_by("referral_id")
        .first()
        .child
    )


def test_a_name_searched_for_is_in_no_address_the_browser_visits(page, child):
    name = f"{child.given_name} {child.family_name}"
    sent: list[str] = []  # every address asked for, and the referring page sent with it
    page.on("request", lambda r: sent.extend([r.url, r.headers.get("referer", "")]))
    shown: list[str] = []  # every address the tab showed
    page.on("framenavigated", lambda f: shown.append(f.url) if f == page.main_frame else None)
    sign_in(page, "spoc", DEMO_PASSWORD)

    page.fill("#home-q", name)  # from the home page's box
    page.click("[data-testid=home-search] button")
    page.wait_for_selector("[data-testid=referral-results]")
    assert child.child_ref in page.inner_text("main")
    assert page.url.endswith("/search/") and child.family_name not in page.title()
    assert axe_violations(page) == []
    page.locator("[data-testid=referral-results] + ul a").first.click()  # a result opens
    page.wait_for_selector("h1")

    page.goto("/search/")  # and from the search page, by family name alone
    page.fill("#q", child.family_name)
    page.click("main button:has-text('Search')")
    page.wait_for_selector("[data-testid=referral-results]")
    assert child.child_ref in page.inner_text("main")
    assert page.input_value("#q") == child.family_name  # kept in the box to search again
    page.locator("[data-testid=enquiry-results] + ul a").first.click()
    page.wait_for_selector("h1")

    assert len(shown) >= 6
    for address in (*sent, *shown):
        words = unquote_plus(address).lower()
        assert child.family_name.lower() not in words, address
        assert name.lower() not in words, address
