"""The referral pipeline through its services and pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from stars.partnership.models import Council
from stars.partnership.services import contract_load
from stars.referrals import services
from stars.referrals.models import Enquiry, Referral
from stars.referrals.services import PipelineError
from tests.conftest import CONTRACT
from tests.live_http import typed_date

D = dt.date


def record(council="derby", cohort="B", dob=D(2010, 6, 1), on=D(2023, 2, 1), **kw):
    return services.enquiry_record(
        council=Council.objects.get(code=council),
        cohort=cohort,
        given_name="Sam",
        family_name="Synthetic",
        date_of_birth=dob,
        enquiry_date=on,
        **kw,
    )


def test_ineligible_child_is_refused_with_the_reason_on_the_date_field(contract):
    with pytest.raises(PipelineError) as err:
        record(cohort="A", dob=D(2016, 1, 1))  # aged 7; cohort A is 10-16
    assert err.value.field == "date_of_birth"
    assert "under the minimum age 10" in err.value.message
    assert Enquiry.objects.count() == 0
    e = record(cohort="A", dob=D(2016, 1, 1), outside_criteria=True)
    assert e.child.child_ref.startswith("CH-") and "Sam" not in e.child.child_ref


def test_each_enquiry_is_judged_by_the_rule_of_its_own_date(contract):
    dob = D(2014, 1, 1)  # aged 8 in early 2022
    with pytest.raises(PipelineError):
        record(cohort="B", dob=dob, on=D(2022, 3, 1))  # B was 10-16 until April 2022
    assert record(cohort="B", dob=dob, on=D(2022, 5, 1)).cohort == "B"  # 6-16 from then


def test_acceptance_needs_progress_consent_and_approval_for_guaranteed_funding(contract, users):
    e = record(on=D(2023, 2, 1))
    with pytest.raises(PipelineError, match="progressed"):
        services.referral_accept(enquiry=e, on=D(2023, 3, 1))
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2023, 2, 20))
    with pytest.raises(PipelineError, match="consent"):
        services.referral_accept(enquiry=e, on=D(2023, 3, 1))
    services.consent_call_record(
        enquiry=e,
        on=D(2023, 2, 22),
        spoke_to="foster carer",
        outcome="agreed",
        by=users["provider_manager"],
    )
    with pytest.raises(PipelineError, match="commissioner"):
        services.referral_accept(enquiry=e, on=D(2023, 3, 1), funding="guaranteed")
    with pytest.raises(PipelineError):
        services.guaranteed_funding_approve(enquiry=e, by=users["spoc"], on=D(2023, 2, 23))
    services.guaranteed_funding_approve(enquiry=e, by=users["commissioner"], on=D(2023, 2, 23))
    r = services.referral_accept(enquiry=e, on=D(2023, 3, 1), funding="guaranteed", cohort="A")
    assert (r.cohort, r.funding, r.status, r.enquiry_id) == ("A", "guaranteed", "live", e.pk)
    with pytest.raises(PipelineError, match="already"):
        services.referral_accept(enquiry=e, on=D(2023, 3, 2))


def test_no_consent_call_needed_before_the_contract_start_of_calls(contract):
    e = record(on=D(2022, 6, 1))
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2022, 6, 10))
    assert services.referral_accept(enquiry=e, on=D(2022, 6, 20)).referral_id.startswith("REF-")


def test_a_child_with_a_referral_still_running_is_not_accepted_again(contract):
    """The same child's second enquiry (chosen as the child already recorded) is not accepted
    while their first referral is live, nor dated before it ended: two referrals at once
    would count the child twice in the targets and their weeks twice in the money."""
    first = record(on=D(2022, 6, 1))
    services.enquiry_decide(enquiry=first, decision="progressed", on=D(2022, 6, 10))
    live = services.referral_accept(enquiry=first, on=D(2022, 6, 20))
    again = record(on=D(2022, 7, 1), child=first.child)
    services.enquiry_decide(enquiry=again, decision="progressed", on=D(2022, 7, 5))
    with pytest.raises(PipelineError) as err:
        services.referral_accept(enquiry=again, on=D(2022, 7, 10))
    assert err.value.field is None
    assert err.value.message == (
        f"This child already has a live referral, {live.referral_id}: close that case, or "
        "move it to another cohort, before accepting another"
    )
    live.status, live.end_date, live.closure_reason = "closed_early", D(2022, 8, 1), "other"
    live.save()
    with pytest.raises(PipelineError) as err:
        services.referral_accept(enquiry=again, on=D(2022, 7, 20))
    assert err.value.field == "referral_date"
    assert err.value.message == (
        f"must be on or after 1 August 2022, when this child's referral {live.referral_id} ended"
    )
    assert Referral.objects.filter(child=first.child).count() == 1
    assert services.referral_accept(enquiry=again, on=D(2022, 8, 1)).child == first.child


def test_an_extension_is_not_dated_before_the_graduation_it_follows(contract, referrals):
    old = referrals["derby"]
    old.status, old.end_date = "graduated", D(2024, 1, 10)
    old.save()
    with pytest.raises(PipelineError) as err:
        services.referral_rerefer(referral=old, on=D(2023, 6, 1), cohort="B", reason="extension")
    assert err.value.field == "referral_date" and "on or after 10 January 2024" in err.value.message
    new = services.referral_rerefer(referral=old, on=D(2024, 1, 10), cohort="B", reason="extension")
    assert new.enquiry is None and new.child == old.child


def test_decisions_that_close_need_a_reason(contract):
    e = record()
    with pytest.raises(PipelineError) as err:
        services.enquiry_decide(enquiry=e, decision="criteria_not_met", on=D(2023, 2, 5))
    assert err.value.field == "reason"


def test_rereferral_moves_cohort_and_closes_the_old_one(contract, referrals):
    old = referrals["derby"]
    new = services.referral_rerefer(
        referral=old, on=D(2023, 1, 1), cohort="A", reason="cohort_move"
    )
    old.refresh_from_db()
    assert (old.status, new.enquiry, new.cohort, new.child) == (
        "closed_early",
        None,
        "A",
        old.child,
    )


def test_profile_refuses_a_surname(contract):
    e = record()
    with pytest.raises(PipelineError) as err:
        services.profile_save(
            enquiry=e, known_as="Sam Synthetic", enjoys="x", good_at="y", what_helps="z", hopes="w"
        )
    assert err.value.field == "known_as"


# -- pages -----------------------------------------------------------------------------------


def test_enquiry_form_shows_the_error_summary_and_keeps_what_was_typed(client, users):
    client.force_login(users["spoc"])
    response = client.post(
        reverse("enquiry_new"),
        {
            "council": "derby",
            "cohort": "A",
            "given_name": "Robin",
            "family_name": "Example",
            "date_of_birth": "2017-04-02",
            "enquiry_date": "2024-01-15",
            "why_now": "typed text",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "under the minimum age 10" in html
    assert (
        'value="Robin"' in html and "typed text" in html and 'href="#id_date_of_birth-day"' in html
    )
    assert Enquiry.objects.count() == 0


ENQUIRY_FORM = {
    "council": "derby",
    "cohort": "D",
    "given_name": "Robin",
    "family_name": "Example",
    "date_of_birth": "2012-04-02",
    "enquiry_date": "2024-01-15",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"enquiry_date": "2099-01-05", "date_of_birth": "2088-01-01"},
            "enquiry_date",
            "Enquiry date must be today or in the past",
        ),
        (
            {"enquiry_date": "2019-06-03", "date_of_birth": "2010-01-01"},
            "enquiry_date",
            "Enquiry date must be on or after 1 September 2020, when the programme started",
        ),
        (
            {"date_of_birth": "0001-01-01", "outside_criteria": "on"},
            "date_of_birth",
            "Date of birth must be no more than 25 years before the enquiry date",
        ),
        ({"given_name": "   "}, "given_name", "Enter the child&#x27;s first name"),
        ({"family_name": " "}, "family_name", "Enter the child&#x27;s last name"),
        ({"needs": ["sen", "made_up"]}, "needs", "Select needs from the list"),
        ({"papers": ["passport"]}, "papers", "Select papers received from the list"),
    ],
)
def test_enquiry_form_refuses_what_the_rules_refuse_with_a_govuk_error(
    client, users, change, field, message
):
    client.force_login(users["spoc"])
    response = client.post(reverse("enquiry_new"), {**ENQUIRY_FORM, **change})
    html = response.content.decode()
    assert response.status_code == 200
    # the summary links to the field, to the first box of a group of checkboxes (a group
    # has no element of its own to land on), or to a date's Day box
    anchor = {"needs": "id_needs_0", "papers": "id_papers_0"}.get(field, f"id_{field}")
    if field in ("enquiry_date", "date_of_birth"):
        anchor = f"id_{field}-day"
    assert "There is a problem" in html and f'href="#{anchor}"' in html
    assert f'id="{anchor}"' in html
    assert f'<p class="govuk-error-message" id="id_{field}-error">' in html
    assert html.count(message) == 2  # in the error summary and on the field
    assert Enquiry.objects.count() == 0


def test_spoc_records_an_enquiry_and_sees_it_on_the_worklist(client, users):
    client.force_login(users["spoc"])
    response = client.post(
        reverse("enquiry_new"),
        {
            "council": "derby",
            "cohort": "D",
            "given_name": "Robin",
            "family_name": "Example",
            "date_of_birth": "2012-04-02",
            "enquiry_date": "2024-01-15",
            "papers": ["chronology"],
        },
    )
    e = Enquiry.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{e.enquiry_id}/")
    html = client.get(reverse("enquiry_list")).content.decode()
    assert e.enquiry_id in html
    # a next step and its owner start their cells with a capital letter
    assert '<td class="govuk-table__cell">Send papers: ' in html
    assert '<td class="govuk-table__cell">Social worker</td>' in html
    client.force_login(users["spoc_nottingham"])
    assert e.enquiry_id not in client.get(reverse("enquiry_list")).content.decode()
    assert client.get(reverse("enquiry_detail", args=[e.enquiry_id])).status_code == 404


def test_spoc_cannot_record_for_another_council(client, users):
    client.force_login(users["spoc"])
    client.post(
        reverse("enquiry_new"),
        {
            "council": "nottingham",
            "cohort": "D",
            "given_name": "R",
            "family_name": "E",
            "date_of_birth": "2012-04-02",
            "enquiry_date": "2024-01-15",
        },
    )
    assert Enquiry.objects.count() == 0


def test_worklist_and_referral_list_run_a_bounded_number_of_queries(
    client, users, django_assert_max_num_queries
):
    for i in range(60):
        record(on=D(2023, 1, 2) + dt.timedelta(days=i))
    client.force_login(users["spoc"])
    # 13: one of them counts the user's unread notifications, for the bar at the top; the
    # enquiry list also counts its enquiries and the stuck ones in the database (it reads
    # only the page shown: tests/referrals/test_list_paging.py)
    with django_assert_max_num_queries(14):
        client.get(reverse("enquiry_list"))
    with django_assert_max_num_queries(13):
        client.get(reverse("referral_list"))


def test_accepting_moves_the_targets_page_by_one(client, users):
    e = record(on=D(2022, 6, 1))
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2022, 6, 10))
    client.force_login(users["commissioner"])
    url = reverse("targets") + "?as_of=2022-12-31"
    before = client.get(url).context["by_council"][0].actual
    client.force_login(users["provider_manager"])
    client.post(
        reverse("enquiry_accept", args=[e.enquiry_id]),
        {
            "referral_date": "2022-06-20",
            "cohort": "B",
            "funding": "sib",
            "key_worker": "",
        },
    )
    assert Referral.objects.filter(enquiry=e).exists()
    client.force_login(users["commissioner"])
    assert client.get(url).context["by_council"][0].actual == before + 1


def test_profile_pdf_is_a_pdf_and_is_audited(client, users):
    from stars.core.models import AccessLog

    e = record()
    services.profile_save(
        enquiry=e,
        known_as="Sam",
        enjoys="football",
        good_at="drawing",
        what_helps="routine",
        hopes="a family",
    )
    client.force_login(users["spoc"])
    response = client.get(reverse("enquiry_profile_pdf", args=[e.enquiry_id]))
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(action="export", object_id=e.enquiry_id).exists()


@time_machine.travel(dt.datetime(2023, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_a_decision_a_consent_call_or_an_acceptance_dated_after_today_is_refused(
    client, contract, users
):
    """A meeting's decision, a consent call and an acceptance dated next year were saved (the
    referral counted from a day to come); each is refused on its own field, nothing saved."""
    e = record(on=D(2023, 2, 1))
    with pytest.raises(PipelineError) as err:
        services.enquiry_decide(enquiry=e, decision="progressed", on=D(2023, 3, 11))
    assert err.value.field == "decision_date"
    e.refresh_from_db()
    assert e.decision == "pending" and e.decision_date is None
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2023, 3, 10))
    kw = {"enquiry": e, "spoke_to": "mother", "outcome": "agreed", "by": users["provider_manager"]}
    with pytest.raises(PipelineError) as err:
        services.consent_call_record(on=D(2024, 1, 1), **kw)
    assert err.value.field == "call_date" and not e.consent_calls.exists()
    services.consent_call_record(on=D(2023, 3, 10), **kw)
    client.force_login(users["provider_manager"])
    url = reverse("enquiry_accept", args=[e.enquiry_id])
    typed = {"referral_date-day": "5", "referral_date-month": "1", "referral_date-year": "2024"}
    response = client.post(url, {**typed, "cohort": "B", "funding": "sib"})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_referral_date-day"' in html
    assert "Date accepted must be today or in the past" in html
    assert typed_date(html, "referral_date") == ("5", "1", "2024")
    assert Referral.objects.count() == 0
    response = client.post(url, {"referral_date": "2023-03-10", "cohort": "B", "funding": "sib"})
    assert response.status_code == 302 and Referral.objects.count() == 1


def test_papers_saved_from_two_tabs_at_once_keep_both(client, users):
    """Two tabs open on "Papers received": one ticked the education plan and saved, then the
    other ticked the chronology and saved, and the education plan was lost (the second form
    still showed it unticked). What each form ticked and unticked is applied to the papers
    as they are when it is saved."""
    e = record(on=D(2023, 2, 1), papers=["care_plan"])
    client.force_login(users["spoc"])
    url = reverse("enquiry_papers", args=[e.enquiry_id])
    page = client.get(url).content.decode()
    assert 'name="shown" value="care_plan"' in page
    shown = "care_plan"
    client.post(url, {"shown": shown, "papers": ["care_plan", "education_plan"]})
    client.post(url, {"shown": shown, "papers": ["care_plan", "chronology"]})
    e.refresh_from_db()
    assert e.papers == ["care_plan", "chronology", "education_plan"]
    client.post(url, {"shown": " ".join(e.papers), "papers": ["chronology", "education_plan"]})
    e.refresh_from_db()
    assert e.papers == ["chronology", "education_plan"]  # unticking still removes


def test_a_consent_call_sent_again_is_not_recorded_twice(client, users):
    e = record(on=D(2023, 2, 1))
    client.force_login(users["provider_manager"])
    url = reverse("enquiry_consent", args=[e.enquiry_id])
    data = {"call_date": "2023-02-03", "spoke_to": "mother", "outcome": "agreed"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)  # the back button, then the button again
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_call_date-day"' in html
    assert "already recorded on this date" in html and e.consent_calls.count() == 1
    for _ in range(2):  # each unanswered call is an attempt of its own
        client.post(url, {**data, "outcome": "no_answer"})
    assert e.consent_calls.count() == 3


@time_machine.travel(dt.datetime(2023, 3, 10, 12, tzinfo=dt.UTC), tick=False)
def test_a_match_attempt_out_of_its_dates_or_sent_again_is_refused(client, users):
    """A profile "shared" next year or before the enquiry, or the same attempt sent twice,
    was saved (the waiting list's latest attempt and days waiting followed it)."""
    e = record(on=D(2023, 2, 1))
    client.force_login(users["spoc"])
    url = reverse("enquiry_match", args=[e.enquiry_id])
    data = {"agency": "Agency 1", "household_ref": "H-1", "outcome": "shared"}
    for day, message in [
        (("10", "3", "2024"), "Date the profile was shared must be today or in the past"),
        (("31", "1", "2023"), "The profile cannot be shared before the enquiry date"),
    ]:
        typed = dict(zip(("shared_on-day", "shared_on-month", "shared_on-year"), day, strict=True))
        response = client.post(url, {**data, **typed})
        html = response.content.decode()
        assert response.status_code == 200 and 'href="#id_shared_on-day"' in html
        assert message in html and typed_date(html, "shared_on") == day
        assert not e.matches.exists()
    assert client.post(url, {**data, "shared_on": "2023-03-01"}).status_code == 302
    response = client.post(url, {**data, "shared_on": "2023-03-01"})
    assert "already recorded" in response.content.decode() and e.matches.count() == 1
    assert client.post(url, {**data, "shared_on": "2023-03-01", "outcome": "interested"})
    assert e.matches.count() == 2  # the carer's reply is a step of its own


def test_a_profile_saved_in_another_tab_meanwhile_is_not_overwritten_unseen(client, users):
    """Two people (or tabs) with the profile open: the second save replaced the first's text
    without a word. It is now refused with the second's text kept, and saving again (having
    been told) replaces it."""
    e = record(on=D(2023, 2, 1))
    client.force_login(users["spoc"])
    url = reverse("enquiry_profile", args=[e.enquiry_id])
    shown = re.search(r'name="shown" value="([^"]*)"', client.get(url).content.decode())
    assert shown is not None
    mine = {"known_as": "Sam", "enjoys": "Football", "good_at": "Maths"}
    mine |= {"what_helps": "Routine", "hopes": "A family", "shown": shown.group(1)}
    assert client.post(url, mine).status_code == 302
    theirs = {**mine, "enjoys": "Drawing"}
    response = client.post(url, theirs)
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this profile" in html
    assert "Drawing" in html
    e.refresh_from_db()
    assert e.profile.enjoys == "Football"
    again = re.search(r'name="shown" value="([^"]*)"', html)
    assert again is not None and again.group(1) != shown.group(1)
    assert client.post(url, {**theirs, "shown": again.group(1)}).status_code == 302
    e.refresh_from_db()
    assert e.profile.enjoys == "Drawing"


def _on(day: dt.date):
    """Steps recorded on ``day`` (the service's own day), at noon."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False)


def test_a_backdated_step_counts_as_activity_on_the_day_it_is_recorded(contract, users):
    """A decision recorded today but dated last month moved the enquiry's last activity back
    a month, so the worklist flagged it stuck (and notify-due told the SPOC) the moment the
    work was done. Its last activity is the later of the step's date and the day it was
    recorded, and a step dated earlier than the last one never moves it back."""
    from stars.cases.notices import notify_due
    from stars.referrals.selectors import worklist

    with _on(D(2023, 1, 9)):
        e = record(on=D(2023, 1, 9), papers=["care_plan", "education_plan", "chronology"])
    with _on(D(2023, 3, 10)):  # the meeting of 10 January, recorded two months later
        services.enquiry_decide(enquiry=e, decision="waiting_list", on=D(2023, 1, 10))
    e.refresh_from_db()
    assert e.last_activity == D(2023, 3, 10)
    (item,) = worklist(users["spoc"], D(2023, 3, 10))
    assert not item.stuck and item.days_waiting == 44  # waiting since the enquiry, still
    assert notify_due(D(2023, 3, 10))["enquiry_stuck"] == 0
    with _on(D(2023, 3, 20)):  # a match attempt of 1 March, recorded later still
        services.match_record(
            enquiry=e, agency="Agency 1", household_ref="H-1", shared_on=D(2023, 3, 1)
        )
    e.refresh_from_db()
    assert e.last_activity == D(2023, 3, 20)
    # ten working days after the last work recorded, and no step since: stuck, as before
    (item,) = worklist(users["spoc"], D(2023, 4, 6))
    assert item.stuck


def test_guaranteed_funding_is_refused_for_a_referral_accepted_before_it_began(
    client, contract, users
):
    # DN2's guaranteed funding began on 2021-04-01 ([guaranteed_funding] from): the tracker
    # import refuses a guaranteed referral dated before it, so the page must not make one
    e = record(on=D(2021, 2, 1))
    services.enquiry_decide(enquiry=e, decision="progressed", on=D(2021, 2, 20))
    services.guaranteed_funding_approve(enquiry=e, by=users["commissioner"], on=D(2021, 2, 22))
    with pytest.raises(PipelineError) as err:
        services.referral_accept(enquiry=e, on=D(2021, 3, 31), funding="guaranteed")
    assert err.value.field == "funding"
    assert "starts on 1 April 2021" in err.value.message
    client.force_login(users["provider_manager"])
    url = reverse("enquiry_accept", args=[e.enquiry_id])
    form = {"referral_date": "2021-03-31", "cohort": "B", "funding": "guaranteed"}
    html = client.post(url, form).content.decode()
    assert "Guaranteed funding starts on 1 April 2021" in html and 'href="#id_funding' in html
    assert Referral.objects.count() == 0
    response = client.post(url, {**form, "referral_date": "2021-04-01"})
    assert response.status_code == 302
    r = Referral.objects.get()
    assert (r.funding, r.referral_date) == ("guaranteed", D(2021, 4, 1))


def test_the_enquiry_page_says_why_no_consent_call_is_needed(client, contract, users):
    """A contract without consent calls said every enquiry was "before the contract's
    consent-call start", a date it does not have."""
    client.force_login(users["spoc"])
    before, after = record(on=D(2022, 10, 3)), record(on=D(2022, 11, 1), dob=D(2010, 7, 1))

    def consent_row(e):
        html = client.get(reverse("enquiry_detail", args=[e.enquiry_id])).content.decode()
        return re.search(r"Consent call</dt><dd[^>]*>([^<]*)", html).group(1).strip()

    assert consent_row(before) == (
        "Not required (enquiry before the contract's consent calls began on 1 November 2022)."
    )
    assert consent_row(after) == "Required."
    without = CONTRACT.read_text().replace("consent_call_start = 2022-11-01\n", "")
    assert without != CONTRACT.read_text()
    contract_load(text=without, source="dn2-stars.toml")
    assert consent_row(after) == "Not required by this contract."


def test_an_enquiry_closed_at_its_meeting_offers_no_consent_call_or_acceptance(
    client, users, contract
):
    """Steps the rules would refuse are not offered: a withdrawn enquiry's page listed
    "Record a consent call" and "Accept as a referral"; acceptance waits for progress."""
    closed, progressed = record(on=D(2022, 6, 1)), record(on=D(2022, 6, 2), dob=D(2011, 6, 1))
    services.enquiry_decide(enquiry=closed, decision="withdrawn", on=D(2022, 6, 10), reason="Moved")
    services.enquiry_decide(enquiry=progressed, decision="progressed", on=D(2022, 6, 10))
    client.force_login(users["provider_manager"])
    html = client.get(reverse("enquiry_detail", args=[closed.enquiry_id])).content.decode()
    assert "Record the meeting&#x27;s decision" in html
    assert "Record a consent call" not in html and "Accept as a referral" not in html
    html = client.get(reverse("enquiry_detail", args=[progressed.enquiry_id])).content.decode()
    assert "Record a consent call" in html and "Accept as a referral" in html


def test_a_closed_enquiry_shows_no_consent_call_pending(client, contract, users):
    """An enquiry withdrawn at its meeting still said "Consent call: Required.", a step
    nobody owes: a closed enquiry shows none pending (an open one still needs its call)."""
    client.force_login(users["provider_manager"])
    closed, open_ = record(on=D(2022, 11, 1)), record(on=D(2022, 11, 2), dob=D(2010, 7, 1))
    services.enquiry_decide(
        enquiry=closed, decision="withdrawn", on=D(2022, 11, 10), reason="Moved"
    )

    def consent_row(e):
        html = client.get(reverse("enquiry_detail", args=[e.enquiry_id])).content.decode()
        return re.search(r"Consent call</dt><dd[^>]*>([^<]*)", html).group(1).strip()

    assert consent_row(closed) == "None pending: the enquiry is closed."
    assert consent_row(open_) == "Required."
