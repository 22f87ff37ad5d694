"""Services of the case record: their rules, errors naming the field, and what they write."""

from __future__ import annotations

import datetime as dt

import pytest

from stars.cases import record, services
from stars.cases.models import (
    AssessmentScore,
    AttendanceTerm,
    CaseClosure,
    CasePhase,
    ClosingSurvey,
    MeetingAction,
    OutcomePeriod,
)
from stars.cases.services import CaseError
from stars.referrals.models import Referral

D = dt.date


def _err(call) -> tuple[str, str]:
    with pytest.raises(CaseError) as exc:
        call()
    return exc.value.field, exc.value.message


# -- outcome periods ------------------------------------------------------------------------


def test_period_rules_name_the_field(case):
    assert (
        _err(lambda: services.outcome_period_record(referral=case, start_date=D(2022, 1, 1)))[0]
        == "start_date"
    )
    field, msg = _err(
        lambda: services.outcome_period_record(
            referral=case, start_date=D(2022, 2, 1), end_date=D(2022, 2, 1)
        )
    )
    assert field == "end_date" and "after the start" in msg
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 10), end_date=D(2022, 6, 1))
    field, msg = _err(
        lambda: services.outcome_period_record(referral=case, start_date=D(2022, 5, 1))
    )
    assert (field, msg) == (
        "start_date",
        "overlaps the period from 10 January 2022 to 1 June 2022",
    )
    # dates in a message are written as GOV.UK writes them, never as 2022-01-10
    field, msg = _err(
        lambda: services.outcome_period_record(referral=case, start_date=D(2020, 1, 1))
    )
    assert msg == f"cannot be before the referral date ({case.referral_date:%-d %B %Y})"
    # touching (the end is exclusive) is not overlapping
    services.outcome_period_record(referral=case, start_date=D(2022, 6, 1))
    assert case.periods.count() == 2


