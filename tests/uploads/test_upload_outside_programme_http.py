"""A user who works in no programme of a service holding several may not import a
tracker into any of them (nor add one, unless the access policy's ``programme_add`` row
names their role): the import job is told the programme worked in, never "not narrowed",
over real HTTP (a live server)."""

from __future__ import annotations

import html

import pytest

from stars.jobs.worker import run_worker
from stars.partnership.models import Programme
from stars.referrals.models import Referral
from stars.uploads.models import Upload
from tests.live_http import Http, multipart

pytestmark = pytest.mark.django_db(transaction=True)

NONE = "You work in none of the service's programmes, so a tracker cannot be imported"


def _upload(web: Http, tracker_files, contract=None) -> Upload:
    files = {f: (p.name, p.read_bytes()) for f, p in tracker_files.items()}
    if contract is not None:
        files["contract"] = (contract.name, contract.read_bytes())
    body, headers = multipart({"csrfmiddlewaretoken": web.form_token("/uploads/tracker/")}, files)
    status, _, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 302
    run_worker(batch=True, interval=0, verbosity=0)
    return Upload.objects.latest("pk")


def test_a_user_in_no_programme_cannot_import_into_one(live_server, users, tracker_files):
    Programme.objects.create(code="riverside", name="Riverside")
    users["provider_manager"].programmes.clear()
    web = Http(live_server)
    web.sign_in("provider_manager")
    status, _, page = web.request("GET", "/uploads/tracker/")
    assert status == 200 and NONE in html.unescape(page.decode())

    upload = _upload(web, tracker_files)

    assert upload.status == "rejected"
    assert (
        "the contract is for the programme 'dn2-stars', you work in none of the service's "
        "programmes; nothing was imported: ask an administrator to add you to it"
    ) in upload.headline, upload.headline
    assert not Referral.objects.exists()


def test_an_administrator_in_no_programme_may_add_one(live_server, users, tracker_files, tmp_path):
    Programme.objects.create(code="riverside", name="Riverside")
    users["admin"].programmes.clear()
    other = tmp_path / "northvale.toml"
    other.write_text(
        tracker_files["contract"].read_text().replace('code = "dn2-stars"', 'code = "northvale"')
    )
    web = Http(live_server)
    web.sign_in("admin")

    upload = _upload(web, tracker_files, other)

    assert upload.status == "done" and upload.programme == "northvale", upload.lines
    assert Referral.objects.filter(programme__code="northvale").count() == 12
    assert users["admin"].programmes.filter(code="northvale").exists()
