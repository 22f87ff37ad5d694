"""Each role's day starts on its home page: today's work, each item a link to the page where
it is done. At 375 px no home page scrolls sideways, and every one passes axe.

``STARS_SCREENSHOTS=DIR`` saves a screenshot of each role's home page there; the ones in
docs/screenshots/ are the full demo's, made by scripts/screenshots.py. The administrator's,
investor's and evaluator's journeys: test_role_journeys.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stars.demo.programme import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, page_width, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1000, "height": 900}

# role's demo user -> (a section of today's work, the heading of the page its first item opens)
JOURNEYS = {
    "spoc": ("enquiries", ["Papers received", "Match attempt"]),
    "manager": ("claims", ["Prepare the claim", "Submit the claim to the council"]),
    "commissioner": ("discrepancies", ["Claimed weeks against the council's records"]),
    "keyworker": ("due", ["Record a progress meeting", "Record an assessment"]),
}


@pytest.mark.parametrize("user", list(JOURNEYS))
def test_each_role_starts_from_its_home_page(page, demo, user):
    key, headings = JOURNEYS[user]
    sign_in(page, user, DEMO_PASSWORD)
    page.goto("/")
    page.set_viewport_size(DESKTOP)
    section = page.locator(f"[data-testid=today-{key}]")
    assert section.count() == 1
    if shots := os.environ.get("STARS_SCREENSHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/home-{user}.png")
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    section.locator("a.govuk-task-list__link").first.click()
    page.wait_for_load_state()
    heading = page.locator("h1").inner_text()
    assert any(h in heading for h in headings), heading


def test_the_case_chronology_fits_a_phone_passes_axe_and_prints_without_menus(page, demo):
    from stars.referrals.models import Referral

    case = Referral.objects.filter(status="live").order_by("referral_id").first()
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto(f"/cases/{case.referral_id}/")
    page.click("text=Chronology: everything in order")
    assert "Chronology of case" in page.locator("h1").inner_text()
    page.check("#kind-meeting")
    page.click("button:has-text('Show')")
    page.wait_for_load_state()
    assert page.locator(".stars-timeline__entry--meeting").count() > 0
    assert page.locator(".stars-timeline__entry--decision").count() == 0
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator("[data-testid=chronology-filters]").is_visible()
    assert page.locator("[data-testid=chronology]").is_visible()


def test_a_manager_balances_caseloads_from_the_caseload_page(page, demo):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/")
    page.click("[data-testid=today-claims] >> text=All claims")  # the home page leads on
    page.goto("/cases/caseload/")
    loads = page.locator("[data-testid=loads] tbody tr")
    assert loads.count() >= 3
    loads.first.locator("a").click()
    page.locator("[data-testid=caseload] tbody tr a").first.click()
    case_url = page.url
    page.click("text=Allocate or reallocate the key worker")
    page.select_option("#id_key_worker", index=2)
    page.fill("#id_reason", "caseload balance")
    page.click("button:has-text('Save the allocation')")
    page.wait_for_url(case_url)
    page.click("text=Chronology: everything in order")
    page.wait_for_load_state()
    assert page.locator("text=caseload balance").count() == 1
    page.goto("/enquiries/waiting-list/")
    assert page.locator("[data-testid=waiting-list] tbody tr").count() >= 1
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []


def test_a_claim_submitted_from_the_managers_home_reaches_the_commissioner(page, demo):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/")
    page.click("[data-testid=today-claims] >> text=Nottinghamshire County Council")
    page.click("button:has-text('Submit the claim')")
    page.click("text=Sign out")
    sign_in(page, "commissioner-nottinghamshire", DEMO_PASSWORD)
    link = page.locator("[data-testid=notifications-link]")
    assert "1 unread" in link.inner_text()
    link.click()
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    page.click("text=Claim for Nottinghamshire County Council")
    page.wait_for_load_state()
    assert "Nottinghamshire County Council" in page.locator(
        "h1, .govuk-caption-l"
    ).all_inner_texts()[0] or (page.url.endswith("/finance/claims/nottinghamshire/2024-10/"))
    page.goto("/notifications/choices/")
    page.uncheck("#id_email_0")
    page.click("button:has-text('Save my choices')")
    page.locator("text=Your notification choices are saved").wait_for()
    page.goto("/notifications/choices/")
    assert axe_violations(page) == []
    assert page_width(page) <= PHONE["width"]
