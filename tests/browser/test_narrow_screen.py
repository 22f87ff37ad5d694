"""On a phone (375 px wide) no page scrolls sideways: wide tables scroll inside their own box,
charts shrink, and a negative amount keeps its minus sign on its own line. Every page, at that
width, passes axe (a table box that scrolls must be reachable by keyboard). Nor at 320 px, the
width of a 1280 px screen zoomed to 400% (WCAG 2.2's reflow): a list's filters and a long word
in a hint stay inside the page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from stars.core.templatetags.stars_format import money
from stars.demo.programme import DEMO_PASSWORD
from stars.referrals.models import Referral
from tests.browser.conftest import axe_violations, page_width, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
ZOOMED = {"width": 320, "height": 256}  # 1280 x 1024 at 400%
WIDEST = [
    "/reports/evaluation/",
    "/reports/board/",
    "/finance/claims/",
    "/finance/claims/derby/2024-10/",
    "/finance/money/",
    "/cases/caseload/",
    "/cases/outcomes/",
    "/sufficiency/derby/",
    "/sufficiency/derby/forecast/",
    "/sufficiency/derby/reconcile/",
    "/referrals/",
    "/enquiries/",
    "/targets/",
    "/audit/",
    "/enquiries/waiting-list/",
    "/",
    "/governance/retention/",
]


@pytest.fixture
def live(demo):
    """The demo's first live referral."""
    return Referral.objects.filter(status="live").order_by("referral_id").first()


def _wrapped_money(page) -> list[str]:
    """Amounts with a minus sign that the browser laid out on more than one line."""
    return page.evaluate(
        """() => [...document.querySelectorAll('td, dd, p, li')].flatMap(el =>
            [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.includes('\u2212£'))
              .filter(n => { const r = document.createRange(); r.selectNodeContents(n);
                             const rects = [...r.getClientRects()];
                             const tops = new Set(rects.map(x => Math.round(x.top)));
                             return tops.size > 1; })
              .map(n => n.textContent.trim()))"""
    )


def test_no_page_is_wider_than_a_phone(page, live):
    page.set_viewport_size(PHONE)
    sign_in(page, "admin", DEMO_PASSWORD)
    for url in [
        *WIDEST,
        f"/cases/{live.referral_id}/",
        f"/referrals/{live.referral_id}/",
        f"/cases/{live.referral_id}/chronology/",
        f"/cases/{live.referral_id}/allocate/",
    ]:
        page.goto(url)
        _fits_a_phone(page, url)
    page.goto("/search/")  # a search's results: the answer to the form's post
    page.fill("#q", "a")
    page.click("main button:has-text('Search')")
    page.wait_for_selector("[data-testid=referral-results]")
    _fits_a_phone(page, "the search's results")


def _fits_a_phone(page, url: str) -> None:
    assert page.locator("h1").count() == 1, url
    assert page_width(page) <= PHONE["width"], url
    assert _wrapped_money(page) == [], url
    assert axe_violations(page) == [], url


def test_no_page_scrolls_sideways_at_400_percent_zoom(page, live):
    page.set_viewport_size(ZOOMED)
    sign_in(page, "admin", DEMO_PASSWORD)
    for url in [
        *WIDEST,
        "/reports/simulator/",
        "/cases/caseload/?status=live",
        f"/cases/{live.referral_id}/meeting/",
    ]:
        page.goto(url)
        assert page_width(page) <= ZOOMED["width"], url


def test_a_negative_amount_never_leaves_its_minus_sign_alone_on_a_line(page, live_server):
    page.goto(live_server.url)  # any page: the fonts and the browser's line breaking
    one_line = '<span id="{0}">{1}</span>'
    page.set_content(
        one_line.format("negative", money(Decimal("-1234.5")))
        + one_line.format("positive", money(Decimal("1234.5")))
    )
    # styled through the CSSOM (the service's CSP rightly refuses inline style attributes)
    page.evaluate(
        """() => document.querySelectorAll("span").forEach(s => Object.assign(s.style,
        {display: "inline-block", width: "1px", font: "16px arial"}))"""
    )
    height = page.evaluate("id => document.getElementById(id).offsetHeight", "negative")
    assert height == page.evaluate("id => document.getElementById(id).offsetHeight", "positive")
    assert money(Decimal("-1234.5")).endswith("£1,234.50")
