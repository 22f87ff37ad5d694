"""Referrals after the contract's referral period are refused on the pages; an enquiry dated
after it is recorded with a warning (docs/decisions/0013-referrals-after-the-referral-period.md).
DN2 STARS's referral period ended on 31 March 2025."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from stars.cases.notices import notify_due
from stars.notifications.models import Notification
from stars.partnership.models import Council
from stars.referrals import services
from stars.referrals.models import Enquiry, Referral
from stars.referrals.selectors import (
    after_referral_period,
    open_enquiries,
    stuck_filter,
    waiting_on,
    work_items,
    worklist_council_side,
)
from stars.referrals.services import PipelineError
from stars.tracker.files import TrackerRejected
from tests.live_http import typed_date
from tests.referrals.test_import import load, write_programme

D = dt.date
END = D(2025, 3, 31)
LATE = (
    "Date accepted must be on or before 31 March 2025, when the contract&#x27;s referral period "
    "ended: the contract pays only for referrals made within it "
    "(a contract variation can extend the period)"
)


def recorded(on):
    return services.enquiry_record(
        council=Council.objects.get(code="derby"),
        cohort="B",
        given_name="Sam",
        family_name="Synthetic",
        date_of_birth=D(2012, 6, 1),
        enquiry_date=on,
    )


def progressed(users, on=D(2025, 3, 3)):
    e = recorded(on)
    services.enquiry_decide(enquiry=e, decision="progressed", on=on)
    services.consent_call_record(
        enquiry=e, on=on, spoke_to="mother", outcome="agreed", by=users["provider_manager"]
    )
    return e


@time_machine.travel(dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC), tick=False)
def test_a_referral_on_the_last_day_of_the_period_is_accepted_the_day_after_refused(users):
    late, last = progressed(users), progressed(users)
    with pytest.raises(PipelineError) as err:
        services.referral_accept(enquiry=late, on=END + dt.timedelta(days=1))
    assert err.value.field == "referral_date"
    assert "on or before 31 March 2025" in err.value.message
    assert "a contract variation can extend the period" in err.value.message
    assert Referral.objects.count() == 0
    assert services.referral_accept(enquiry=last, on=END).referral_date == END


@time_machine.travel(dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC), tick=False)
def test_the_accept_page_refuses_a_date_after_the_period_on_the_date_field(client, users):
    e = progressed(users)
    client.force_login(users["provider_manager"])
    url = reverse("enquiry_accept", args=[e.enquiry_id])
    typed = {"referral_date-day": "1", "referral_date-month": "4", "referral_date-year": "2025"}
    response = client.post(url, {**typed, "cohort": "B", "funding": "sib"})
    html = response.content.decode()
    assert response.status_code == 200 and 'href="#id_referral_date-day"' in html
    assert html.count(LATE) == 2  # the error summary and the field's own message
    assert typed_date(html, "referral_date") == ("1", "4", "2025")
    assert Referral.objects.count() == 0
    typed["referral_date-month"], typed["referral_date-day"] = "3", "31"
    response = client.post(url, {**typed, "cohort": "B", "funding": "sib"})
    assert response.status_code == 302 and Referral.objects.get().referral_date == END


@time_machine.travel(dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC), tick=False)
def test_a_re_referral_after_the_period_is_refused(users):
    first = services.referral_accept(enquiry=progressed(users), on=D(2025, 3, 10))
    with pytest.raises(PipelineError) as err:
        services.referral_rerefer(
            referral=first, on=D(2025, 4, 1), cohort="A", reason="cohort_move"
        )
    assert err.value.field == "referral_date" and Referral.objects.count() == 1
    first.refresh_from_db()
    assert first.status == "live"  # the refused move closed nothing
    services.referral_rerefer(referral=first, on=END, cohort="A", reason="cohort_move")
    assert Referral.objects.count() == 2


@time_machine.travel(dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC), tick=False)
def test_an_enquiry_after_the_period_is_recorded_with_a_warning_and_no_accept_step(client, users):
    after = progressed(users, on=D(2025, 4, 1))
    within = progressed(users, on=END)
    client.force_login(users["provider_manager"])
    html = client.get(reverse("enquiry_detail", args=[after.enquiry_id])).content.decode()
    assert 'data-testid="after-referral-period"' in html
    assert (
        "This enquiry is dated after 31 March 2025, when the contract&#x27;s referral period "
        "ended: it cannot be accepted as a referral, so it earns no outcome payment, unless a "
        "contract variation extends the period." in html
    )
    assert reverse("enquiry_accept", args=[after.enquiry_id]) not in html
    assert "referral-period-ended" not in html  # the warning above says it all
    html = client.get(reverse("enquiry_detail", args=[within.enquiry_id])).content.decode()
    assert "after-referral-period" not in html
    assert reverse("enquiry_accept", args=[within.enquiry_id]) in html
    # looked at after the period ended: the acceptance must be dated within it
    assert (
        "The contract&#x27;s referral period ended on 31 March 2025: a referral from this "
        "enquiry must be dated on or before it, as must the decision it follows (a contract "
        "variation can extend the period)." in html
    )


@time_machine.travel(dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC), tick=False)
def test_while_the_period_is_open_the_enquiry_page_warns_of_nothing(client, users):
    e = progressed(users, on=D(2025, 3, 3))
    client.force_login(users["provider_manager"])
    html = client.get(reverse("enquiry_detail", args=[e.enquiry_id])).content.decode()
    assert "referral-period-ended" not in html and "after-referral-period" not in html


def test_import_tracker_refuses_a_referral_after_the_period_naming_file_line_and_column(
    db, tmp_path
):
    paths = write_programme(tmp_path, n=20)
    lines = paths["referrals.csv"].read_text().splitlines()
    head = lines[0].split(",")
    cells = lines[3].split(",")
    cells[head.index("referral_date")] = "2025-04-01"
    lines[3] = ",".join(cells)
    paths["referrals.csv"].write_text("\n".join(lines) + "\n")
    with pytest.raises(TrackerRejected) as err:
        load(paths)
    assert (
        f"{paths['referrals.csv']}:4: column referral_date: 2025-04-01 is after the referral "
        "period's end 2025-03-31 ([programme] referral_period_end); expected on or before it"
    ) in "\n".join(err.value.lines)
    assert Referral.objects.count() == 0


# -- open enquiries dated after the period: closed, not chased as stuck ---------------------

SEPTEMBER = dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC)  # months after the period ended


def idle_since(e, day):
    """An open enquiry whose last step was on ``day`` (weeks ago: stuck, were it chased)."""
    Enquiry.objects.filter(pk=e.pk).update(last_activity=day)
    return e


def two_idle_enquiries(users):
    """Two open enquiries idle since April 2025: one dated after the period (pending, no
    papers: the council's step, were it within the period), one within it."""
    after = recorded(D(2025, 4, 1))
    return idle_since(after, D(2025, 4, 1)), idle_since(progressed(users), D(2025, 4, 1))


@time_machine.travel(SEPTEMBER, tick=False)
def test_an_open_enquiry_after_the_period_is_not_stuck_but_to_close_by_every_count(users):
    after, within = two_idle_enquiries(users)
    today = D(2025, 9, 1)
    items = {i.enquiry.pk: i for i in work_items(open_enquiries(users["admin"]), today)}
    assert items[within.pk].stuck and not items[within.pk].after_period
    late = items[after.pk]
    assert not late.stuck and late.after_period
    assert late.step.step == (
        "close it: dated after the referral period, it cannot become a referral"
    )
    assert late.step.provider_side and late.step.action == "decide"
    # the counts the database makes agree with the rule
    admin = open_enquiries(users["admin"])
    assert set(admin.filter(stuck_filter(today))) == {within}
    assert set(admin.filter(after_referral_period())) == {after}
    assert after in admin.filter(waiting_on("provider"))
    assert after not in admin.filter(waiting_on("council"))
    assert [i.enquiry for i in worklist_council_side(users["spoc"], today)] == []
    # notify-due chases the stuck one only
    assert notify_due(today)["enquiry_stuck"] == 1
    (told,) = Notification.objects.filter(event="enquiry_stuck")
    assert within.enquiry_id in told.title and told.user == users["provider_manager"]


@time_machine.travel(SEPTEMBER, tick=False)
def test_the_enquiry_list_counts_them_apart_and_closing_one_takes_it_off(client, users):
    after, within = two_idle_enquiries(users)
    client.force_login(users["provider_manager"])
    response = client.get(reverse("enquiry_list"))
    html = response.content.decode()
    assert response.context["stuck"] == 1 and response.context["after_period"] == 1
    assert "1 enquiry stuck" in html
    assert (
        "1 open enquiry is dated after 31 March 2025, when the contract's referral period "
        "ended: it cannot become a referral. Close it by recording the meeting's decision "
        "(withdrawn, criteria not met or not progressed)." in html
    )
    assert html.count("After the referral period</strong>") == 1
    listed = client.get(reverse("enquiry_list") + "?period=after").context["items"]
    assert [i.enquiry for i in listed] == [after]
    home = client.get("/").content.decode()
    assert "1 is dated after the referral period: it cannot become a referral" in home
    # closed the existing way, the meeting's decision: no longer open, nothing counted
    response = client.post(
        reverse("enquiry_decide", args=[after.enquiry_id]),
        {
            "decision": "not_progressed_other",
            "decision_date-day": "1",
            "decision_date-month": "9",
            "decision_date-year": "2025",
            "reason": "Dated after the referral period",
        },
    )
    assert response.status_code == 302
    response = client.get(reverse("enquiry_list"))
    assert response.context["after_period"] == 0
    assert "after-referral-period" not in response.content.decode()


def test_the_accept_form_offers_today_only_while_the_period_is_open(client, users):
    """Once the period has ended, today would be refused: the date is left for the user, the
    hint naming the last day; while it is open, today is offered."""
    e = progressed(users)
    client.force_login(users["provider_manager"])
    url = reverse("enquiry_accept", args=[e.enquiry_id])
    with time_machine.travel(dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC), tick=False):
        html = client.get(url).content.decode()
    assert typed_date(html, "referral_date") == ("", "", "")
    assert (
        "Support and the counting of weeks start here. The contract&#x27;s referral period ended "
        "on 31 March 2025: a referral from this enquiry must be dated on or before it"
    ) in html
    with time_machine.travel(dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC), tick=False):
        html = client.get(url).content.decode()
    assert typed_date(html, "referral_date") == ("31", "3", "2025")
    assert "referral period ended" not in html
