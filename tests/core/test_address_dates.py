"""A date typed into a page's address that is not a real date is shown as an error, on every
page that reads one, never silently replaced by the default date's figures."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from stars.domain.calendar import long_date

AS_OF_PAGES = [
    ("finance_money", []),
    ("finance_contract", []),
    ("finance_investor", []),
    ("finance_portfolio", []),
    ("targets", []),
    ("report_evaluation", []),
    ("simulator", []),
    ("sufficiency_reconcile", ["derby"]),
]
RANGE_PAGES = [("cases_outcomes", []), ("case_chronology", ["R-DER"])]
# each page names a date by the label its form shows, where it has one
LABELS = {"cases_outcomes": {"from": "Referred from", "to": "Referred to"}}


def _title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["2024-13-45", "yesterday"])
@pytest.mark.parametrize(("name", "args"), AS_OF_PAGES)
def test_an_invalid_as_of_date_is_an_error_naming_the_field_and_the_value(
    client, users, referrals, name, args, typed
):
    client.force_login(users["admin"])
    response = client.get(reverse(name, args=args), {"as_of": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert _title(html).startswith("Error: ")
    assert 'class="govuk-error-summary"' in html
    assert "Enter a real date for &#x27;as at&#x27;" in html
    assert f"&#x27;{typed}&#x27; is not a date" in html
    # the figures shown are labelled as the default date's, not the date asked for
    assert f"as at {long_date(timezone.localdate())} instead" in html


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["from", "to"])
@pytest.mark.parametrize(("name", "args"), RANGE_PAGES)
def test_an_invalid_from_or_to_date_is_an_error(client, users, referrals, name, args, field):
    client.force_login(users["admin"])
    response = client.get(reverse(name, args=args), {field: "2024-02-30"})
    html = response.content.decode()
    assert response.status_code == 400
    assert _title(html).startswith("Error: ")
    label = LABELS.get(name, {}).get(field, field)
    assert f"Enter a real date for &#x27;{label}&#x27;" in html
    assert "&#x27;2024-02-30&#x27; is not a date" in html
    assert "shown without this date" in html


@pytest.mark.django_db
def test_a_real_date_or_none_is_no_error(client, users, referrals):
    client.force_login(users["admin"])
    for query in ({}, {"as_of": "2024-03-31"}):
        response = client.get(reverse("finance_money"), query)
        html = response.content.decode()
        assert response.status_code == 200
        assert not _title(html).startswith("Error: ")
        assert "Enter a real date" not in html


def _summary_links_and_ids(html: str) -> tuple[list[str], set[str]]:
    summary = html.split('data-testid="date-problems"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary), set(re.findall(r'\bid="([^"]+)"', html))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args", "query"),
    [(n, a, {"as_of": "2024-13-45"}) for n, a in AS_OF_PAGES]
    + [(n, a, {f: "2024-02-30"}) for n, a in RANGE_PAGES for f in ("from", "to")],
)
def test_the_error_summary_links_only_to_the_pages_own_date_field(
    client, users, referrals, name, args, query
):
    client.force_login(users["admin"])
    html = client.get(reverse(name, args=args), query).content.decode()
    links, ids = _summary_links_and_ids(html)
    assert all(link in ids for link in links), (links, name)
    # a page with a date field for it links there
    field = next(iter(query))
    has_field = f'name="{field}"' in html.split('data-testid="date-problems"', 1)[1]
    assert bool(links) == has_field, (links, name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), AS_OF_PAGES)
def test_an_as_of_date_further_ahead_than_any_programme_is_refused(
    client, users, referrals, name, args
):
    # the figures are worked out week by week up to the date: 9999-12-31 kept a server
    # process busy until it was stopped, so a few such requests made the service unavailable
    client.force_login(users["admin"])
    response = client.get(reverse(name, args=args), {"as_of": "9999-12-31"})
    html = response.content.decode()
    assert response.status_code == 400
    assert _title(html).startswith("Error: ")
    latest = long_date(
        timezone.localdate().replace(year=timezone.localdate().year + 25, month=12, day=31)
    )
    assert f"Enter a date for &#x27;as at&#x27; no later than {latest}" in html
    assert f"as at {long_date(timezone.localdate())} instead" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), RANGE_PAGES)
def test_a_to_date_further_ahead_than_any_programme_is_refused(
    client, users, referrals, name, args
):
    client.force_login(users["admin"])
    response = client.get(reverse(name, args=args), {"to": "9999-12-31"})
    assert response.status_code == 400
    assert "no later than" in response.content.decode()
