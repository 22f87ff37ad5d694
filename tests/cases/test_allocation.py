"""Caseload management: each key worker's load, reallocation by the provider manager (kept
on the case's chronology), and the waiting list for foster matches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.cases.chronology import chronology
from stars.partnership.models import Council
from stars.partnership.services import user_create
from stars.referrals import services
from stars.referrals.models import Referral
from stars.referrals.services import PipelineError, referral_allocate
from tests.conftest import PASSWORD, make_referral

D = dt.date


@pytest.fixture
def second(users):
    return user_create(username="kw2", role="key_worker", council=None, password=PASSWORD)


def test_a_manager_reallocates_a_case_and_the_chronology_says_who_why_and_when(
    client, users, case, second
):
    client.force_login(users["provider_manager"])
    url = reverse("case_allocate", args=["R-DER"])
    page = client.get(url).content.decode()
    assert "kw2 (0 live cases)" in page and "key_worker (1 live case)" in page
    response = client.post(url, {"key_worker": str(second.pk), "reason": "caseload balance"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.key_worker == second
    moved = [e for e in chronology(case) if e.title.startswith("Reallocated")]
    assert len(moved) == 1
    assert moved[0].title == "Reallocated from key_worker to kw2"
    assert (moved[0].detail, moved[0].who) == ("caseload balance", "provider_manager")
    assert not [e for e in chronology(case) if e.kind == "change"]  # said once, not twice
    assert "kw2" in client.get(reverse("case_detail", args=["R-DER"])).content.decode()


def test_allocation_refuses_the_same_key_worker_a_closed_case_and_other_roles(
    client, users, case, second
):
    with pytest.raises(PipelineError, match="already allocated"):
        referral_allocate(referral=case, key_worker=users["key_worker"], by=users["admin"])
    with pytest.raises(PipelineError, match="active key worker"):
        referral_allocate(referral=case, key_worker=users["spoc"], by=users["admin"])
    gone = make_referral("R-GONE", "derby", status="graduated", end=D(2023, 1, 1))
    with pytest.raises(PipelineError, match="live"):
        referral_allocate(referral=gone, key_worker=second, by=users["admin"])
    client.force_login(users["provider_manager"])
    response = client.post(
        reverse("case_allocate", args=["R-DER"]), {"key_worker": str(users["key_worker"].pk)}
    )
    assert response.status_code == 200 and "already allocated" in response.content.decode()
    client.force_login(users["key_worker"])
    assert client.get(reverse("case_allocate", args=["R-DER"])).status_code == 403


def test_the_caseload_shows_each_key_workers_load_to_managers_only(
    client, users, referrals, second
):
    make_referral("R-K2", "derby", key_worker=second)
    make_referral("R-K2B", "nottingham", key_worker=second)
    client.force_login(users["provider_manager"])
    html = client.get(reverse("case_caseload")).content.decode()
    loads = html[html.index('data-testid="loads"') : html.index("</table>", html.index("loads"))]
    assert f'href="?key_worker={second.pk}">kw2</a></th>' in loads
    assert 'href="?key_worker=none">Nobody yet' in loads  # R-NOT has no key worker
    cells = loads.split(f"?key_worker={second.pk}", 1)[1]
    assert '<td class="govuk-table__cell stars-num">2</td>' in cells.split("</tr>", 1)[0]
    client.force_login(users["key_worker"])
    assert 'data-testid="loads"' not in client.get(reverse("case_caseload")).content.decode()


def test_the_waiting_list_shows_children_waiting_for_a_match_in_scope(client, users):
    def waiting(council: str):
        e = services.enquiry_record(
            council=Council.objects.get(code=council),
            cohort="B",
            given_name="Alex",
            family_name="Waiting",
            date_of_birth=D(2010, 6, 1),
            enquiry_date=D(2023, 2, 1),
        )
        return services.enquiry_decide(enquiry=e, decision="waiting_list", on=D(2023, 2, 20))

    derby, nottingham = waiting("derby"), waiting("nottingham")
    services.match_record(
        enquiry=derby, agency="Agency One", household_ref="H-1", shared_on=D(2023, 3, 1)
    )
    client.force_login(users["spoc"])
    html = client.get(reverse("enquiry_waiting")).content.decode()
    assert derby.enquiry_id in html and nottingham.enquiry_id not in html
    assert "Alex Waiting" in html and "Agency One" in html
    assert reverse("enquiry_match", args=[derby.enquiry_id]) in html
    client.force_login(users["key_worker"])
    assert client.get(reverse("enquiry_waiting")).status_code == 403
    assert Referral.objects.count() == 0
