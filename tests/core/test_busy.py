"""While an import holds SQLite's write lock (stars.core.busy): an access-log entry that
cannot be written is kept and written in later, with its time and the records it showed;
a write that cannot wait is a 503 saying the service is busy, never a 500. Over real HTTP
on SQLite: tests/uploads/test_while_an_import_runs_http.py; these run on both databases."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from click.testing import CliRunner
from django.db import OperationalError
from django.test import Client
from django.urls import path

from stars.cli import app
from stars.core import audit, backups
from stars.core.audit import PENDING, reads, record_access, record_list
from stars.core.models import AccessLog, AccessLogRecord
from stars.web.urls import handler500
from stars.web.urls import urlpatterns as project_urls

pytestmark = pytest.mark.django_db(transaction=True)


def locked(request):
    raise OperationalError("database is locked")


def broken(request):
    raise OperationalError("no such table: x")


urlpatterns = [path("locked/", locked), path("broken/", broken), *project_urls]
__all__ = ["handler500"]  # this URLconf's answer to an error: the service's


@pytest.fixture
def home(settings, tmp_path):
    settings.STARS_HOME = tmp_path
    return tmp_path


@pytest.fixture
def lock_held(monkeypatch):
    """The access log's writes find the write lock held, as while an import runs."""

    def busy(entries):
        raise OperationalError("database is locked")

    monkeypatch.setattr(audit, "_save", busy)
    return monkeypatch


def test_entries_made_while_the_lock_is_held_are_written_in_once_it_is_free(home, users, lock_held):
    record_access(
        user=users["spoc"],
        action="view",
        object_type="claim",
        object_id="derby/2024-10",
        path="/claims/derby/2024-10/",
        shown=[("referral", "R1"), ("referral", "R2")],
    )
    record_list(user=users["spoc"], object_type="referral", object_ids=["R3", "R4"])
    assert AccessLog.objects.count() == 0
    assert len(list((home / PENDING).glob("*.json"))) == 2
    lock_held.undo()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    record_access(user=users["admin"], action="view", object_type="referral", object_id="R9")

    assert not list((home / PENDING).iterdir())
    claim = AccessLog.objects.get(object_type="claim")
    assert (claim.user, claim.username, claim.path) == (
        users["spoc"],
        "spoc",
        "/claims/derby/2024-10/",
    )
    assert claim.at < later  # when it was made, not when it was written in
    shown = AccessLogRecord.objects.filter(entry=claim).values_list("object_id", flat=True)
    assert sorted(shown) == ["R1", "R2"]
    listed = AccessLog.objects.filter(action="list").values_list("object_id", flat=True)
    assert sorted(listed) == ["R3", "R4"]
    assert AccessLog.objects.count() == 4


