"""The audit page in chromium: a child's reference typed into its record filter is posted,
never put in an address, so it stays out of the browser's history, its address bar, any
proxy's log and the referring page sent with the next request, through the results' pages
too."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from stars.core.audit import record_access
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = "C-R-DER"  # the Derby child's reference


def test_a_childs_reference_filtered_for_is_in_no_address_the_browser_visits(
    page, users, referrals
):
    for _ in range(60):  # more than a page of lines that showed the child's record
        record_access(
            user=users["spoc"],
            action="view",
            object_type="claim",
            object_id="derby/2024-03",
            shown=[("child", CHILD)],
        )
    sent: list[str] = []  # every address asked for, and the referring page sent with it
    page.on("request", lambda r: sent.extend([r.url, r.headers.get("referer", "")]))
    shown: list[str] = []  # every address the tab showed
    page.on("framenavigated", lambda f: shown.append(f.url) if f == page.main_frame else None)
    sign_in(page, "admin", PASSWORD)

    page.goto("/audit/")
    page.click("main button:has-text('Show')")  # nothing typed: what to enter
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert page.title().startswith("Error:")
    assert axe_violations(page) == []

    page.fill("#record", CHILD)
    page.click("main button:has-text('Show')")
    page.wait_for_selector("text=Page 1 of 2")
    assert "derby/2024-03" in page.inner_text("[data-testid=reads]")
    assert page.input_value("#record") == CHILD  # kept in the box
    assert axe_violations(page) == []
    page.click("main .govuk-pagination__next button")
    page.wait_for_selector("text=Page 2 of 2")
    assert "derby/2024-03" in page.inner_text("[data-testid=reads]")
    page.click("main .govuk-pagination__prev button")
    page.wait_for_selector("text=Page 1 of 2")

    assert len(shown) >= 5
    for address in (*sent, *shown):
        assert CHILD.lower() not in unquote_plus(address).lower(), address
