"""Django's administration site (``/admin/``) is audited like every page: an administrator's
read there of personal data (the sign-in attempts' user names and addresses, the jobs'
arguments) is in the access log through the one helper, and so is each change made there.
They were in neither: an administrator could read who failed to sign in from where, and
delete the record of it, with no trace in STARS."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.utils import timezone

from stars.core.admin_site import AuditedAdmin, StarsAdminSite
from stars.core.audit import reads
from stars.core.models import AccessLog

pytestmark = pytest.mark.django_db

LIST = "/admin/axes/accessattempt/"


@pytest.fixture
def attempt(db):
    return AccessAttempt.objects.create(
        username="spoc",
        ip_address="192.0.2.7",
        user_agent="a browser",
        path_info="/accounts/login/",
        failures_since_start=3,
        attempt_time=timezone.now(),
        get_data="",
        post_data="username=spoc",
        http_accept="text/html",
    )


def _entries(**match):
    return list(AccessLog.objects.filter(username="admin", **match))


def test_every_model_on_the_administration_site_is_audited():
    assert admin.site._registry, "the administration site lists no model"
    unaudited = [
        m._meta.label for m, a in admin.site._registry.items() if not isinstance(a, AuditedAdmin)
    ]
    assert unaudited == []


def test_a_list_and_a_record_read_through_the_administration_site_are_logged(
    client, users, attempt
):
    client.force_login(users["admin"])
    assert client.get(LIST).status_code == 200
    [listed] = _entries(action="list")
    assert (listed.object_type, listed.object_id) == ("accessattempt", str(attempt.pk))
    assert listed.path == LIST
    page = f"{LIST}{attempt.pk}/change/"
    html = client.get(page).content.decode()
    assert "192.0.2.7" in html
    [viewed] = _entries(action="view")
    assert (viewed.object_type, viewed.object_id, viewed.path) == (
        "accessattempt",
        str(attempt.pk),
        page,
    )
    assert client.get(f"{LIST}{attempt.pk}/history/").status_code == 200
    assert len(_entries(action="view")) == 2
    # the audit page's reads find them by who read them
    assert {e.pk for e in reads(who="admin")} >= {listed.pk, viewed.pk}


def test_a_deletion_through_the_administration_site_is_logged(client, users, attempt):
    client.force_login(users["admin"])
    confirm = client.get(f"{LIST}{attempt.pk}/delete/")
    assert confirm.status_code == 200
    assert [e.object_id for e in _entries(action="view")] == [str(attempt.pk)]
    done = client.post(f"{LIST}{attempt.pk}/delete/", {"post": "yes"})
    assert done.status_code == 302
    assert not AccessAttempt.objects.exists()
    [deleted] = _entries(action="delete")
    assert (deleted.object_type, deleted.object_id) == ("accessattempt", str(attempt.pk))


def test_a_deletion_of_several_through_the_list_is_logged_one_entry_each(client, users, attempt):
    other = AccessAttempt.objects.create(
        username="commissioner",
        ip_address="192.0.2.8",
        attempt_time=timezone.now(),
        failures_since_start=1,
        get_data="",
        post_data="",
        http_accept="",
        user_agent="",
        path_info="/",
    )
    client.force_login(users["admin"])
    chosen = {"action": "delete_selected", "_selected_action": [attempt.pk, other.pk]}
    confirm = client.post(LIST, chosen)
    assert confirm.status_code == 200
    assert {e.object_id for e in _entries(action="list")} == {str(attempt.pk), str(other.pk)}
    client.post(LIST, {**chosen, "post": "yes"})
    assert {e.object_id for e in _entries(action="delete")} == {str(attempt.pk), str(other.pk)}


def test_a_user_who_may_not_use_the_site_leaves_no_entry(client, users, attempt):
    client.force_login(users["spoc"])
    assert client.get(LIST).status_code == 302  # to the administration site's sign-in
    assert not AccessLog.objects.filter(path__startswith="/admin/").exists()


def test_the_administration_sites_autocomplete_is_logged_as_a_list(users):
    """/admin/autocomplete/ answers a search box of a form on the site with the records it
    finds: a read of them, logged as the model's list is (it was not logged at all). No
    model of STARS uses an autocomplete yet, so a site of the test's own offers users to
    the data-sharing agreement's "recorded by"."""
    site = StarsAdminSite(name="autocomplete-test")
    site.register(get_user_model(), search_fields=["username"], ordering=["username"])
    query = {
        "app_label": "governance",
        "model_name": "datasharingagreement",
        "field_name": "recorded_by",
        "term": "commissioner",
    }
    request = RequestFactory().get("/admin/autocomplete/", query)
    request.user = users["admin"]
    response = site.autocomplete_view(request)
    assert response.status_code == 200
    found = {r["id"] for r in json.loads(response.content)["results"]}
    assert str(users["commissioner"].pk) in found
    listed = _entries(action="list")
    assert {e.object_id for e in listed} == found
    assert {e.object_type for e in listed} == {"user"}
    assert all(e.path.startswith("/admin/autocomplete/?") for e in listed)
    # the site every page uses answers its autocomplete through the audited view
    assert isinstance(admin.site, StarsAdminSite)
