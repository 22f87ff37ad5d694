"""Case pages: the access log, forms and the caseload. (Who may open them, and council
and caseload scope: tests/core/test_access_policy.py.)"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.cases import record, services
from stars.core.models import AccessLog
from stars.core.permissions import PAGES

CASE_PAGES = sorted(n for n in PAGES if n.startswith("case_") or n.startswith("cases_"))
D = dt.date


def _url(name: str, referral_id: str = "R-DER") -> str:
    if name in ("case_caseload", "cases_outcomes"):
        return reverse(name)
    return reverse(name, args=[referral_id])


def test_the_case_pages_are_registered():
    assert {"case_detail", "case_caseload", "cases_outcomes", "case_close"} <= set(CASE_PAGES)


def test_reading_a_case_is_logged_and_refusals_are_not(client, users, referrals):
    client.force_login(users["commissioner"])
    assert client.get(_url("case_detail")).status_code == 200
    log = AccessLog.objects.get(object_id="R-DER")
    assert (log.username, log.action, log.object_type) == ("commissioner", "view", "case")
    client.get(_url("case_detail", "R-NOT"))
    assert not AccessLog.objects.filter(object_id="R-NOT").exists()


def test_the_case_page_shows_the_record_and_the_weeks(client, users, case, instruments):
    record.phase_change(referral=case, phase="preparation", on=D(2022, 1, 10))
    record.team_member_add(referral=case, role="therapist", name="Therapist 4", on=D(2022, 1, 10))
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10))
    record.meeting_record(
        referral=case,
        on=D(2022, 2, 1),
        attendees=["therapist"],
        actions=[("Call school", "Key worker", D(2022, 2, 8))],
    )
    client.force_login(users["key_worker"])
    html = client.get(_url("case_detail")).content.decode()
    for text in (
        "Synthetic Child",
        "Therapist 4",
        "Call school",
        "Preparation",
        "Weeks sustained so far",
    ):
        assert text in html
    assert "Close the case" not in html  # a key worker does not close cases


def test_the_periods_say_in_plain_words_that_the_end_day_is_not_counted(client, users, case):
    """A key worker read "Until (exclusive)" over the periods of the case and the referral;
    the forms say "The day the placement ended (not counted)"."""
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 5, 1))
    client.force_login(users["key_worker"])
    for name in ("case_detail", "referral_detail"):
        html = client.get(reverse(name, args=["R-DER"])).content.decode()
        assert "Ended on (not counted)" in html and "1 May 2022" in html, name
        assert "Until (exclusive)" not in html, name


def test_a_form_error_keeps_what_was_typed(client, users, case):
    client.force_login(users["key_worker"])
    response = client.post(
        _url("case_attendance"),
        {
            "term": "spring 2022",
            "start_date": "2022-01-04",
            "possible_sessions": "120",
            "attended_sessions": "130",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "cannot be more than the 120 possible" in html and 'value="spring 2022"' in html
    assert 'href="#id_attended_sessions"' in html


def test_a_manager_closes_a_case_early_through_the_page(client, users, case):
    client.force_login(users["provider_manager"])
    response = client.post(
        _url("case_close"),
        {
            "outcome": "closed_early",
            "end_date": "2022-06-01",
            "reason": "increased_risk",
            "narrative": "Risk rose.",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed_early" and case.closure_reason == "increased_risk"
    page = client.get(response["Location"]).content.decode()
    assert "(increased risk)" in page and "increased_risk" not in page  # the label, not the code


def test_caseload_shows_own_live_cases_and_whats_due(
    client, users, referrals, django_assert_max_num_queries
):
    from tests.conftest import make_referral

    for i in range(5):
        make_referral(f"R-KW{i}", "nottingham", key_worker=users["key_worker"])
    record.meeting_record(referral=referrals["derby"], on=D(2022, 2, 1), attendees=["therapist"])
    client.force_login(users["key_worker"])
    # 15 whatever the caseload's size: the cases and those overdue are counted by the
    # database (the overdue count once per version of the case records: one query reads
    # it), and only the page's cases are read (tests/cases/test_caseload_paging.py)
    with django_assert_max_num_queries(15):
        html = client.get(reverse("case_caseload")).content.decode()
    assert "R-DER" in html and "R-KW4" in html and "R-NOT" not in html
    assert "15 Mar 2022" in html  # six weeks after the last meeting
    assert "Overdue" in html


def test_the_case_page_and_the_report_use_a_bounded_number_of_queries(
    client, users, case, instruments, django_assert_max_num_queries
):
    from rich.console import Console

    from stars.demo.case_records import load_demo

    load_demo(seed=3, console=Console(quiet=True))  # a full record on R-DER and R-NOT
    client.force_login(users["provider_manager"])
    with django_assert_max_num_queries(40):
        assert client.get(_url("case_detail")).status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(reverse("cases_outcomes")).status_code == 200
