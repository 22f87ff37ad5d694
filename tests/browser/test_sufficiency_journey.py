"""A commissioner looks at the council's placement sufficiency in chromium: the dashboard,
then a scenario on the forecast page, a value out of range named, and the forecast downloaded.
Every page passes axe."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def derby_returns(users, tmp_path):
    from stars.demo.returns import write_demo_returns
    from stars.partnership.models import Council
    from stars.sufficiency.services import returns_import

    derby = Council.objects.get(code="derby")
    returns_import(council=derby, folder=write_demo_returns(tmp_path / "r", seed=3))
    return derby


def test_commissioner_sees_the_dashboard_tries_a_scenario_and_downloads_it(page, derby_returns):
    sign_in(page, "commissioner", PASSWORD)
    with page.expect_navigation():
        page.click(".govuk-service-navigation__list a:has-text('Placement sufficiency')")
    # a council's user goes straight to its own council's dashboard
    assert "Derby" in page.locator(".govuk-caption-l").inner_text()
    assert "children looked after at 31 March 2024" in page.get_by_test_id("headline").inner_text()
    assert page.locator("caption", has_text="Placement mix").count() >= 1
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.click("a:has-text('Forecast and scenarios')")
    page.fill("#residential_entries", "-50")
    page.fill("#to_inhouse", "25")
    with page.expect_navigation():
        page.click("button:has-text('Project')")
    assert page.locator("th", has_text="Children (scenario)").count() == 1
    # how far to trust it: the rolling backtests' errors and the band's coverage
    assert "The 90% band held the actual count in" in page.get_by_test_id("coverage").inner_text()
    assert page.locator("caption", has_text="How far to trust it").count() == 1
    # how the forecast is made: folded away under a plain summary, opened on demand
    method = page.get_by_test_id("method")
    assert not method.locator("li").first.is_visible()
    method.locator("summary").click()
    assert "entries grow by" in method.inner_text()
    assert method.locator("li").first.is_visible()
    assert axe_violations(page) == []

    page.fill("#years", "9")
    with page.expect_navigation():
        page.click("button:has-text('Project')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Years ahead must be between 1 and 5" in summary.inner_text()
    assert page.locator("#years").input_value() == "9"  # shown as typed, to correct
    assert page.locator("#to_inhouse").input_value() == "25"  # nothing the user typed is lost
    assert axe_violations(page) == []

    page.fill("#years", "2")
    with page.expect_navigation():
        page.click("button:has-text('Project')")
    with page.expect_download() as download:
        page.click("a:has-text('Download this forecast (XLSX)')")
    assert download.value.suggested_filename == "sufficiency-forecast-derby.xlsx"
