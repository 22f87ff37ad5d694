"""How long an enquiry has waited, as the home page, the enquiries list and the "stuck"
notification say it: the thousands separated ("1,055 working days", not "1055") and one
day as one ("1 working day": the notification said "1 working days")."""

from __future__ import annotations

from stars.referrals.selectors import WorkItem


def _waited(days: int) -> str:
    return WorkItem(enquiry=None, days_waiting=days, step=None, stuck=False).waited


def test_a_wait_is_said_with_its_thousands_separated_and_its_plural():
    assert _waited(1) == "1 working day"
    assert _waited(2) == "2 working days"
    assert _waited(1055) == "1,055 working days"
