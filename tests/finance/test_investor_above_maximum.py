"""What was earned above a maximum outcome payment is hidden on the investor's pages where
the outcome payments beside it are (decision 0018): above a maximum, the payable payments
are the maximum printed in the contract, so the earned payments would be it plus the amount
shown."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stars.core.templatetags.stars_format import money
from tests.conftest import CONTRACT, MILESTONES_B

QUARTER_END = dt.date(2022, 6, 30)


def _milestones_under_a_maximum() -> None:
    from stars.partnership.services import contract_load

    text = CONTRACT.read_text(encoding="utf-8").replace(
        "maximum_outcome_payment = 9120000.00", "maximum_outcome_payment = 1500.00"
    )
    start = text.index('code = "B"')
    end = text.index("  [[cohort.eligibility]]", start)
    contract_load(text=text[:start] + MILESTONES_B + "\n" + text[end:], source="test.toml")


def test_an_investor_is_not_shown_the_amount_above_the_maximum_beside_hidden_payments(
    client, users, money_referrals
):
    """A trial programme's investor view showed its outcome payments as "c" (a milestone
    cohort's few children) and, on the next line and on the home page, the £1,186.15 earned
    above a council's maximum: the maximum plus that amount is what those children earned."""
    from stars.finance.figures import investor_overview
    from stars.partnership.selectors import contract_current

    _milestones_under_a_maximum()
    o = investor_overview(contract_current(), QUARTER_END)
    assert o["outcome_payments"] == "c"
    assert o["to_date"].above_maximum > 0
    assert o["above_maximum"] == "c"
    shown = money(o["to_date"].above_maximum)
    client.force_login(users["investor"])
    view = client.get(reverse("finance_investor"), {"as_of": QUARTER_END.isoformat()})
    assert view.status_code == 200
    html = view.content.decode()
    assert "earned above the maximum outcome payment" in html and shown not in html
    portfolio = client.get(reverse("finance_portfolio"), {"as_of": QUARTER_END.isoformat()})
    assert shown not in portfolio.content.decode()
    from stars.domain.disclosure import AS_OF, coarse_date

    today = dt.date.today()
    home_day = coarse_date(today, AS_OF, today)
    at_home = investor_overview(contract_current(), home_day)
    assert at_home["above_maximum"] == "c"
    assert money(at_home["to_date"].above_maximum) not in client.get("/").content.decode()
