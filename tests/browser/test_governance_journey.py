"""Information governance in the browser, as administrators: every page passes axe at 375 px
without scrolling sideways; a disposal asked for by one administrator is approved by another."""

from __future__ import annotations

import datetime as dt

import pytest

from stars.governance.models import Disposal
from stars.partnership.services import user_create
from stars.referrals.models import Child, Enquiry
from tests.browser.conftest import axe_violations, page_width, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/governance/",
    "/governance/retention/",
    "/governance/disposals/",
    "/governance/subject-access/",
    "/governance/correct/",
    "/governance/restrict/",
    "/governance/agreements/",
    "/governance/privacy-notice/",
    "/governance/access-review/",
]


def test_the_pages_pass_axe_on_a_phone_and_a_disposal_takes_two_administrators(
    page, users, referrals
):
    derby = referrals["derby"].council
    child = Child.objects.create(
        child_ref="C-OLD",
        council=derby,
        given_name="Ada",
        family_name="Example",
        date_of_birth=dt.date(2012, 1, 1),
    )
    Enquiry.objects.create(
        enquiry_id="E-OLD",
        child=child,
        council=derby,
        cohort="B",
        enquiry_date=dt.date(2021, 2, 1),
        decision="withdrawn",
        decision_date=dt.date(2021, 3, 1),
    )
    user_create(username="admin2", role="admin", council=None, password=PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "admin", PASSWORD)
    for url in PAGES:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert page_width(page) <= 375, url
        assert axe_violations(page) == [], url
    page.goto("/governance/retention/")
    page.click("[data-testid=request-enquiry_not_progressed]")
    page.wait_for_url("**/governance/disposals/")
    d = Disposal.objects.get()
    assert page.locator(f"[data-testid=approve-{d.pk}]").count() == 0  # not the asker
    page.click("button:has-text('Sign out')")
    sign_in(page, "admin2", PASSWORD)
    page.goto("/governance/disposals/")
    page.click(f"[data-testid=approve-{d.pk}]")
    page.wait_for_load_state()
    assert "Approved and carried out by" in page.content()
    assert axe_violations(page) == []
    assert Child.objects.get(pk=child.pk).given_name == ""
