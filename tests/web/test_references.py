"""One id format per kind of record (docs/identifiers.md): claims and uploads are shown by
their references, and search finds a record by its reference however it is typed, or by a
link to its page, within the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from stars.core.models import AccessLog
from stars.finance.models import OutcomeClaim
from stars.partnership.models import Council, Programme
from stars.uploads.models import Upload

OCT = dt.date(2024, 10, 1)


def get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def search(client, user, text):
    """A search as the page sends it: posted, so what is typed is in no address."""
    client.force_login(user)
    response = client.post(reverse("search"), {"q": text})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def claims(referrals):
    return {
        code: OutcomeClaim.objects.create(council=Council.objects.get(code=code), month=OCT)
        for code in ("derby", "nottingham")
    }


@pytest.mark.django_db
def test_a_claim_is_shown_by_its_reference_on_its_page_and_in_the_list(client, users, claims):
    assert claims["derby"].reference == "CLAIM-DERBY-2024-10"
    page = get(client, users["commissioner"], reverse("claim_detail", args=["derby", "2024-10"]))
    assert "CLAIM-DERBY-2024-10" in page
    listed = get(client, users["provider_manager"], reverse("finance_claims"))
    assert "CLAIM-DERBY-2024-10" in listed and "CLAIM-NOTTINGHAM-2024-10" in listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "CLAIM-DERBY-2024-10",
        "claim-derby-2024-10",
        " Claim Derby 2024-10 ",
        "http://127.0.0.1:8000/finance/claims/derby/2024-10/",
    ],
)
def test_search_finds_a_claim_however_its_reference_is_typed(client, users, claims, typed):
    html = search(client, users["commissioner"], typed)
    assert f'href="{reverse("claim_detail", args=["derby", "2024-10"])}"' in html
    assert "Claims and uploads: 1" in html


@pytest.mark.django_db
def test_a_claim_is_found_only_within_scope_and_the_search_is_logged(client, users, claims):
    # Derby's commissioner does not find Nottingham's claim; a SPOC may open no claim
    other = search(client, users["commissioner"], "CLAIM-NOTTINGHAM-2024-10")
    assert "/finance/claims/nottingham/" not in other and "Claims and uploads: 0" in other
    spoc = search(client, users["spoc"], "CLAIM-DERBY-2024-10")
    assert "/finance/claims/derby/" not in spoc
    assert AccessLog.objects.filter(
        username="commissioner", action="search", detail__contains="0 claims"
    ).exists()


@pytest.mark.django_db
def test_an_upload_is_shown_and_found_by_its_reference(client, users, referrals):
    up = Upload.objects.create(
        kind=Upload.Kind.TRACKER,
        uploaded_by_name="provider_manager",
        programme=Programme.objects.get().code,
    )
    assert up.reference == f"UPLOAD-{up.pk}"
    page = get(client, users["provider_manager"], reverse("tracker_upload", args=[up.pk]))
    assert up.reference in page
    html = search(client, users["provider_manager"], up.reference.lower())
    assert f'href="{reverse("tracker_upload", args=[up.pk])}"' in html
    spoc = search(client, users["spoc"], up.reference)  # not theirs to open
    assert f'href="{reverse("tracker_upload", args=[up.pk])}"' not in spoc


@pytest.mark.django_db
def test_a_pasted_link_to_a_case_or_referral_finds_it_within_scope(client, users, referrals):
    html = search(client, users["spoc"], "http://x/cases/R-DER/chronology/")
    assert f'href="{reverse("referral_detail", args=["R-DER"])}"' in html
    other = search(client, users["spoc"], "/referrals/R-NOT/")
    assert f'href="{reverse("referral_detail", args=["R-NOT"])}"' not in other  # another council's
    assert set(
        AccessLog.objects.filter(username="spoc", detail="search").values_list(
            "object_id", flat=True
        )
    ) == {"R-DER"}
