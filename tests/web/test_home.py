"""Today's work on each role's home page: what waits on the user, within their scope, each
item linking to where it is done, and every child's record shown in the access log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from stars.core.models import AccessLog
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.governance.models import Disposal
from stars.notifications.models import Notification
from stars.partnership.models import Council
from stars.partnership.services import user_create
from stars.referrals import services
from stars.uploads.models import Upload
from stars.web.today import SHOWN, today_work_cached
from tests.conftest import make_referral

D = dt.date
ALL_PAPERS = ["care_plan", "chronology", "education_plan"]


def enquiry(council="derby", cohort="B", dob=D(2010, 6, 1), **kw):
    return services.enquiry_record(
        council=Council.objects.get(code=council),
        cohort=cohort,
        given_name="Robin",
        family_name="Example",
        date_of_birth=dob,
        enquiry_date=D(2023, 2, 1),
        **kw,
    )


def home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, key: str) -> str:
    start = html.index(f'data-testid="today-{key}"')
    return html[start : html.index("</section>", start)]


@pytest.mark.django_db
def test_the_spoc_sees_enquiries_waiting_on_the_council_with_names_and_the_step_page(client, users):
    waiting = enquiry(papers=["care_plan"])
    other = enquiry(council="nottingham")
    enquiry(papers=ALL_PAPERS)  # waiting on the provider's meeting, not the council
    html = section(home(client, users["spoc"]), "enquiries")
    assert f"{waiting.enquiry_id} · Robin Example" in html
    assert reverse("enquiry_papers", args=[waiting.enquiry_id]) in html
    assert "Send papers: education plan, chronology" in html  # it starts the line
    assert other.enquiry_id not in html and ">1<" in html  # the count: Derby's one
    assert "Stuck" in html  # untouched since February 2023
    logged = AccessLog.objects.filter(username="spoc", detail="home: today's work")
    assert list(logged.values_list("object_id", flat=True)) == [waiting.enquiry_id]


@pytest.mark.django_db
def test_the_provider_manager_sees_decisions_allocations_and_claims_to_prepare(
    client, users, referrals
):
    ready = enquiry(papers=ALL_PAPERS)
    unallocated = make_referral("R-NEW", "nottingham")
    html = home(client, users["provider_manager"])
    decisions = section(html, "decisions")
    assert reverse("enquiry_decide", args=[ready.enquiry_id]) in decisions
    allocations = section(html, "allocations")
    assert "R-NEW · Synthetic Child" in allocations and "R-DER" not in allocations
    assert reverse("case_allocate", args=[unallocated.referral_id]) in allocations
    claims = section(html, "claims")  # nothing claimed yet: the programme's first month
    assert reverse("claim_prepare", args=["derby", "2020-09"]) in claims
    assert "September 2020: prepare the claim" in claims


@pytest.mark.django_db
def test_the_commissioner_sees_own_council_claims_and_guaranteed_funding_to_approve(client, users):
    derby, nottingham = (Council.objects.get(code=c) for c in ("derby", "nottingham"))
    OutcomeClaim.objects.create(council=derby, month=D(2020, 9, 1), status="submitted")
    OutcomeClaim.objects.create(council=nottingham, month=D(2020, 9, 1), status="submitted")
    outside = enquiry(cohort="A", dob=D(2016, 1, 1), outside_criteria=True, papers=ALL_PAPERS)
    services.enquiry_decide(enquiry=outside, decision="progressed", on=D(2023, 2, 20))
    eligible = enquiry(papers=ALL_PAPERS)
    services.enquiry_decide(enquiry=eligible, decision="progressed", on=D(2023, 2, 20))
    html = home(client, users["commissioner"])
    claims = section(html, "claims")
    assert reverse("claim_detail", args=["derby", "2020-09"]) in claims
    assert "nottingham" not in claims
    gf = section(html, "guaranteed_funding")
    assert reverse("enquiry_approve_gf", args=[outside.enquiry_id]) in gf
    assert eligible.enquiry_id not in gf
    services.guaranteed_funding_approve(
        enquiry=outside, by=users["commissioner"], on=D(2023, 2, 21)
    )
    html = home(client, users["commissioner"])
    assert outside.enquiry_id not in section(html, "guaranteed_funding")
    provider = section(home(client, users["provider_manager"]), "claims")
    assert "/claims/derby/" not in provider  # submitted: waiting on the council now
    assert reverse("claim_prepare", args=["nottinghamshire", "2020-09"]) in provider


@pytest.mark.django_db
def test_the_spoc_records_an_enquiry_from_where_their_day_starts(client, users):
    html = section(home(client, users["spoc"]), "enquiries")
    assert f'href="{reverse("enquiry_new")}"' in html and ">Record an enquiry</a>" in html
    for role in ("commissioner", "provider_manager", "key_worker"):  # theirs is not
        assert "Record an enquiry" not in home(client, users[role])


@pytest.mark.django_db
def test_each_claim_awaiting_the_commissioners_approval_shows_its_total(client, users, referrals):
    derby = Council.objects.get(code="derby")
    claim = OutcomeClaim.objects.create(council=derby, month=D(2020, 9, 1), status="submitted")
    for amount in ("800", "11700", "0.125"):  # exact; rounded to the penny only when shown
        ClaimLine.objects.create(
            claim=claim,
            referral=referrals["derby"],
            kind="outcome",
            component="outcome",
            payable_weeks=2,
            rate=Decimal("400"),
            amount=Decimal(amount),
            rule="synthetic",
        )
    claims = section(home(client, users["commissioner"]), "claims")
    assert "September 2020: approve or dispute the claim, total £12,500.13" in claims
    ClaimLine.objects.filter(claim=claim).delete()  # nothing owed: a total of nothing
    claims = section(home(client, users["commissioner"]), "claims")
    assert "September 2020: approve or dispute the claim, total £0.00" in claims


@pytest.mark.django_db
def test_the_key_worker_sees_what_is_due_on_their_own_caseload(client, users, referrals):
    html = section(home(client, users["key_worker"]), "due")
    assert "R-DER · Synthetic Child" in html and "R-NOT" not in html
    assert reverse("case_meeting", args=["R-DER"]) in html
    assert reverse("case_assessment", args=["R-DER"]) in html
    assert reverse("case_attendance", args=["R-DER"]) in html
    assert "Overdue" in html  # referred January 2022, nothing recorded since


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["investor", "evaluator"])
def test_aggregate_roles_have_no_child_level_work(client, users, referrals, role):
    html = home(client, users[role])
    assert "Today's work" not in html and "R-DER" not in html


@pytest.mark.django_db
def test_the_administrator_sees_failed_emails_uploads_that_did_not_import_and_lapsing_agreements(
    client, users
):
    Notification.objects.create(
        user=users["spoc"], event="claim_submitted", title="t", email_status="failed"
    )
    Upload.objects.create(
        kind="tracker",
        status="rejected",
        uploaded_by=users["provider_manager"],
        uploaded_by_name="provider_manager",
        files=[],
    )
    html = section(home(client, users["admin"]), "administration")
    assert reverse("notification_failures") in html and "1 email being retried" in html
    assert "Not imported" in html and "by provider_manager" in html
    # no council has a data-sharing agreement in this database: each is named
    assert reverse("governance_agreements") in html
    assert "Derby City Council: no data-sharing agreement in force" in html
    # nobody else is shown the administrator's list
    assert 'data-testid="today-administration"' not in home(client, users["provider_manager"])


@pytest.mark.django_db
def test_a_second_administrator_is_asked_to_approve_a_disposal_the_first_requested(
    client, users, django_user_model
):
    from stars.partnership.models import Programme

    other = django_user_model.objects.create_user("admin2", role="admin")
    Disposal.objects.create(
        kind="access_log",
        requested_by=other,
        as_of=dt.date(2026, 1, 1),
        count=3,
        rule="r",
        programme=Programme.objects.get(),  # the programme's own: only they are listed
    )
    html = section(home(client, users["admin"]), "administration")
    assert "3 records requested by admin2: awaiting a second administrator" in html
    assert reverse("governance_disposals") in html
    client.force_login(other)  # not the one who asked
    assert "awaiting a second administrator" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_investor_and_evaluator_see_the_programme_at_a_glance_from_the_records(
    client, users, referrals
):
    investor = section(home(client, users["investor"]), "glance")
    assert reverse("finance_investor") in investor and "earned to date" in investor
    assert "paid in approved claims" in investor
    # what was earned, then what was paid: "paid ..., of which outcome payments" read as if
    # the outcome payments were part of what was paid
    assert investor.index("earned to date") < investor.index("paid in approved claims")
    assert "of which" not in investor and "projected once the cases live now end" in investor
    # two referrals (R-DER, R-NOT): too few to show an investor, as on the investor page
    assert "fewer than 5 (too few to show) against a minimum of" in investor
    assert reverse("report_board") in investor
    assert reverse("report_evaluation") not in investor  # not open to an investor
    evaluator = section(home(client, users["evaluator"]), "glance")
    # the same two: too few to show an evaluator either, as on the evaluation report
    assert "2 referrals" not in evaluator
    assert "Referrals: fewer than 5 (too few to show)" in evaluator
    assert reverse("report_evaluation") in evaluator
    assert reverse("finance_extract") in evaluator
    assert "R-DER" not in evaluator + investor  # aggregate only


@pytest.mark.django_db
def test_a_long_list_of_today_s_work_is_kept_as_its_count_and_the_items_shown(
    client, users, referrals
):
    for i in range(SHOWN + 5):
        make_referral(f"R-NEW{i:02}", "nottingham")
    cached = today_work_cached(users["provider_manager"], timezone.localdate())
    (allocations,) = [s for s in cached if s.key == "allocations"]
    assert allocations.total == SHOWN + 6  # and R-NOT
    assert len(allocations.items) == len(allocations.shown) == SHOWN
    html = home(client, users["provider_manager"])
    assert f"{SHOWN} of {SHOWN + 6} shown." in section(html, "allocations")


@pytest.mark.django_db
def test_a_referral_total_hidden_only_to_protect_a_breakdown_is_not_said_to_be_fewer_than_5(
    client, users, referrals
):
    # four referrals from each council: 8 in all, but the councils' 4 and 4 are hidden and
    # would be given away by the total (two hidden counts summing to 8 are 4 and 4)
    for i in range(3):
        make_referral(f"R-DER{i}", "derby")
        make_referral(f"R-NOT{i}", "nottingham")
    investor = section(home(client, users["investor"]), "glance")
    assert "fewer than 5" not in investor
    assert "hidden so that a smaller figure beside it cannot be worked out" in investor
    page = client.get(reverse("finance_investor")).content.decode()
    assert "hidden so that a smaller figure beside it cannot be worked out" in page
    assert "fewer than 5" not in page
    # the evaluator's home gives the same reason for the same hidden total, by the one rule
    evaluator = section(home(client, users["evaluator"]), "glance")
    assert "too few to show" not in evaluator
    assert "Referrals: hidden so that a smaller figure beside it cannot be worked out" in evaluator


def test_a_hidden_count_says_why_it_is_hidden():
    from stars.domain.disclosure import HIDDEN_BESIDE, why_hidden

    assert why_hidden(3) == "fewer than 5 (too few to show)"
    assert why_hidden(8) == HIDDEN_BESIDE


@pytest.mark.django_db
def test_before_any_contract_the_administrator_is_sent_to_upload_a_tracker(client):
    # a new production service: `stars demo`, which the page named, is refused there
    admin = user_create(username="first-admin", role="admin", password="x" * 8 + "-Ab1")
    page = home(client, admin)
    assert "stars demo" not in page
    assert "No contract is loaded yet." in page
    assert f'href="{reverse("upload_tracker")}">Upload a tracker</a>' in page
