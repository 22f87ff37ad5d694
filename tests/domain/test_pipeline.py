"""The pipeline's pure rules: working days, next step, stuck flag, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.pipeline import (
    CLOSE_AFTER_PERIOD,
    EnquiryState,
    TargetLine,
    activity_after,
    enquiry_problems,
    funnel,
    is_stuck,
    name_key,
    next_step,
    projection_to,
    shortfall_penalty,
    stuck_before,
    working_days_between,
)

XMAS_2024 = {dt.date(2024, 12, 25), dt.date(2024, 12, 26), dt.date(2025, 1, 1)}


def test_working_days_skip_weekends_and_bank_holidays():
    # Mon 23 Dec 2024 -> Thu 2 Jan 2025: 24, 27, 30, 31 Dec and 2 Jan are working days
    assert working_days_between(dt.date(2024, 12, 23), dt.date(2025, 1, 2), XMAS_2024) == 5
    assert working_days_between(dt.date(2024, 12, 23), dt.date(2025, 1, 2), set()) == 8
    # Friday to Monday is one working day
    assert working_days_between(dt.date(2024, 3, 1), dt.date(2024, 3, 4), set()) == 1


@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
)
def test_working_days_add_up_and_match_a_day_by_day_count(start, a, b):
    mid, end = start + dt.timedelta(days=a), start + dt.timedelta(days=a + b)
    total = working_days_between(start, end, set())
    assert total == working_days_between(start, mid, set()) + working_days_between(mid, end, set())
    slow = sum(1 for i in range(1, a + b + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert total == slow


def state(**kw):
    base = dict(
        enquiry_date=dt.date(2023, 1, 9),
        decision="pending",
        papers=frozenset(),
        consent_required=True,
        consent_outcome=None,
        accepted=False,
        last_activity=dt.date(2023, 1, 9),
    )
    base.update(kw)
    return EnquiryState(**base)


def test_next_step_follows_the_pipeline():
    assert next_step(state()).owner == "social worker"
    assert "chronology" in next_step(state(papers=frozenset({"care_plan", "education_plan"}))).step
    full = frozenset({"care_plan", "education_plan", "chronology"})
    assert next_step(state(papers=full)).owner == "provider manager"
    assert "consent call" in next_step(state(papers=full, decision="progressed")).step
    assert next_step(state(decision="progressed", consent_outcome="agreed")).step == (
        "accept the referral"
    )
    assert next_step(state(decision="progressed", consent_required=False)).step == (
        "accept the referral"
    )
    match = next_step(state(decision="waiting_list"))
    assert "match" in match.step
    # the role as users name it, not the abbreviation
    assert match.owner == "council single point of contact and fostering agencies"
    assert match.council_side


def test_stuck_after_the_limit_of_working_days():
    s = state(last_activity=dt.date(2023, 1, 9))  # a Monday
    assert not is_stuck(s, dt.date(2023, 1, 23), set(), 10)  # exactly 10 working days
    assert is_stuck(s, dt.date(2023, 1, 24), set(), 10)
    assert not is_stuck(state(accepted=True), dt.date(2024, 1, 1), set(), 10)


def test_an_open_enquiry_after_the_referral_period_is_closed_not_chased():
    """It can never become a referral: its step is to close it, never stuck."""
    for decision in ("pending", "progressed", "waiting_list"):
        s = state(decision=decision, after_referral_period=True)
        assert next_step(s) == CLOSE_AFTER_PERIOD and next_step(s).provider_side
        assert not is_stuck(s, dt.date(2024, 1, 1), set(), 10)
    closed = state(decision="withdrawn", after_referral_period=True)
    assert next_step(closed).step == "none: closed at the enquiry meeting"


def test_targets_shortfall_projection_and_funnel():
    t = TargetLine("Derby", 44, 38)
    assert (t.shortfall, t.share) == (6, Decimal("0.8636"))
    assert TargetLine("x", 10, 12).shortfall == 0
    # 20 referrals in the first quarter of a 100-day period projects to 80
    start = dt.date(2023, 9, 1)
    end = start + dt.timedelta(days=100)
    assert projection_to(20, start, end, start + dt.timedelta(days=25)) == Decimal(80)
    assert projection_to(20, start, end, start) == Decimal(20)
    assert funnel({"pending": 2, "progressed": 5, "withdrawn": 3}, 4) == [
        ("enquiries", 10),
        ("decided", 8),
        ("progressed", 5),
        ("accepted", 4),
    ]


def problems(**kw):
    facts = {
        "given_name": "Alex",
        "family_name": "Sample",
        "date_of_birth": dt.date(2012, 2, 2),
        "enquiry_date": dt.date(2024, 2, 1),
        "needs": ["sen"],
        "papers": ["chronology"],
        "programme_start": dt.date(2020, 9, 1),
        "today": dt.date(2024, 2, 1),
    }
    return enquiry_problems(**{**facts, **kw})


def test_a_sound_enquiry_has_no_problems_on_the_programme_start_and_today():
    assert problems() == []
    assert problems(enquiry_date=dt.date(2020, 9, 1), date_of_birth=dt.date(1995, 9, 1)) == []


def test_enquiry_dates_from_the_programme_start_to_today_only():
    assert problems(enquiry_date=dt.date(2024, 2, 2)) == [
        ("enquiry_date", "Enquiry date must be today or in the past")
    ]
    assert problems(enquiry_date=dt.date(2020, 8, 31)) == [
        (
            "enquiry_date",
            "Enquiry date must be on or after 1 September 2020, when the programme started",
        )
    ]


def test_date_of_birth_within_25_years_before_the_enquiry_date():
    too_old = "Date of birth must be no more than 25 years before the enquiry date"
    assert problems(date_of_birth=dt.date(1999, 2, 1)) == []
    assert problems(date_of_birth=dt.date(1999, 1, 31)) == [("date_of_birth", too_old)]
    assert problems(date_of_birth=dt.date(1, 1, 1)) == [("date_of_birth", too_old)]
    assert problems(date_of_birth=dt.date(2024, 2, 2)) == [
        ("date_of_birth", "Date of birth must be on or before the enquiry date")
    ]
    # an enquiry date in year 1 is refused for itself, without failing on the year -24
    assert [
        f for f, _ in problems(enquiry_date=dt.date(1, 1, 1), date_of_birth=dt.date(1, 1, 1))
    ] == ["enquiry_date"]


def test_names_blank_after_trimming_and_lists_outside_their_choices_are_refused_together():
    assert problems(given_name=" \t", family_name="", needs=["sen", "x"], papers=["passport"]) == [
        ("given_name", "Enter the child's first name"),
        ("family_name", "Enter the child's last name"),
        ("needs", "Select needs from the list"),
        ("papers", "Select papers received from the list"),
    ]


def test_names_compare_without_case_or_spaces():
    assert name_key(" Mary Ann", "SMITH ") == name_key("maryann", "Smith")
    assert name_key("Mary", "Smith") != name_key("Marie", "Smith")


def test_stuck_before_is_the_first_last_activity_that_is_not_stuck():
    # Thu 2 Jan 2025, limit 5 working days, the Christmas bank holidays: a last activity on
    # Mon 23 Dec has 5 working days after it (24, 27, 30, 31 Dec, 2 Jan), Sun 22 Dec has 6
    today = dt.date(2025, 1, 2)
    cutoff = stuck_before(today, XMAS_2024, 5)
    assert working_days_between(cutoff, today, XMAS_2024) <= 5
    assert working_days_between(cutoff - dt.timedelta(days=1), today, XMAS_2024) > 5
    assert cutoff == dt.date(2024, 12, 23)


@given(
    st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 12, 31)),
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=0, max_value=120),
    st.sets(st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2026, 12, 31))),
)
def test_an_enquiry_is_stuck_exactly_when_its_last_activity_is_before_the_cutoff(
    today, limit, back, holidays
):
    last = today - dt.timedelta(days=back)
    s = state(enquiry_date=last, last_activity=last)
    assert is_stuck(s, today, holidays, limit) == (last < stuck_before(today, holidays, limit))


def test_papers_after_applies_what_the_form_changed_to_the_papers_now():
    from stars.domain.pipeline import papers_after

    now = ["care_plan", "education_plan"]  # education plan recorded in another tab meanwhile
    assert papers_after(now, ["care_plan"], ["care_plan", "chronology"]) == [
        "care_plan",
        "chronology",
        "education_plan",
    ]
    assert papers_after(now, ["care_plan"], []) == ["education_plan"]
    assert papers_after(now, None, ["chronology"]) == ["chronology"]


def test_last_activity_is_the_later_of_the_steps_date_and_the_day_it_is_recorded():
    d = dt.date
    # a decision dated last month, recorded today: today's work
    assert activity_after(d(2024, 3, 1), d(2024, 2, 10), d(2024, 3, 11)) == d(2024, 3, 11)
    # recorded the day it happened
    assert activity_after(d(2024, 3, 1), d(2024, 3, 11), d(2024, 3, 11)) == d(2024, 3, 11)
    assert activity_after(None, d(2024, 2, 10), d(2024, 3, 11)) == d(2024, 3, 11)
    # never moves back
    assert activity_after(d(2024, 3, 12), d(2024, 2, 10), d(2024, 3, 11)) == d(2024, 3, 12)


def test_a_shortfall_penalty_is_projected_until_the_referral_period_ends():
    """The targets page showed a council's whole minimum as a penalty owed years before the
    referral period ended: until it ends, the penalty is projected from the pace so far."""
    start, end, per = dt.date(2014, 10, 1), dt.date(2017, 3, 31), Decimal("250.00")
    behind, on_pace = TargetLine("North", 30, 10), TargetLine("South", 30, 20)
    a_year_in = dt.date(2015, 10, 1)  # 365 of the period's 913 days: 10 -> 25, 20 -> 50
    p = shortfall_penalty(behind, per, start, end, a_year_in)
    assert (p.due, p.shortfall, p.amount) == (False, 5, Decimal("1250.00"))
    assert shortfall_penalty(on_pace, per, start, end, a_year_in).amount == 0
    # the period's last day still takes referrals: projected; the day after, due
    last = shortfall_penalty(behind, per, start, end, end)
    assert (last.due, last.shortfall) == (False, 20)
    after = shortfall_penalty(behind, per, start, end, end + dt.timedelta(days=1))
    assert (after.due, after.shortfall, after.amount) == (True, 20, Decimal("5000.00"))
