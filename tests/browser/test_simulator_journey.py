"""The simulator in chromium: an investor runs a what-if beside the baseline, reads the fan
chart's table, and the page passes axe, on a desktop and on a phone. While a long simulation
runs, the page stays where the user is on it (focus and what they type) until the figures come."""

from __future__ import annotations

import pytest

from stars.demo.programme import DEMO_PASSWORD
from stars.jobs.worker import run_worker
from stars.reports import simulator_views
from tests.browser.conftest import axe_violations, page_width, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_investor_simulates_a_what_if_beside_the_baseline(page, demo):
    sign_in(page, "investor", DEMO_PASSWORD)
    page.click(".govuk-service-navigation__list a:has-text('Simulator')")
    page.wait_for_selector("h1:has-text('Contract simulator')")
    assert axe_violations(page) == []
    # an investor picks a quarter's end from the list (decision 0008)
    page.select_option("#id_as_of", "2023-09-30")
    page.fill("#id_runs", "80")
    page.fill("#id_settings", "cohort.B.weekly_outcome_payment=800")
    page.click("button:has-text('Simulate')")
    page.wait_for_selector("[data-testid=figures]")
    headers = page.inner_text("[data-testid=figures] thead")
    assert "Baseline: median" in headers and "What-if: median" in headers
    assert page.locator("[data-testid=fan_net_cash_saving] tbody tr").count() >= 2
    assert page.locator(".stars-chart svg").count() == 2
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert page_width(page) <= 375
    assert axe_violations(page) == []


def test_a_field_error_is_shown_by_its_field(page, demo):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/simulator/")
    page.fill("#id_as_of", "2023-09-30")
    page.fill("#id_runs", "0")
    page.click("button:has-text('Simulate')")
    page.wait_for_selector(".govuk-error-summary")
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    assert page.locator("#id_runs-error").is_visible()
    assert axe_violations(page) == []


def test_while_a_simulation_runs_the_page_keeps_the_focus_until_its_figures_come(
    page, demo, monkeypatch
):
    monkeypatch.setattr(simulator_views, "INLINE_SECONDS", 0.0)  # every simulation a job
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/simulator/")
    page.fill("#id_as_of", "2023-09-30")
    page.fill("#id_runs", "150")  # more than the pilot's runs
    page.click("button:has-text('Simulate')")
    page.wait_for_selector("[data-testid=simulation-running]")
    page.focus("#id_seed")
    page.keyboard.press("End")
    page.keyboard.type("7")
    page.wait_for_timeout(7000)  # the page looked twice in that time; the job still waits
    assert page.evaluate("document.activeElement.id") == "id_seed"
    assert page.input_value("#id_seed") == "17"
    run_worker(batch=True, interval=0, verbosity=0)
    page.wait_for_selector("[data-testid=figures]", timeout=20000)
