"""The caseload filters, sorts, counts and pages in the database: what is due, counted by
the database, agrees with the due rules, and a page costs the same number of queries
however many cases there are."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stars.cases import record
from stars.cases.models import CaseDates
from stars.cases.selectors import (
    caseload,
    caseload_listed,
    caseload_records,
    caseload_summary,
    due_soonest,
    due_soonest_sql,
)
from stars.domain.measures import DUE_THIS_WEEK, OVERDUE
from stars.referrals.models import Referral
from tests.conftest import make_referral

pytestmark = pytest.mark.django_db


def cases(users, n, start=0):
    """``n`` live cases of the key worker, referred a week apart, one meeting in three
    recorded on a different day (so some are overdue, some due this week, some not)."""
    today = timezone.localdate()
    for i in range(start, start + n):
        r = make_referral(f"R-P{i:03}", "derby", key_worker=users["key_worker"])
        Referral.objects.filter(pk=r.pk).update(referral_date=today - dt.timedelta(days=7 * i))
        if i % 3 == 0:
            record.meeting_record(
                referral=r, on=today - dt.timedelta(days=(5 * i) % 60), attendees=["therapist"]
            )


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_caseload_costs_the_same_queries_for_10_or_70_cases(client, users):
    client.force_login(users["provider_manager"])
    urls = [
        reverse("case_caseload"),
        reverse("case_caseload") + "?due=overdue&sort=oldest&page=2",
        reverse("case_caseload") + "?sort=due",
    ]
    cases(users, 10)
    few = [len(queries(client, u)) for u in urls]
    cases(users, 60, start=10)
    many = {u: queries(client, u) for u in urls}
    assert [len(q) for q in many.values()] == few
    for sql in many.values():  # the cases' rows (not counts) are read a page at a time
        reads = [q for q in sql if '"referrals_referral"."status"' in q.split(" FROM ")[0]]
        assert reads and all(" LIMIT " in q or " IN (" in q for q in reads)


def test_what_is_due_filtered_and_counted_by_the_database_agrees_with_the_rules(client, users):
    cases(users, 70)
    today = timezone.localdate()
    rows = caseload(users["key_worker"])
    client.force_login(users["key_worker"])
    for state in (OVERDUE, DUE_THIS_WEEK):
        expected = [  # newest first
            r.referral.referral_id
            for r in reversed(rows)
            if any(d.state(today) == state for d in r.due)
        ]
        page = client.get(reverse("case_caseload"), {"due": state}).context
        assert page["total"] == len(expected) > 0
        assert [r.referral.referral_id for r in page["rows"]] == expected[:50]
    page = client.get(reverse("case_caseload")).context
    assert page["total"] == 70
    assert page["overdue"] == sum(1 for r in rows if r.overdue(today))
    soonest = sorted(rows, key=lambda r: (min(d.due for d in r.due), r.referral.referral_id))
    by_due = client.get(reverse("case_caseload"), {"sort": "due", "page": "2"}).context
    assert [r.referral.referral_id for r in by_due["rows"]] == [
        r.referral.referral_id for r in soonest[50:]
    ]
    summary = caseload_summary(users["admin"], today)
    (load,) = [x for x in summary if x.key_worker == users["key_worker"]]
    assert load.live == 70
    assert load.overdue == sum(1 for r in rows if any(d.state(today) == OVERDUE for d in r.due))
    assert load.due_this_week == sum(
        1
        for r in rows
        if any(d.state(today) == DUE_THIS_WEEK for d in r.due)
        and not any(d.state(today) == OVERDUE for d in r.due)
    )


def test_the_caseload_s_counts_are_worked_out_once_per_version_of_the_case_records(client, users):
    """Each key worker's load and the overdue count look up every live case's latest
    dates: counted once per version of the records, and again after any change."""
    cases(users, 12)
    client.force_login(users["provider_manager"])
    url = reverse("case_caseload")

    def counting(sql):  # the queries that read the cases' stored dates to count them
        return [q for q in sql if "COUNT(" in q and '"cases_casedates"."last_meeting"' in q]

    first = queries(client, url)
    assert len(counting(first)) == 2  # the overdue count and each key worker's load
    again = queries(client, url)
    assert counting(again) == []  # from the cache
    today = timezone.localdate()
    for r in caseload(users["key_worker"]):  # every case's meeting held today
        if not r.referral.meetings.filter(date=today).exists():
            record.meeting_record(referral=r.referral, on=today, attendees=["therapist"])
    assert len(counting(queries(client, url))) == 2  # a new version: counted anew
    rows = caseload(users["key_worker"])
    assert client.get(url).context["overdue"] == sum(1 for r in rows if r.overdue(today))


def test_the_caseload_reads_each_case_s_stored_dates_not_its_rows(users):
    """The caseload filters, counts and sorts by the dates stored on each case: its query
    joins them once, and looks up no meeting, assessment or term of any case."""
    cases(users, 3)
    sql = str(caseload_records(users["provider_manager"]).query)
    assert "cases_casedates" in sql
    for table in ("cases_progressmeeting", "cases_assessment", "cases_attendanceterm"):
        assert table not in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.django_db
def test_each_case_s_latest_dates_are_one_index_entry_each(users):
    """The dates stored for the caseload (the latest meeting, assessment and school term of
    a case) are each read from a (case, date) index, newest first: one entry a case, not
    every meeting of it sorted."""
    cases(users, 3)
    with connection.cursor() as cursor:  # the test's tables are tiny: make a scan dearer
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = record.case_dates_from_rows(
        list(Referral.objects.values_list("pk", flat=True))
    ).explain()
    for index in ("meeting_latest", "assessment_latest", "term_latest"):
        assert index in plan, plan


# Dates where the due rules turn: month ends (a review three months on is clamped to a
# shorter month), leap days, and the days around each term start.
EDGES = [
    dt.date(y, m, d)
    for y in (2023, 2024)
    for m, d in ((1, 1), (1, 31), (2, 28), (3, 31), (4, 14), (4, 15), (4, 16), (5, 31))
    + ((8, 31), (9, 1), (9, 2), (10, 31), (11, 29), (11, 30), (12, 30), (12, 31))
] + [dt.date(2024, 2, 29), dt.date(2023, 11, 30), dt.date(2024, 11, 30)]


def test_sorted_by_what_is_due_the_database_s_order_is_the_rule_s(users):
    """Soonest due first is worked out and paged by the database: its date for each case is
    the rule's (``due_soonest``), over the dates where the rules turn, and its order is the
    rule's order (soonest due, then the referral id)."""
    rng = random.Random(14)
    for i in range(60):
        r = make_referral(f"R-S{i:03}", "derby", key_worker=users["key_worker"])
        Referral.objects.filter(pk=r.pk).update(referral_date=rng.choice(EDGES))
        if i % 4:  # some cases have nothing recorded: counted from the referral
            CaseDates.objects.create(
                referral=r,
                last_meeting=rng.choice([None, *EDGES]),
                last_assessment=rng.choice([None, *EDGES]),
                last_term=rng.choice([None, *EDGES]),
            )
    user = users["provider_manager"]
    records = caseload_records(user).annotate(soonest=due_soonest_sql())
    rule = {}
    for pk, rid, m, r, t, soonest in records.values_list(
        "pk", "referral_id", "meeting_from", "review_from", "term_from", "soonest"
    ):
        rule[pk] = (due_soonest(m, r, t), rid)
        assert soonest == due_soonest(m, r, t), (rid, m, r, t)
    listed = caseload_listed(user, timezone.localdate(), sort="due")
    assert listed.count() == 60
    shown = listed[0:50] + listed[50:100]  # two pages, each cut by the database
    assert [row.referral.pk for row in shown] == sorted(rule, key=rule.__getitem__)
