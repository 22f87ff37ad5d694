"""The contract's referral period: a referral dated after ``referral_period_end`` is refused,
an enquiry dated after it is kept with a warning, by the pages' rule and by the tracker import
(both its paths) alike (docs/decisions/0013-referrals-after-the-referral-period.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from stars.domain.contract.parsing import parse_contract
from stars.domain.pipeline import (
    acceptance_period_hint,
    enquiry_period_warning,
    referral_period_problem,
)
from stars.domain.tracker.fast import parse_clean
from stars.domain.tracker.parsing import TrackerFile, parse_rows, parse_tracker

TOML = Path(__file__).resolve().parents[2] / "contracts" / "dn2-stars.toml"
DN2 = parse_contract(TOML.read_text(encoding="utf-8"), "dn2-stars.toml")
END = dt.date(2025, 3, 31)
DAY = dt.timedelta(days=1)

ENQ = (
    "enquiry_id,child_ref,local_authority,cohort,enquiry_date,date_of_birth,decision,"
    "decision_date\nE1,CH1,derby,B,{enquiry},2012-06-01,progressed,{enquiry}\n"
)
REF = (
    "referral_id,enquiry_id,child_ref,local_authority,cohort,date_of_birth,funding,"
    "referral_date,status,end_date,closure_reason\n"
    "R1,E1,CH1,derby,B,2012-06-01,sib,{referral},live,,\n"
)
PER = "referral_id,start_date,end_date\nR1,{referral},\n"


def files(enquiry: dt.date, referral: dt.date) -> tuple[TrackerFile, ...]:
    return (
        TrackerFile("enquiries.csv", ENQ.format(enquiry=enquiry)),
        TrackerFile("referrals.csv", REF.format(referral=referral)),
        TrackerFile("outcome_periods.csv", PER.format(referral=referral)),
    )


def test_dn2_referral_period_ends_on_31_march_2025():
    assert DN2.referral_period_end == END
    assert DN2.referral_period_open_on(END) and not DN2.referral_period_open_on(END + DAY)


def test_on_the_end_date_a_referral_is_made_the_day_after_it_is_refused():
    assert referral_period_problem(END, DN2) is None
    assert referral_period_problem(END + DAY, DN2) == (
        "must be on or before 31 March 2025, when the contract's referral period ended: the "
        "contract pays only for referrals made within it (a contract variation can extend the "
        "period)"
    )
    assert enquiry_period_warning(END, DN2) is None
    assert "dated after 31 March 2025" in (enquiry_period_warning(END + DAY, DN2) or "")
    # an enquiry within the period, looked at after it ended: its acceptance must keep to it
    assert acceptance_period_hint(END, END, DN2) is None
    assert "must be dated on or before it" in (acceptance_period_hint(END, END + DAY, DN2) or "")
    assert acceptance_period_hint(END + DAY, END + DAY, DN2) is None


def test_the_import_takes_a_referral_on_the_end_date_and_refuses_one_the_day_after():
    on_end = parse_tracker(DN2, *files(END, END))
    assert on_end.errors == () and on_end.warnings == ()
    after = parse_tracker(DN2, *files(END, END + DAY))
    assert [str(p) for p in after.errors] == [
        "referrals.csv:2: column referral_date: 2025-04-01 is after the referral period's end "
        "2025-03-31 ([programme] referral_period_end); expected on or before it: the contract "
        "pays only for referrals made within it (a contract variation can extend the period)"
    ]


def test_the_import_keeps_an_enquiry_after_the_period_with_a_warning():
    got = parse_tracker(DN2, *files(END + DAY, END - DAY))
    # the referral before its enquiry is an error of its own; the enquiry's is a warning
    assert [str(p) for p in got.warnings] == [
        "enquiries.csv:2: column enquiry_date: 2025-04-01 is after the referral period's end "
        "2025-03-31 ([programme] referral_period_end): the enquiry cannot become a referral "
        "unless a contract variation extends the period (imported with this warning)"
    ]


@given(
    end=st.dates(dt.date(2021, 1, 1), dt.date(2027, 12, 31)),
    enquiry=st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)),
    wait=st.integers(0, 400),
)
def test_a_referral_is_made_exactly_when_its_date_is_within_the_period(end, enquiry, wait):
    """The pages' rule, the row checker and the column-wise path agree: a referral dated on
    or before the period's end is taken, one after it refused on its referral_date; an
    enquiry after the end is warned about and kept."""
    contract = replace(DN2, referral_period_end=end)
    referral = enquiry + dt.timedelta(days=wait)
    within = referral <= end
    assert contract.referral_period_open_on(referral) is within
    assert (referral_period_problem(referral, contract) is None) is within
    assert (enquiry_period_warning(enquiry, contract) is None) is (enquiry <= end)
    tracker = files(enquiry, referral)
    slow = parse_rows(contract, *tracker)
    assert [p.column for p in slow.errors] == ([] if within else ["referral_date"])
    late_enquiry = [p for p in slow.warnings if p.column == "enquiry_date"]
    assert len(late_enquiry) == (0 if enquiry <= end else 1)
    fast = parse_clean(contract, tracker)  # type: ignore[arg-type]
    assert (fast is not None) is within
    if fast is not None:
        assert tuple(fast[3]) == slow.warnings