def test_a_breakdown_ends_the_period_and_a_move_starts_a_new_one_keeping_the_case_open(case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    old, new = services.outcome_period_end(
        referral=case, end_date=D(2022, 9, 1), reason="move", new_start=D(2022, 9, 3)
    )
    assert old.end_date == D(2022, 9, 1) and "Moved" in old.note
    assert new is not None and new.start_date == D(2022, 9, 3) and new.end_date is None
    case.refresh_from_db()
    assert case.status == "live" and case.end_date is None
    ended, none = services.outcome_period_end(
        referral=case, end_date=D(2023, 2, 1), reason="breakdown"
    )
    assert none is None and ended.end_date == D(2023, 2, 1)
    case.refresh_from_db()
    assert case.status == "live"  # a breakdown alone does not close the case
    assert _err(
        lambda: services.outcome_period_end(referral=case, end_date=D(2023, 3, 1), reason="move")
    ) == ("end_date", "There is no continuing period to end")


def test_a_move_cannot_start_before_the_last_placement_ended(case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    assert (
        _err(
            lambda: services.outcome_period_end(
                referral=case, end_date=D(2022, 9, 1), reason="move", new_start=D(2022, 8, 1)
            )
        )[0]
        == "new_start"
    )
    assert OutcomePeriod.objects.get(referral=case).end_date is None  # nothing was written


# -- closure --------------------------------------------------------------------------------


def test_close_early_needs_a_contract_reason_and_a_narrative(case, users):
    assert (
        _err(lambda: services.case_close(referral=case, outcome="closed_early", on=D(2022, 8, 1)))[
            0
        ]
        == "reason"
    )
    assert (
        _err(
            lambda: services.case_close(
                referral=case, outcome="closed_early", on=D(2022, 8, 1), reason="consent_withdrawn"
            )
        )[0]
        == "narrative"
    )
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    services.case_close(
        referral=case,
        outcome="closed_early",
        on=D(2022, 8, 1),
        reason="consent_withdrawn",
        narrative="The family withdrew consent.",
        by=users["provider_manager"],
    )
    case.refresh_from_db()
    assert (case.status, case.end_date, case.closure_reason) == (
        "closed_early",
        D(2022, 8, 1),
        "consent_withdrawn",
    )
    assert case.periods.get().end_date == D(2022, 8, 1)  # the placement ends with support
    closure = CaseClosure.objects.get(referral=case)
    assert closure.narrative == "The family withdrew consent."
    assert closure.recorded_by == users["provider_manager"]
    assert (
        _err(lambda: services.case_close(referral=case, outcome="graduated", on=D(2024, 2, 1)))[0]
        == "outcome"
    )  # not live any more


def test_graduation_only_after_the_programme_weeks(case):
    field, msg = _err(
        lambda: services.case_close(referral=case, outcome="graduated", on=D(2023, 6, 1))
    )
    assert field == "end_date" and "104 weeks" in msg
    services.case_close(referral=case, outcome="graduated", on=D(2024, 1, 8))
    case.refresh_from_db()
    assert case.status == "graduated" and case.closure_reason == ""


def test_gf_complete_only_for_guaranteed_funding(case):
    assert (
        _err(lambda: services.case_close(referral=case, outcome="gf_complete", on=D(2022, 9, 1)))[0]
        == "outcome"
    )
    Referral.objects.filter(pk=case.pk).update(funding="guaranteed")
    case.refresh_from_db()
    assert (
        _err(lambda: services.case_close(referral=case, outcome="gf_complete", on=D(2022, 5, 1)))[0]
        == "end_date"
    )
    services.case_close(referral=case, outcome="gf_complete", on=D(2022, 7, 11))
    assert Referral.objects.get(pk=case.pk).status == "gf_complete"


def test_move_cohort_creates_a_linked_re_referral(case):
    assert (
        _err(lambda: services.case_move_cohort(referral=case, cohort="B", on=D(2022, 3, 1)))[0]
        == "cohort"
    )
    new = services.case_move_cohort(
        referral=case, cohort="A", on=D(2022, 3, 1), narrative="Escalated to residential."
    )
    case.refresh_from_db()
    assert new.enquiry is None and new.child == case.child and new.cohort == "A"
    assert new.referral_id != case.referral_id and new.status == "live"
    assert new.key_worker == case.key_worker
    assert case.status == "closed_early" and case.end_date == D(2022, 3, 1)
    assert CaseClosure.objects.get(referral=case).moved_to == new
    assert CasePhase.objects.get(referral=new).phase == "preparation"


# -- the record -----------------------------------------------------------------------------


def test_phases_move_forward(case):
    record.phase_change(referral=case, phase="preparation", on=D(2022, 1, 10))
    assert (
        _err(lambda: record.phase_change(referral=case, phase="preparation", on=D(2022, 2, 1)))[0]
        == "phase"
    )
    assert (
        _err(lambda: record.phase_change(referral=case, phase="stabilisation", on=D(2022, 1, 1)))[0]
        == "start_date"
    )
    record.phase_change(referral=case, phase="stabilisation", on=D(2022, 3, 1))
    assert list(case.phases.values_list("phase", flat=True)) == ["preparation", "stabilisation"]


def test_meeting_with_actions(case):
    m = record.meeting_record(
        referral=case,
        on=D(2022, 2, 20),
        attendees=["therapist", "key_worker", "foster_carer"],
        notes="Settling well.",
        actions=[("Book ATTUNE course", "Key worker", D(2022, 3, 1)), ("", "", D(2022, 3, 1))],
    )
    assert m.attendees == ["foster_carer", "key_worker", "therapist"]
    assert MeetingAction.objects.filter(meeting=m).count() == 1
    assert (
        _err(
            lambda: record.meeting_record(
                referral=case,
                on=D(2022, 4, 1),
                attendees=["therapist"],
                actions=[("X", "Y", D(2022, 3, 1))],
            )
        )[0]
        == "due_1"
    )
    assert (
        _err(lambda: record.meeting_record(referral=case, on=D(2022, 4, 1), attendees=[]))[0]
        == "attendees"
    )
    assert record.meeting_actions_done(referral=case, action_ids=[m.actions.get().pk]) == 1


def test_attendance_validation(case):
    assert (
        _err(
            lambda: record.attendance_record(
                referral=case,
                term="autumn 2022",
                start_date=D(2022, 9, 1),
                possible=100,
                attended=101,
            )
        )[0]
        == "attended_sessions"
    )
    assert (
        _err(
            lambda: record.attendance_record(
                referral=case, term="autumn 2022", start_date=D(2022, 9, 1), possible=0, attended=0
            )
        )[0]
        == "possible_sessions"
    )
    t = record.attendance_record(
        referral=case, term="autumn 2022", start_date=D(2022, 9, 1), possible=140, attended=126
    )
    assert t.band == "persistent" and round(t.rate, 2) == 0.9
    assert AttendanceTerm.objects.count() == 1


def test_assessment_scores_within_the_scale(case, instruments):
    yp, family = instruments
    areas = list(yp.areas.all())
    scores = {a.pk: 3 for a in areas}
    bad = {**scores, areas[2].pk: 6}
    field, msg = _err(
        lambda: record.assessment_record(referral=case, instrument=yp, on=D(2022, 2, 1), scores=bad)
    )
    assert field == f"area_{areas[2].pk}" and "1 to 5" in msg
    missing = {k: v for k, v in scores.items() if k != areas[0].pk}
    assert (
        _err(
            lambda: record.assessment_record(
                referral=case, instrument=yp, on=D(2022, 2, 1), scores=missing
            )
        )[0]
        == f"area_{areas[0].pk}"
    )
    a = record.assessment_record(referral=case, instrument=yp, on=D(2022, 2, 1), scores=scores)
    assert AssessmentScore.objects.filter(assessment=a).count() == 8
    fam_scores = {x.pk: 10 for x in family.areas.all()}
    record.assessment_record(referral=case, instrument=family, on=D(2022, 2, 1), scores=fam_scores)


def test_dated_records_lie_within_the_case(case):
    assert (
        _err(lambda: record.measure_record(referral=case, on=D(2021, 1, 1), kind="offence"))[0]
        == "date"
    )
    assert (
        _err(lambda: record.measure_record(referral=case, on=D(2022, 3, 1), kind="burglary"))[0]
        == "kind"
    )
    assert (
        _err(
            lambda: record.intervention_record(
                referral=case, kind="attune", start_date=D(2022, 3, 1), end_date=D(2022, 2, 1)
            )
        )[0]
        == "end_date"
    )
    assert (
        _err(
            lambda: record.team_member_add(
                referral=case, role="therapist", name=" ", on=D(2022, 3, 1)
            )
        )[0]
        == "name"
    )


def test_survey_answers_on_the_respondents_scale(case):
    assert (
        _err(
            lambda: record.survey_record(
                referral=case, respondent="professional", on=D(2024, 1, 1), answers={"staff": "all"}
            )
        )[0]
        == "staff"
    )
    record.survey_record(
        referral=case,
        respondent="professional",
        on=D(2024, 1, 1),
        answers={"staff": "strongly_agree", "communication": ""},
    )
    record.survey_record(
        referral=case,
        respondent="parent_carer",
        on=D(2024, 1, 1),
        answers={q: "all" for q in ("expectations_met", "staff")},
    )
    assert ClosingSurvey.objects.count() == 3


def test_changes_keep_their_history(case):
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    services.outcome_period_end(referral=case, end_date=D(2022, 5, 1), reason="breakdown")
    period = case.periods.get()
    assert [h.history_type for h in period.history.order_by("history_id")] == ["+", "~"]
    services.case_close(
        referral=case,
        outcome="closed_early",
        on=D(2022, 6, 1),
        reason="placement_breakdown",
        narrative="Broke down.",
    )
    assert case.history.first().status == "closed_early"
    assert CaseClosure.objects.get(referral=case).history.count() == 1


def test_a_move_of_a_child_at_home_or_out_of_care_is_to_another_home_not_a_foster_placement(
    case, client, users
):
    # cohort B is paid for a foster placement; cohort D for the child staying out of care
    services.outcome_period_record(referral=case, start_date=D(2022, 1, 12))
    old, new = services.outcome_period_end(referral=case, end_date=D(2022, 9, 1), reason="move")
    assert old.note == "Moved to another foster placement (the case stays open)"
    assert new is not None and new.note == "New foster placement"

    Referral.objects.filter(pk=case.pk).update(cohort="D")
    case.refresh_from_db()
    old, new = services.outcome_period_end(referral=case, end_date=D(2022, 10, 3), reason="move")
    assert old.note == "New foster placement; Moved to another home (the case stays open)"
    assert new is not None and new.note == "New home"
    assert _err(
        lambda: services.outcome_period_end(
            referral=case, end_date=D(2022, 11, 1), reason="breakdown", new_start=D(2022, 11, 2)
        )
    ) == ("new_start", "is for a move to another home: choose that reason, or leave it blank")

    client.force_login(users["key_worker"])
    page = client.get(f"/cases/{case.referral_id}/period/end/").content.decode()
    assert "A move to another home ends it" in page and "foster" not in page
    assert "Moved to another home (the case stays open)" in page
    assert "Moved to the new home on" in page
