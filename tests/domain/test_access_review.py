"""The access review's rules over reads of children's records."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stars.domain.governance.access_review import Read, Thresholds, odd_hour, review_access

TUE = dt.datetime(2024, 10, 8, 10, 30)  # a Tuesday morning


def _read(user="spoc", role="spoc", council="derby", at=TUE, record="referral R1", **kw):
    return Read(user, role, council, at, record, kw.get("record_council", "derby"), kw.get("kw"))


def test_worked_examples():
    reads = [
        _read(),  # own council, office hours: nothing
        _read(record="referral R9", record_council="nottingham"),
        *[_read("kw", "key_worker", None, record=f"case R{i}", kw="other") for i in range(5)],
        _read("kw", "key_worker", None, record="case R7", kw="kw"),  # own caseload
        _read("pm", "provider_manager", None, at=dt.datetime(2024, 10, 12, 11, 0)),  # Saturday
        _read("pm", "provider_manager", None, at=dt.datetime(2024, 10, 9, 23, 15)),
    ]
    found = {(f.username, f.rule): f for f in review_access(reads)}
    assert set(found) == {
        ("spoc", "outside_council"),
        ("kw", "outside_caseload"),
        ("pm", "odd_hours"),
    }
    assert found[("spoc", "outside_council")].examples == ("referral R9",)
    assert found[("kw", "outside_caseload")].count == 5
    assert found[("pm", "odd_hours")].examples == (
        "Sat 12 Oct 11:00 referral R1",
        "Wed 09 Oct 23:15 referral R1",
    )
    many = review_access(
        [_read(record=f"referral R{i}") for i in range(3)], Thresholds(many_records=3)
    )
    assert [(f.rule, f.count) for f in many] == [("many_records", 3)]


def test_the_day_starts_at_seven_and_ends_at_eight():
    assert odd_hour(dt.datetime(2024, 10, 8, 6, 59))
    assert not odd_hour(dt.datetime(2024, 10, 8, 7, 0))
    assert not odd_hour(dt.datetime(2024, 10, 8, 19, 59))
    assert odd_hour(dt.datetime(2024, 10, 8, 20, 0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 30), max_size=60), st.integers(1, 20))
def test_many_records_counts_distinct_records_and_respects_its_threshold(ids, limit):
    reads = [_read(record=f"referral R{i}") for i in ids]
    found = review_access(reads, Thresholds(many_records=limit))
    distinct = len(set(ids))
    assert [f.count for f in found if f.rule == "many_records"] == (
        [distinct] if distinct >= limit and distinct else []
    )
