"""The demo case records: synthetic, consistent with the referrals they describe."""

from __future__ import annotations

import datetime as dt

from rich.console import Console

from stars.cases.models import (
    AssessmentScore,
    CaseClosure,
    ClosingSurvey,
    ProgressMeeting,
    TeamMember,
)
from stars.demo.case_records import load_demo
from tests.conftest import make_referral


def test_demo_adds_a_record_to_every_case(users):
    live = make_referral("R-L", "derby", key_worker=users["key_worker"])
    grad = make_referral("R-G", "derby", status="graduated", end=dt.date(2024, 1, 8))
    early = make_referral("R-E", "nottingham", status="closed_early", end=dt.date(2022, 9, 1))
    early.closure_reason = "consent_withdrawn"
    early.save()
    load_demo(seed=7, console=Console(quiet=True))
    for r in (live, grad, early):
        assert r.phases.exists() and r.meetings.exists() and r.assessments.exists()
    assert TeamMember.objects.get(referral=live, role="key_worker").name == str(users["key_worker"])
    assert set(CaseClosure.objects.values_list("referral__referral_id", flat=True)) == {
        "R-G",
        "R-E",
    }
    assert ClosingSurvey.objects.filter(referral=grad).count() == 12
    assert not ClosingSurvey.objects.filter(referral=live).exists()
    assert AssessmentScore.objects.filter(score__lt=1).count() == 0
    yp_max = AssessmentScore.objects.filter(assessment__instrument__scale_max=5).order_by("-score")
    assert yp_max.first().score <= 5
    assert ProgressMeeting.objects.filter(referral=grad).first().history.count() == 1
    assert all(
        " " in m.name and m.name.split()[-1].isdigit()
        for m in TeamMember.objects.exclude(role="key_worker")
    )
