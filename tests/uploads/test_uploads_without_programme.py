"""Uploads stored with no programme (before programmes existed) are not lost from sight:
with exactly one programme they join it (a data migration); with several they are listed
to the users of the upload pages as "No programme", and open."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stars.partnership.models import Programme
from stars.uploads.models import Upload
from tests.live_http import Http

BEFORE = [("uploads", "0003_alter_upload_kind")]


def _migrate_with(codes: list[str]) -> dict[str, str]:
    """Programmes ``codes`` and uploads before the migration; each upload's programme after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    for code in codes:
        old.get_model("partnership", "Programme").objects.create(code=code, name=code)
    made = {
        what: old.get_model("uploads", "Upload").objects.create(
            kind="tracker", uploaded_by_name="pm", programme=programme
        )
        for what, programme in (("none", ""), ("own", codes[0] if codes else ""))
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return {what: Upload.objects.get(pk=u.pk).programme for what, u in made.items()}


def test_with_exactly_one_programme_uploads_without_one_join_it(transactional_db):
    assert _migrate_with(["dn2-stars"]) == {"none": "dn2-stars", "own": "dn2-stars"}


def test_with_several_programmes_uploads_without_one_are_left_without(transactional_db):
    assert _migrate_with(["dn2-stars", "step-down"]) == {"none": "", "own": "dn2-stars"}


@pytest.mark.django_db(transaction=True)
def test_an_upload_without_a_programme_is_listed_as_no_programme_and_opens(live_server, users):
    Programme.objects.create(code="step-down", name="Step down")  # several: none is chosen
    none = Upload.objects.create(kind="tracker", uploaded_by_name="old-pm", programme="")
    other = Upload.objects.create(kind="tracker", uploaded_by_name="pm-b", programme="step-down")
    web = Http(live_server)
    web.sign_in("provider_manager")  # works in DN2 STARS only
    status, _, page = web.request("GET", "/uploads/tracker/")
    text = page.decode()
    assert status == 200
    assert f'href="/uploads/tracker/{none.pk}/"' in text and "No programme" in text
    assert f'href="/uploads/tracker/{other.pk}/"' not in text  # another programme's
    status, _, _ = web.request("GET", f"/uploads/tracker/{none.pk}/")
    assert status == 200
    status, _, _ = web.request("GET", f"/uploads/tracker/{other.pk}/")
    assert status == 404