def test_reading_the_access_log_writes_in_what_was_kept_first(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R7")
    lock_held.undo()
    assert [e.object_id for e in reads(record="R7")] == ["R7"]


def test_what_was_kept_stays_kept_while_the_lock_is_still_held(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R8")
    assert audit.flush_pending() == 0  # still held: nothing lost, nothing written
    assert len(list((home / PENDING).glob("*.json"))) == 1
    lock_held.undo()
    assert audit.flush_pending() == 1
    assert AccessLog.objects.get().object_id == "R8"


def test_an_idle_service_writes_in_what_was_kept_at_the_workers_next_beat(home, users, lock_held):
    """No page is opened and no one reads the log after the import: the job worker's beat,
    which `stars serve` runs beside the pages, writes the kept entries in."""
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R6")
    lock_held.undo()
    outcome = CliRunner().invoke(app, ["worker", "--batch", "--interval", "0"])
    assert outcome.exit_code == 0, outcome.output
    assert not list((home / PENDING).iterdir())
    assert AccessLog.objects.get().object_id == "R6"


def test_a_claim_left_by_a_process_that_ended_is_claimed_again(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R5")
    (kept,) = (home / PENDING).glob("*.json")
    kept.rename(kept.with_name(f"{kept.name}.claimed-999999999"))  # no such process
    lock_held.undo()
    assert audit.flush_pending() == 1
    assert AccessLog.objects.get().object_id == "R5"


def test_writing_in_again_after_a_stop_between_commit_and_delete_adds_nothing(
    home, users, lock_held
):
    record_access(
        user=users["spoc"],
        action="view",
        object_type="claim",
        object_id="derby/2024-10",
        shown=[("referral", "R1")],
    )
    record_list(user=users["spoc"], object_type="referral", object_ids=["R3", "R4"])
    files = sorted((home / PENDING).glob("*.json"))
    kept = {path.name: path.read_bytes() for path in files}
    lock_held.undo()
    assert audit.flush_pending() == 2
    # the process stopped after its transaction committed, before deleting its claims
    for name, content in kept.items():
        (home / PENDING / f"{name}.claimed-999999999").write_bytes(content)

    assert audit.flush_pending() == 2

    assert not list((home / PENDING).iterdir())
    assert sorted(AccessLog.objects.values_list("object_id", flat=True)) == [
        "R3",
        "R4",
        "derby/2024-10",
    ]
    assert AccessLogRecord.objects.count() == 1


def test_a_file_left_half_written_by_a_process_that_ended_is_taken_up(home, users, lock_held):
    record_list(user=users["spoc"], object_type="referral", object_ids=["R1", "R2", "R3"])
    (kept,) = (home / PENDING).glob("*.json")
    lines = kept.read_text(encoding="utf-8").splitlines(keepends=True)
    kept.unlink()
    # a writer (no such process now) stopped in its third line, before renaming the file
    left = home / PENDING / "00000000000000000001-999999999-0badf00d.json.tmp"
    left.write_text(lines[0] + lines[1] + lines[2][:20], encoding="utf-8")
    assert audit.pending_kept()
    lock_held.undo()

    assert audit.flush_pending() == 1

    assert sorted(AccessLog.objects.values_list("object_id", flat=True)) == ["R1", "R2"]
    assert not list((home / PENDING).iterdir())
    assert not audit.pending_kept()  # a backup is not refused for it


def test_a_file_still_being_written_is_left_to_its_writer(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R6")
    (kept,) = (home / PENDING).glob("*.json")
    writing = kept.with_name(f"{kept.name}.tmp")  # named by this process, which is running
    kept.rename(writing)
    lock_held.undo()

    assert audit.flush_pending() == 0

    assert writing.exists() and not AccessLog.objects.exists()


def test_a_write_that_finds_the_database_busy_is_a_busy_page(settings, users):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(users["spoc"])

    page = client.get("/locked/")
    assert page.status_code == 503 and page["Retry-After"] == "60"
    body = page.content.decode()
    assert "Sorry, the service is busy" in body and "Try again in a minute" in body
    for asked in ({"HTTP_ACCEPT": "application/json"}, {"data": {"format": "json"}}):
        answer = client.get("/locked/", **asked)
        assert answer.status_code == 503
        assert "busy importing" in answer.json()["detail"]

    other = client.get("/broken/")  # any other database error is the service's 500
    assert other.status_code == 500
    assert "Sorry, there is a problem with the service" in other.content.decode()


def test_a_busy_answer_is_logged_as_one_warning_line(settings, users, caplog):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(users["spoc"])
    caplog.clear()

    with caplog.at_level(logging.INFO):
        assert client.post("/locked/").status_code == 503

    logged = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
    assert logged == [("WARNING", "POST /locked/: busy importing", None)]


def test_a_backup_writes_in_what_was_kept_first(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R9")
    lock_held.undo()

    backups.backup(home / "stars.backup")

    assert not list((home / PENDING).glob("*.json*"))
    assert AccessLog.objects.filter(object_id="R9").exists()  # so in the copy too


def test_a_backup_while_entries_cannot_be_written_in_is_refused(home, users, lock_held):
    record_access(user=users["spoc"], action="view", object_type="referral", object_id="R9")

    with pytest.raises(backups.BackupError, match="Run the backup again"):
        backups.backup(home / "stars.backup")
    assert not (home / "stars.backup").exists()
