"""The investor view's projected total, as of a past quarter's end, is worked out from the
records as they stood that day: a referral made later, or a placement that ended later,
does not change it."""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_referral
from tests.finance.conftest import add_period

D = dt.date
QUARTER_END = D(2022, 6, 30)


def _projected():
    from stars.finance.figures import investor_overview
    from stars.partnership.selectors import contract_current

    o = investor_overview(contract_current(), QUARTER_END)
    return o["projected"].paid, o["from_live"]


def test_a_later_referral_or_a_later_end_leaves_a_past_quarters_projection_as_it_was(
    money_referrals,
):
    """A trial programme's investor view as of 30 September showed a projected total £24,000
    above what the cases live that day could earn: two referrals made in October and
    November were counted in it, so a past quarter's projection moved with every new
    referral (and told the investor of referrals after the quarter)."""
    from stars.cases.models import OutcomePeriod
    from stars.referrals.models import Referral

    before = _projected()
    late = make_referral("R-LATE", "derby")
    Referral.objects.filter(pk=late.pk).update(referral_date=D(2022, 8, 1))
    add_period(late, D(2022, 8, 1))
    # Nottingham's placement held on 30 June; that it ended in September is not known then
    OutcomePeriod.objects.filter(referral=money_referrals["nottingham"]).update(
        end_date=D(2022, 9, 1)
    )
    assert _projected() == before
