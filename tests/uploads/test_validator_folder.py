"""Checking returns with DfE's rules when the validator's folder (``STARS_VALIDATOR_903``)
cannot be written: the check fails, never an error with its traceback, and nothing is
imported; the administrator is shown which folder and what to do, anyone else whom to ask."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stars.jobs.worker import run_worker
from stars.sufficiency.models import SufficiencyReturn
from stars.uploads.models import Upload

pytestmark = pytest.mark.django_db(transaction=True)  # the job is queued once the upload commits


@pytest.fixture
def unwritable(tmp_path, settings):
    """A validator folder that cannot be made: its parent is a file (as root may write
    anywhere, a folder without write permission would not do)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STARS_VALIDATOR_903 = blocker / "venv-903"
    return settings.STARS_VALIDATOR_903


def test_an_unwritable_validator_folder_fails_the_check_naming_it(
    client, users, returns_zip, unwritable
):
    client.force_login(users["commissioner"])
    response = client.post(
        reverse("upload_returns"),
        {"action": "validate", "archive": SimpleUploadedFile("derby.zip", returns_zip)},
    )
    assert response.status_code == 302
    run_worker(batch=True, interval=0, verbosity=0)
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.FAILED
    assert upload.headline == (
        "The returns could not be checked: DfE's validator is not ready on this server. "
        "Ask your administrator to set it up; the database was not touched."
    ), upload.headline
    assert "could not be processed" not in upload.headline
    assert not SufficiencyReturn.objects.exists()
    # the council's user is not shown the server's folder: they are told whom to ask
    page = client.get(response["Location"]).content.decode()
    assert "Ask your administrator" in page
    assert str(unwritable) not in page and "STARS_VALIDATOR_903" not in page
    # the administrator is shown which folder and what to do
    client.force_login(users["admin"])
    page = client.get(response["Location"]).content.decode()
    assert "DfE&#x27;s SSDA903 validator cannot be installed in" in page
    assert str(unwritable) in page and "STARS_VALIDATOR_903" in page
