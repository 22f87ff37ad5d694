"""A restricted child shows nowhere but to administrators: not in lists, search, the home
page's work for today, the caseload, the API, exports, the chronology, nor in notifications
(in the service or by email); the duplicate check is tested in tests/referrals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.core.api import basic_header
from stars.governance.corrections import child_restrict
from stars.notifications.models import Notification
from stars.partnership.models import Council
from stars.referrals import services
from stars.referrals.models import Child
from tests.conftest import PASSWORD, make_referral

SECRETS = ("Zelda", "Hidden", "R-HID", "E-HID", "C-HID")
PAGES = [
    "home",
    "referral_list",
    "enquiry_list",
    "enquiry_waiting",
    "case_caseload",
    "cases_outcomes",
    "targets",
    "notifications",
    "finance_claims",
    "sufficiency_home",
    "finance_extract",
    "report_evaluation",
]
SEARCHES = ["Zelda", "R-HID", "C-HID"]  # typed into the search box (posted)
QUERIES = ["/api/enquiries", "/api/referrals"]
ROLES = ["spoc", "commissioner", "provider_manager", "key_worker", "investor", "evaluator"]


@pytest.fixture
def hidden(users, referrals):
    """Zelda Hidden (Derby): an enquiry E-HID waiting for its decision and a live case
    R-HID on the key worker's caseload; then her processing is restricted."""
    derby = Council.objects.get(code="derby")
    e = services.enquiry_record(
        council=derby,
        cohort="B",
        given_name="Zelda",
        family_name="Hidden",
        date_of_birth=dt.date(2012, 4, 2),
        enquiry_date=dt.date(2024, 1, 15),
    )
    r = make_referral("R-HID", "derby")
    Child.objects.filter(pk=r.child_id).update(given_name="Zelda", family_name="Hidden")
    child_restrict(child_ref=e.child.child_ref, restricted=True, reason="Asked", by=users["admin"])
    child_restrict(child_ref=r.child.child_ref, restricted=True, reason="Asked", by=users["admin"])
    # allocated while restricted (an administrator can): the allocation tells nobody else
    services.referral_allocate(referral=r, key_worker=users["key_worker"], by=users["admin"])
    return {"enquiry": e, "referral": r}


def _clean(body: str, where: str, extra: tuple[str, ...] = ()) -> None:
    for secret in (*SECRETS, *extra):
        assert secret not in body, f"{secret} shown on {where}"


def test_no_page_nor_api_shows_a_restricted_child_to_anyone_but_an_administrator(
    client, users, hidden
):
    eid = hidden["enquiry"].enquiry_id
    for role in ROLES:
        client.force_login(users[role])
        for name in PAGES:
            response = client.get(reverse(name))
            if response.status_code == 200:
                _clean(response.content.decode(), f"{name} for {role}", (eid,))
        for url in QUERIES:
            response = client.get(url, HTTP_AUTHORIZATION=basic_header(role, PASSWORD))
            if response.status_code == 200:
                _clean(response.content.decode(), f"{url} for {role}", (eid,))
        for typed in SEARCHES:
            response = client.post(reverse("search"), {"q": typed})
            if response.status_code == 200:  # the search box echoes what was typed
                body = response.content.decode().replace(typed, "")
                _clean(body, f"a search for {typed} by {role}", (eid,))
        for url in (
            reverse("case_chronology", args=["R-HID"]),
            reverse("case_detail", args=["R-HID"]),
            reverse("enquiry_detail", args=[eid]),
            "/api/referrals/R-HID",
            f"/api/enquiries/{eid}",
        ):
            got = client.get(url, HTTP_AUTHORIZATION=basic_header(role, PASSWORD))
            assert got.status_code in (403, 404), (url, role)
    client.force_login(users["admin"])
    found = client.post(reverse("search"), {"q": "Zelda"}).content.decode()
    assert "R-HID" in found and eid in found  # administrators do

    # lifted, the same sweep finds her: it looks where she would show
    for ref in {hidden["enquiry"].child.child_ref, hidden["referral"].child.child_ref}:
        child_restrict(child_ref=ref, restricted=False, reason="Lifted", by=users["admin"])
    shows = {
        ("provider_manager", reverse("referral_list")),
        ("key_worker", reverse("case_caseload")),
        ("spoc", reverse("enquiry_list")),
        ("provider_manager", "/api/referrals"),
    }
    for role, url in shows:
        client.force_login(users[role])
        body = client.get(url, HTTP_AUTHORIZATION=basic_header(role, PASSWORD)).content.decode()
        assert "R-HID" in body or eid in body, (role, url)
    client.force_login(users["spoc"])
    body = client.post(reverse("search"), {"q": "Hidden"}).content.decode()
    assert "R-HID" in body or eid in body


def test_notifications_made_before_the_restriction_are_withdrawn_from_others(users, referrals):
    r = make_referral("R-TOLD", "derby")
    services.referral_allocate(referral=r, key_worker=users["key_worker"], by=users["admin"])
    assert Notification.objects.filter(user=users["key_worker"], url="/cases/R-TOLD/").exists()
    child_restrict(child_ref=r.child.child_ref, restricted=True, reason="Asked", by=users["admin"])
    assert not Notification.objects.filter(url__contains="R-TOLD").exists()


def test_notifications_about_a_restricted_child_go_to_administrators_only(users, hidden):
    from stars.cases.notices import notify_due

    e = hidden["enquiry"]
    services.enquiry_decide(enquiry=e, decision="progressed", on=dt.date(2024, 1, 20))
    e.consent_calls.create(call_date=dt.date(2024, 1, 18), spoke_to="parent", outcome="agreed")
    services.referral_accept(enquiry=e, on=dt.date(2024, 1, 25), key_worker=users["key_worker"])
    notify_due(dt.date(2026, 11, 26))
    for n in Notification.objects.exclude(user__role="admin"):
        _clean(f"{n.title} {n.body} {n.url}", f"a notification to {n.user.username}")
