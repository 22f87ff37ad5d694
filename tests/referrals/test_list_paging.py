"""The enquiry list and the waiting list filter, sort, count and page in the database: the
filters the database applies agree with the pipeline's rules, and a page costs the same
number of queries however many enquiries there are."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stars.domain.pipeline import PAPERS
from stars.partnership.models import Council
from stars.referrals import services
from stars.referrals.models import Enquiry
from stars.referrals.selectors import (
    open_enquiries,
    stuck_filter,
    waiting_enquiries,
    waiting_on,
    work_items,
)

D = dt.date


def decided_that_day(e, decision="waiting_list"):
    """The meeting's decision, recorded on the day of the enquiry (its last activity)."""
    with time_machine.travel(dt.datetime.combine(e.enquiry_date, dt.time(12)), tick=False):
        return services.enquiry_decide(enquiry=e, decision=decision, on=e.enquiry_date)


def record(on, council="derby", papers=None, dob=D(2010, 6, 1)):
    return services.enquiry_record(
        council=Council.objects.get(code=council),
        cohort="B",
        given_name="Sam",
        family_name="Synthetic",
        date_of_birth=dob,
        enquiry_date=on,
        papers=papers,
    )


def every_kind_of_open_enquiry(users):
    """Pending with each set of papers, progressed with each consent outcome (before and
    after calls were required), and waiting for a match; last active over six weeks."""
    today = timezone.localdate()
    made = []
    for n in range(len(PAPERS) + 1):
        for papers in combinations(PAPERS, n):
            made.append(record(D(2023, 2, 1), papers=list(papers)))
    for outcome in (None, "agreed", "declined", "no_answer"):
        for on in (D(2022, 6, 1), D(2023, 2, 1)):
            e = record(on)
            services.enquiry_decide(enquiry=e, decision="progressed", on=on)
            if outcome:
                services.consent_call_record(
                    enquiry=e, on=on, spoke_to="carer", outcome=outcome, by=users["spoc"]
                )
            made.append(e)
    e = record(D(2023, 2, 1))
    services.enquiry_decide(enquiry=e, decision="waiting_list", on=D(2023, 2, 2))
    made.append(e)
    for i, e in enumerate(made):
        Enquiry.objects.filter(pk=e.pk).update(last_activity=today - dt.timedelta(days=2 * i))
    return made


def test_who_an_enquiry_waits_on_and_whether_it_is_stuck_agree_with_the_rules(contract, users):
    every_kind_of_open_enquiry(users)
    today = timezone.localdate()
    items = work_items(open_enquiries(users["admin"]), today)
    assert len(items) == 17
    for side in ("council", "provider"):
        in_db = set(open_enquiries(users["admin"]).filter(waiting_on(side)).values_list("pk"))
        by_rule = {(i.enquiry.pk,) for i in items if getattr(i.step, f"{side}_side")}
        assert in_db == by_rule and in_db
    stuck = set(open_enquiries(users["admin"]).filter(stuck_filter(today)).values_list("pk"))
    assert stuck == {(i.enquiry.pk,) for i in items if i.stuck}
    assert stuck and len(stuck) < len(items)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_enquiry_and_waiting_lists_cost_the_same_queries_for_10_or_70_enquiries(
    contract, users, client
):
    client.force_login(users["spoc"])
    urls = [
        reverse("enquiry_list"),
        reverse("enquiry_list") + "?waiting_on=council&stuck=yes&sort=newest&page=2",
        reverse("enquiry_waiting"),
    ]

    def add(n):
        for i in range(n):
            decided_that_day(record(D(2023, 1, 2) + dt.timedelta(days=i)))

    add(10)
    few = [len(queries(client, u)) for u in urls]
    add(60)
    many = {u: queries(client, u) for u in urls}
    assert [len(q) for q in many.values()] == few
    # the enquiries themselves (their rows, not counts) are read a page at a time
    for sql in many.values():
        reads = [q for q in sql if '"referrals_enquiry"."papers"' in q.split(" FROM ")[0]]
        assert reads and all(" LIMIT " in q for q in reads)


def test_the_enquiry_list_pages_filters_and_counts_the_stuck(contract, users, client):
    every_kind_of_open_enquiry(users)
    for i in range(60):
        record(timezone.localdate() - dt.timedelta(days=i), dob=D(2015, 6, 1))
    client.force_login(users["spoc"])
    first = client.get(reverse("enquiry_list"))
    assert first.context["page_obj"].paginator.count == 77
    assert len(first.context["items"]) == 50
    items = work_items(open_enquiries(users["spoc"]), timezone.localdate())
    assert first.context["stuck"] == sum(1 for i in items if i.stuck) > 0
    second = client.get(reverse("enquiry_list") + "?page=2&sort=newest")
    oldest_last = [i.enquiry.enquiry_id for i in reversed(items)][50:]
    assert [i.enquiry.enquiry_id for i in second.context["items"]] == oldest_last
    stuck = client.get(reverse("enquiry_list") + "?stuck=yes")
    stuck_ids = [i.enquiry.enquiry_id for i in items if i.stuck]
    assert stuck.context["page_obj"].paginator.count == len(stuck_ids)
    assert [i.enquiry.enquiry_id for i in stuck.context["items"]] == stuck_ids[:50]


def test_the_open_enquiries_are_found_without_reading_every_referral_or_child(contract, users):
    """The lists of open enquiries (the enquiry list, its counts, the waiting list) filter
    on each enquiry's ``accepted``, and leave restricted children's records out by the few
    restricted children's keys: no query joins every referral or every child."""
    every_kind_of_open_enquiry(users)
    for query in (open_enquiries(users["spoc"]).query, waiting_enquiries(users["spoc"]).query):
        sql = str(query)
        assert '"referrals_referral"' not in sql
        assert 'WHERE U0."restricted"' in sql and 'NOT ("referrals_child"."restricted")' not in sql


def counts(sql):
    """The queries that count enquiries or referrals."""
    return [
        q
        for q in sql
        if "COUNT(" in q.upper()
        and ('FROM "referrals_enquiry"' in q or 'FROM "referrals_referral"' in q)
    ]


def test_the_lists_are_counted_once_per_version_of_the_records(contract, users, client):
    """The enquiry list (and its stuck count), the waiting list and the referral list count
    their records once per version of them: another page, or the list opened again, counts
    nothing; a new enquiry is in the next count."""
    every_kind_of_open_enquiry(users)
    client.force_login(users["spoc"])
    urls = [reverse("enquiry_list"), reverse("enquiry_waiting"), reverse("referral_list")]
    first = [client.get(u).context["page_obj"].paginator.count for u in urls]
    stuck = client.get(urls[0]).context["stuck"]
    assert first[:2] == [17, 1] and stuck > 0
    for url in (urls[0] + "?page=2", urls[1], urls[2] + "?page=2"):
        assert not counts(queries(client, url))
    decided_that_day(record(D(2023, 1, 2)))
    again = [client.get(u).context["page_obj"].paginator.count for u in urls]
    assert again == [first[0] + 1, first[1] + 1, first[2]]
    assert client.get(urls[0]).context["stuck"] == stuck + 1  # waiting since 2023
    assert client.get(urls[0] + "?stuck=yes").context["page_obj"].paginator.count == stuck + 1
