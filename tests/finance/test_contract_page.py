"""The contract terms page: each cohort's terms in force on a date and the log of contract
variations (date, reason, what changed), reached from the money page. (Every role:
tests/core/test_access_policy.py; in a browser at 375 px with axe:
tests/browser/test_contract_page.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from stars.partnership.models import Programme
from stars.partnership.services import contract_load
from tests.conftest import CONTRACT

VARIATIONS = """
[[variation]]
from = 2022-04-01
reason = "Annual indexation 3.1% (Deed of Variation 2)"
cohort = "A"
weekly_outcome_payment = 927.90

[[variation]]
from = 2023-04-01
reason = "Guaranteed-funding fee renegotiated"
guaranteed_weekly_fee = 460.0
"""


def load_varied():
    return contract_load(
        text=CONTRACT.read_text(encoding="utf-8") + VARIATIONS, source="varied.toml"
    )


def test_the_page_lists_each_variation_with_what_changed(client, users):
    load_varied()
    client.force_login(users["commissioner"])
    page = client.get(reverse("finance_contract") + "?as_of=2022-05-01").content.decode()
    log = page.split('data-testid="variations"', 1)[1]
    assert "1 April 2022" in log and "cohort A" in log
    assert "Annual indexation 3.1% (Deed of Variation 2)" in log
    assert "weekly outcome payment: £900.00 to £927.90" in log
    assert "1 April 2023" in log and "every cohort" in log
    assert "guaranteed-funding weekly fee: £450.00 to £460.00" in log
    cohorts = page.split('data-testid="contract-cohorts"', 1)[1].split("</table>", 1)[0]
    assert "£927.90" in cohorts  # cohort A's price in force on 1 May 2022
    fee = page.split('data-testid="contract-fee"', 1)[1].split("</p>", 1)[0]
    assert "£450.00 a week in force" in fee  # the fee changes only in 2023


def test_the_terms_in_force_follow_the_date_asked_for(client, users):
    load_varied()
    client.force_login(users["provider_manager"])
    before = client.get(reverse("finance_contract") + "?as_of=2022-03-31").content.decode()
    cohorts = before.split('data-testid="contract-cohorts"', 1)[1].split("</table>", 1)[0]
    assert "£927.90" not in cohorts
    after = client.get(reverse("finance_contract") + "?as_of=2023-04-01").content.decode()
    fee = after.split('data-testid="contract-fee"', 1)[1].split("</p>", 1)[0]
    assert "£460.00 a week in force (£450.00 as written)" in fee


def test_a_contract_without_variations_says_so(client, users):
    client.force_login(users["commissioner"])
    page = client.get(reverse("finance_contract")).content.decode()
    assert 'data-testid="no-variations"' in page
    assert 'data-testid="variations"' not in page


def test_the_money_page_links_to_it(client, users):
    client.force_login(users["commissioner"])
    page = client.get(reverse("finance_money")).content.decode()
    assert f'href="{reverse("finance_contract")}"' in page


def test_the_programme_takes_its_provider_and_investor_from_the_contract(client, users):
    programme = Programme.objects.get(code="dn2-stars")
    assert (programme.provider, programme.investors) == ("Polaris", ["Polaris"])
    # a contract naming other parties updates them; one naming none leaves them
    text = CONTRACT.read_text(encoding="utf-8")
    contract_load(
        text=text.replace('investor = "Polaris"', 'investor = "Example Impact Fund"', 1),
        source="renamed.toml",
    )
    programme.refresh_from_db()
    assert (programme.provider, programme.investors) == ("Polaris", ["Example Impact Fund"])
    unnamed = "\n".join(
        line for line in text.splitlines() if not line.startswith(("provider =", "investor ="))
    )
    contract_load(text=unnamed, source="unnamed.toml")
    programme.refresh_from_db()
    assert (programme.provider, programme.investors) == ("Polaris", ["Example Impact Fund"])


def test_the_portfolio_and_contract_pages_name_the_provider_and_investors(client, users):
    client.force_login(users["investor"])
    portfolio = client.get(reverse("finance_portfolio")).content.decode()
    parties = portfolio.split('data-testid="parties"', 1)[1].split("</span>", 1)[0]
    assert "Provider: Polaris · Investor: Polaris" in parties
    page = client.get(reverse("finance_contract")).content.decode()
    parties = page.split('data-testid="parties"', 1)[1].split("</dl>", 1)[0]
    assert "Provider" in parties and "Polaris" in parties and "Investor" in parties


def test_a_referrals_savings_show_each_weekly_saving_in_force(client, users, referrals):
    """Savings of a referral whose weeks span a variation of the weekly saving: the
    referral page and `stars explain` give the weeks at each saving, not one product."""
    from stars.cases.explain import explanation_for, explanation_text
    from tests.finance.conftest import add_period

    contract_load(
        text=CONTRACT.read_text(encoding="utf-8")
        + '\n[[variation]]\nfrom = 2022-03-01\nreason = "Unit costs re-estimated"\n'
        "weekly_saving = 2200.0\n",
        source="varied.toml",
    )
    add_period(referrals["derby"], dt.date(2022, 1, 10))  # cohort B, saving £2,100 a week
    e = explanation_for(referrals["derby"], dt.date(2022, 4, 1))
    # weeks ending 16 Jan to 27 Feb: 7 at £2,100; 6 Mar to 27 Mar: 4 at £2,200 (11 weeks)
    assert e.sustained_weeks == 11 and not e.saving_by_the_week
    assert e.savings == Decimal("23500.0")
    assert "7 weeks × £2,100.00 + 4 weeks × £2,200.00" in e.savings_rule
    assert f"Savings (avoided): £23,500.00 ({e.savings_rule})" in explanation_text(e)
    client.force_login(users["commissioner"])
    page = client.get(reverse("referral_detail", args=["R-DER"])).content.decode()
    assert "each week at the saving in force on its last day" in page
