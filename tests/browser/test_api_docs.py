"""The API's docs page: Swagger UI renders under our own content security policy."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_page(browser, live_server):
    """A page that keeps the CSP in force (the shared fixture bypasses it) and notes errors."""
    context = browser.new_context(base_url=live_server.url)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    yield pg
    context.close()


def test_signed_in_user_sees_swagger_ui_list_the_operations(csp_page, users):
    page = csp_page
    page.goto("/api/docs")
    assert "/sign-in/" in page.url  # signed out: sign in first
    sign_in(page, "spoc", PASSWORD)
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary")
    listed = {
        (
            op.locator(".opblock-summary-method").inner_text(),
            op.locator(".opblock-summary-path").get_attribute("data-path"),
        )
        for op in page.locator(".opblock-summary").all()
    }
    paths = {p for _, p in listed}
    assert {"/api/enquiries", "/api/referrals", "/api/eligibility"} <= paths, listed
    assert ("POST", "/api/enquiries") in listed, listed
    assert page.problems == []  # nothing refused by the CSP, no script error
