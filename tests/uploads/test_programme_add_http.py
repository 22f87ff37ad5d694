"""Who may add a programme by uploading its tracker is one row of the access policy,
``programme_add`` (an administrator): the upload form tells each role which programme a
contract may name, and the import job asks the same row, over real HTTP (a live server)."""

from __future__ import annotations

import pytest

from stars.core import permissions
from stars.jobs.worker import run_worker
from stars.referrals.models import Referral
from stars.uploads.models import Upload
from tests.live_http import Http, multipart

pytestmark = pytest.mark.django_db(transaction=True)

ADDS = "or for a programme the service does not hold yet, which the import adds."
MUST = "Its contract must be for STARS, the programme you work in."


def _form(web: Http) -> str:
    status, _, page = web.request("GET", "/uploads/tracker/")
    assert status == 200
    return page.decode()


@pytest.mark.parametrize("role", ["admin", "provider_manager"])
def test_the_tracker_form_says_which_programme_its_contract_may_name(live_server, users, role):
    web = Http(live_server)
    web.sign_in(role)
    page = _form(web)
    assert (ADDS in page, MUST in page) == ((True, False) if role == "admin" else (False, True))


def test_the_import_adds_a_programme_for_the_roles_the_policy_names(
    live_server, users, tracker_files, tmp_path, monkeypatch
):
    # the table changed: the provider manager may add a programme, the administrator not
    monkeypatch.setitem(permissions.ACTIONS, "programme_add", frozenset({"provider_manager"}))
    other = tmp_path / "riverside.toml"
    other.write_text(
        tracker_files["contract"].read_text().replace('code = "dn2-stars"', 'code = "riverside"')
    )
    files = {f: (p.name, p.read_bytes()) for f, p in {**tracker_files, "contract": other}.items()}
    admin = Http(live_server)
    admin.sign_in("admin")
    assert MUST in _form(admin)
    web = Http(live_server)
    web.sign_in("provider_manager")
    assert ADDS in _form(web)
    body, headers = multipart({"csrfmiddlewaretoken": web.form_token("/uploads/tracker/")}, files)
    status, answer, _ = web.request("POST", "/uploads/tracker/", body, headers)
    assert status == 302

    run_worker(batch=True, interval=0, verbosity=0)

    upload = Upload.objects.get()
    assert upload.status == "done" and upload.programme == "riverside", upload.lines
    assert Referral.objects.filter(programme__code="riverside").count() == 12
    status, _, page = web.request("GET", answer["Location"])
    assert "the programme riverside was added: choose it beside your name" in page.decode()
