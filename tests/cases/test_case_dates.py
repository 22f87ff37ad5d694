"""The caseload's stored dates (``CaseDates``): each case's latest meeting, assessment and
term start, as its rows hold them after every way those rows are saved, so what the
caseload shows as due is what the rows make due."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.models import Max
from rich.console import Console

from stars.cases import record
from stars.cases.models import CaseDates, ProgressMeeting
from stars.cases.selectors import caseload
from stars.demo.case_records import load_demo
from stars.domain.measures import due_items
from stars.referrals.models import Referral
from tests.conftest import make_referral

D = dt.date
pytestmark = pytest.mark.django_db


def _from_rows(r: Referral) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    return (
        r.meetings.aggregate(d=Max("date"))["d"],
        r.assessments.aggregate(d=Max("date"))["d"],
        r.attendance.aggregate(d=Max("start_date"))["d"],
    )


def _stored(r: Referral) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    d = CaseDates.objects.filter(referral=r).first()
    return (d.last_meeting, d.last_assessment, d.last_term) if d else (None, None, None)


def _due_shown(user, r: Referral):
    return next(row.due for row in caseload(user) if row.referral.pk == r.pk)


def test_recording_a_meeting_assessment_or_term_moves_what_is_due(users, instruments):
    case = make_referral("R-DER", "derby", key_worker=users["key_worker"])
    kw = users["key_worker"]
    assert _stored(case) == (None, None, None)
    record.meeting_record(referral=case, on=D(2022, 3, 1), attendees=["therapist"])
    record.meeting_record(referral=case, on=D(2022, 2, 1), attendees=["therapist"])  # older
    yp = instruments[0]
    scores = {a.pk: yp.scale_min for a in yp.areas.all()}
    record.assessment_record(referral=case, instrument=yp, on=D(2022, 4, 2), scores=scores)
    record.attendance_record(
        referral=case, term="summer 2022", start_date=D(2022, 4, 19), possible=100, attended=90
    )
    record.attendance_record(
        referral=case, term="spring 2022", start_date=D(2022, 1, 4), possible=100, attended=90
    )
    assert _stored(case) == _from_rows(case) == (D(2022, 3, 1), D(2022, 4, 2), D(2022, 4, 19))
    expected = due_items(
        referral_date=case.referral_date,
        last_meeting=D(2022, 3, 1),
        last_assessment=D(2022, 4, 2),
        last_term_start=D(2022, 4, 19),
        meeting_every_weeks=6,
    )
    assert _due_shown(kw, case) == expected


def test_a_changed_or_deleted_row_is_stored_again_from_the_rows(users):
    case = make_referral("R-DER", "derby", key_worker=users["key_worker"])
    record.meeting_record(referral=case, on=D(2022, 2, 1), attendees=["therapist"])
    latest = record.meeting_record(referral=case, on=D(2022, 3, 1), attendees=["therapist"])
    latest.date = D(2022, 5, 9)
    latest.save()
    record.case_dates_refresh([case.pk])
    assert _stored(case)[0] == D(2022, 5, 9)
    latest.delete()
    record.case_dates_refresh([case.pk])
    assert _stored(case)[0] == D(2022, 2, 1)
    ProgressMeeting.objects.filter(referral=case).delete()
    record.case_dates_refresh([case.pk])
    assert _stored(case) == (None, None, None)
    assert _due_shown(users["key_worker"], case)[0].due == case.referral_date + dt.timedelta(
        days=42
    )
    case.delete()
    assert not CaseDates.objects.exists()


def test_the_demo_s_bulk_records_are_stored(users):
    refs = [
        make_referral("R-L", "derby", key_worker=users["key_worker"]),
        make_referral("R-G", "derby", status="graduated", end=dt.date(2024, 1, 8)),
        make_referral("R-E", "nottingham", status="closed_early", end=dt.date(2022, 9, 1)),
    ]
    load_demo(seed=7, console=Console(quiet=True))
    for r in refs:
        assert _stored(r) == _from_rows(r) and None not in _stored(r)


def test_the_migration_stores_the_dates_of_the_rows_already_there(users, instruments):
    case = make_referral("R-DER", "derby", key_worker=users["key_worker"])
    other = make_referral("R-NOT", "nottingham")
    record.meeting_record(referral=case, on=D(2022, 3, 1), attendees=["therapist"])
    record.attendance_record(
        referral=case, term="spring 2022", start_date=D(2022, 1, 4), possible=100, attended=90
    )
    CaseDates.objects.all().delete()
    migration = importlib.import_module("stars.cases.migrations.0005_case_dates")
    with connection.cursor() as cur:
        cur.execute(migration.FILL)
    assert _stored(case) == _from_rows(case) == (D(2022, 3, 1), None, D(2022, 1, 4))
    assert CaseDates.objects.filter(referral=other).exists()
    assert _stored(other) == (None, None, None)
