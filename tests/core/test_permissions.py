"""Council scope on records, the access log and sign-in. (Every page as every role:
test_access_policy.py, against the policy table.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from stars.core.models import AccessLog
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("user", "referral", "status"),
    [
        ("spoc", "R-DER", 200),
        ("spoc", "R-NOT", 404),  # another council's record: not found, not forbidden
        ("spoc_nottingham", "R-DER", 404),
        ("spoc_nottingham", "R-NOT", 200),
        ("commissioner", "R-NOT", 404),
        ("key_worker", "R-DER", 200),  # on the caseload
        ("key_worker", "R-NOT", 404),  # not on the caseload
        ("provider_manager", "R-NOT", 200),
    ],
)
def test_council_and_caseload_scope(client, users, referrals, user, referral, status):
    client.force_login(users[user])
    assert client.get(reverse("referral_detail", args=[referral])).status_code == status


def test_referral_list_shows_only_own_council(client, users, referrals):
    client.force_login(users["spoc"])
    html = client.get(reverse("referral_list")).content.decode()
    assert "R-DER" in html and "R-NOT" not in html


def test_names_and_dates_of_birth_only_for_identifiable_roles(client, users, referrals):
    client.force_login(users["provider_manager"])
    html = client.get(reverse("referral_detail", args=["R-DER"])).content.decode()
    assert "Synthetic Child" in html and "17 May 2011" in html


def test_reading_a_childs_record_is_logged(client, users, referrals):
    client.force_login(users["spoc"])
    client.get(reverse("referral_detail", args=["R-DER"]))
    log = AccessLog.objects.get(object_id="R-DER")
    assert (log.username, log.action, log.object_type) == ("spoc", "view", "referral")


def test_refused_reads_are_not_logged_as_views(client, users, referrals):
    client.force_login(users["spoc"])
    client.get(reverse("referral_detail", args=["R-NOT"]))
    assert not AccessLog.objects.filter(object_id="R-NOT").exists()


def test_admin_site_is_for_administrators_only(client, users):
    client.force_login(users["commissioner"])
    assert client.get("/admin/").status_code == 302
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 200


def test_navigation_follows_role(client, users):
    client.force_login(users["investor"])
    html = client.get(reverse("home")).content.decode()
    assert "Referrals" not in html and "Audit" not in html
    client.force_login(users["admin"])
    html = client.get(reverse("home")).content.decode()
    assert "Referrals" in html and "Audit" in html


def test_sign_in_with_password(client, users):
    response = client.post(reverse("login"), {"username": "spoc", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
