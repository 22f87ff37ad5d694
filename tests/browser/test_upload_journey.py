"""Uploading a tracker in the browser: the form, the progress bar while the job waits and
runs, then the page of problems (with its CSV), all under the CSP and axe."""

from __future__ import annotations

import pytest

from stars.jobs.worker import run_worker
from stars.referrals.models import Referral
from tests.browser.conftest import axe_violations, page_width, sign_in
from tests.conftest import PASSWORD
from tests.uploads.conftest import returns_zip, tracker_files  # noqa: F401  fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_a_tracker_see_progress_then_every_problem(page, users, tracker_files):  # noqa: F811
    lines = tracker_files["enquiries"].read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("enquiry_date")] = "31/02/2022"
    lines[1] = ",".join(row)
    tracker_files["enquiries"].write_text("\n".join(lines) + "\n")

    sign_in(page, "provider_manager", PASSWORD)
    with page.expect_navigation():  # the title is read once the new page has loaded
        page.click("a:has-text('Upload a tracker')")
    assert page.title().startswith("Upload a tracker")
    assert axe_violations(page) == []
    page.click("button:has-text('Upload and import')")  # nothing chosen: an error per field
    page.locator(".govuk-error-summary").wait_for()
    assert page.locator("#id_contract-error").inner_text().endswith("Select the contract TOML file")
    for field, path in tracker_files.items():
        page.set_input_files(f"#id_{field}", str(path))
    page.click("button:has-text('Upload and import')")

    progress = page.locator("[data-testid=upload-progress]")
    progress.wait_for()
    assert page.locator("#upload-bar").get_attribute("max") == "100"
    assert "Waiting" in page.locator("#upload-stage").inner_text()
    assert page.locator("[data-testid=no-worker]").is_visible()  # nobody runs jobs yet
    assert axe_violations(page) == []

    run_worker(batch=True, interval=0, verbosity=0)  # the worker takes the job

    page.locator("[data-testid=upload-headline]").wait_for(timeout=20000)  # the page polled
    assert "nothing was imported" in page.locator("[data-testid=upload-headline]").inner_text()
    problems = page.locator("[data-testid=upload-problems] li").all_inner_texts()
    assert any(p.startswith("enquiries.csv:2: column enquiry_date:") for p in problems), problems
    assert Referral.objects.count() == 0
    assert axe_violations(page) == []
    with page.expect_download() as d:
        page.click("a:has-text('Download the problems (CSV)')")
    assert d.value.suggested_filename.endswith("-problems.csv")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page_width(page) <= 375
