"""The administrator's, investor's and evaluator's day from the home page, in chromium: each
starts at home (axe passes, no sideways scrolling at 375 px), follows today's work or its
main task's link, and does the job there. The other roles' journeys:
test_home_journeys.py."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from stars.demo.programme import DEMO_PASSWORD
from stars.referrals.models import Referral
from tests.browser.conftest import axe_violations, page_width, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1000, "height": 900}
REFERRAL_ID = re.compile(r"\bR\d{6}\b")  # the demo's referral ids, e.g. R000005


def _fits_a_phone_and_passes_axe(page) -> None:
    page.set_viewport_size(PHONE)
    assert page_width(page) <= PHONE["width"], page.url
    assert axe_violations(page) == [], page.url
    page.set_viewport_size(DESKTOP)


def _home(page, user: str) -> None:
    sign_in(page, user, DEMO_PASSWORD)
    page.goto("/")
    assert "Welcome," in page.locator("h1").inner_text()
    _fits_a_phone_and_passes_axe(page)


def _main_link(page, label: str) -> None:
    """Follow the home page's own link (not the header's) to the role's main task."""
    page.locator("#main-content").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def test_the_administrator_prepares_a_claim_from_today_s_work_then_reviews_governance(page, demo):
    _home(page, "admin")
    claims = page.locator("[data-testid=today-claims] a.govuk-task-list__link")
    assert claims.count() >= 1
    council = claims.first.inner_text()
    claims.first.click()
    heading = page.locator("h1").inner_text()
    assert heading in ("Prepare the claim", "Submit the claim to the council"), heading
    _fits_a_phone_and_passes_axe(page)
    button = "Prepare the claim" if heading == "Prepare the claim" else "Submit the claim"
    page.click(f"main button:has-text('{button}')")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert ("Claim prepared" in banner) or ("Submitted" in banner), banner
    assert council in page.locator("main").inner_text()
    # what needs an administrator: the demo's records due for disposal, then governance
    page.goto("/")
    attention = page.locator("[data-testid=today-administration]")
    attention.get_by_role("link", name="Records due for disposal").click()
    assert page.locator("h1").inner_text() == "Retention review"
    _fits_a_phone_and_passes_axe(page)
    page.goto("/")
    attention.get_by_role("link", name="Information governance").click()
    assert page.locator("h1").inner_text() == "Information governance"
    _fits_a_phone_and_passes_axe(page)
    page.goto("/")
    _main_link(page, "Audit")
    assert page.locator("h1").inner_text() == "Audit"
    assert "claim" in page.locator("main").inner_text().lower()  # the claim just made
    _fits_a_phone_and_passes_axe(page)


def test_the_investor_reads_the_programme_in_aggregate_from_the_home_page(page, demo):
    _home(page, "investor")
    assert "aggregate figures only" in page.locator("main").inner_text()
    assert page.locator("[data-testid=home-search]").count() == 0  # no child to find
    glance = page.locator("[data-testid=today-glance]").inner_text()
    assert "earned to date" in glance and "paid in approved claims" in glance
    assert "against a minimum of" in glance
    page.locator("[data-testid=today-glance]").get_by_role("link", name="Outcome payments").click()
    assert page.locator("h1").inner_text() == "Investor view"
    money = page.locator("[data-testid=investor-money]").inner_text()
    assert "Earned to date" in money and "Paid in approved claims" in money and "£" in money
    assert page.locator("[data-testid=investor-cohort] tbody tr").count() >= 1
    assert not REFERRAL_ID.search(page.locator("main").inner_text())  # never a child's row
    _fits_a_phone_and_passes_axe(page)


def test_the_evaluator_downloads_the_pseudonymised_extract_from_the_home_page(page, demo):
    _home(page, "evaluator")
    assert "sustained weeks" in page.locator("[data-testid=today-glance]").inner_text()
    page.locator("[data-testid=today-glance]").get_by_role(
        "link", name="Evaluation extract"
    ).click()
    assert page.locator("h1").inner_text() == "Pseudonymised extract for the evaluation"
    _fits_a_phone_and_passes_axe(page)
    with page.expect_download() as download:
        page.click("button:has-text('Download the extract')")
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert len(rows) == Referral.objects.count()
    names = {r.child.family_name for r in Referral.objects.select_related("child")}
    text = "\n".join(",".join(r.values()) for r in rows)
    assert not REFERRAL_ID.search(text)  # pseudonyms, not ids
    assert not any(name in text for name in names)


def test_the_evaluator_chooses_whole_quarters_for_the_outcomes_and_cannot_type_a_day(page, demo):
    """The outcomes' dates are lists of quarters for a role that sees figures only: chosen
    from them the page answers; a day typed into the address is named in the error summary
    and the page is shown for its whole quarter."""
    sign_in(page, "evaluator", DEMO_PASSWORD)
    page.goto("/cases/outcomes/")
    assert page.locator("#f-from").evaluate("e => e.tagName") == "SELECT"
    assert page.locator("input[type=date]").count() == 0
    start = page.locator("#f-from option").nth(2)  # two quarters before the latest
    value, label = start.get_attribute("value"), start.inner_text()
    page.select_option("#f-from", value)
    page.click("button:has-text('Apply filters')")
    page.wait_for_load_state()
    assert f"from={value}" in page.url
    assert page.locator("[data-testid=date-problems]").count() == 0
    assert page.locator("#f-from option:checked").inner_text() == label
    _fits_a_phone_and_passes_axe(page)
    day_after = value[:-2] + "02"
    response = page.goto(f"/cases/outcomes/?from={day_after}")
    assert response.status == 400
    summary = page.locator("[data-testid=date-problems]").inner_text()
    assert "Select 'Referred from' from the list" in summary
    assert page.locator("#f-from option:checked").inner_text() == label
    page.locator("[data-testid=date-problems] a").first.click()
    assert page.evaluate("document.activeElement.id") == "f-from"
    _fits_a_phone_and_passes_axe(page)
