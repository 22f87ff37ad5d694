"""Background jobs: enqueued in the database, run by `stars worker`, watched by a heartbeat."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from stars.cli import app
from stars.cli.run import embedded_worker_default
from stars.jobs.models import DailyRun, WorkerHeartbeat
from stars.jobs.selectors import worker_health
from stars.jobs.worker import DAILY_AT, Heartbeat, beat, enqueue_daily, run_worker
from tests.jobs.tasks import add, daily, fail

# The worker closes stale connections between jobs, as in production: a test transaction
# around it would be closed under it (PostgreSQL), so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_default_backend_is_the_database():
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_an_enqueued_job_waits_in_the_database_until_a_worker_runs_it():
    result = add.enqueue(2, 3)
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    run_worker(batch=True, interval=0, verbosity=0)
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 5)


def test_a_failing_job_is_recorded_as_failed_and_the_worker_goes_on():
    bad, good = fail.enqueue("no such file"), add.enqueue(1, 1)
    run_worker(batch=True, interval=0, verbosity=0)
    bad.refresh()
    good.refresh()
    assert bad.status == TaskResultStatus.FAILED
    assert "ValueError: no such file" in bad.errors[0].traceback
    assert good.return_value == 2


def test_stars_worker_batch_runs_the_waiting_jobs():
    result = add.enqueue(20, 22)
    outcome = CliRunner().invoke(app, ["worker", "--batch", "--interval", "0"])
    assert outcome.exit_code == 0, outcome.output
    result.refresh()
    assert result.return_value == 42
    assert not WorkerHeartbeat.objects.exists()  # removed when the worker stopped cleanly


def test_health_needs_a_recent_heartbeat():
    now = timezone.now()
    assert worker_health(now).ok is False
    beat("w1")
    assert worker_health(now).as_json()["workers"] == 1
    assert worker_health(now).ok is True
    assert worker_health(now + dt.timedelta(minutes=2)).ok is False


def test_a_worker_busy_with_a_long_job_is_healthy_while_its_beats_lag():
    beat("w1")
    add.enqueue(1, 2)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    later = timezone.now() + dt.timedelta(minutes=5)
    health = worker_health(later)
    assert (health.ok, health.workers, health.running) == (True, 0, 1)
    assert worker_health(later + dt.timedelta(hours=1)).ok is False


def test_the_heartbeat_thread_beats_until_stopped_then_removes_its_row():
    hb = Heartbeat("w-thread", every=0.05)
    hb.beat_once()
    first = WorkerHeartbeat.objects.get(worker_id="w-thread").beat_at
    hb.start()
    time.sleep(0.3)
    hb.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="w-thread").exists()
    assert first <= timezone.now()


def test_serve_runs_a_worker_on_the_embedded_default_only(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert embedded_worker_default() is True
    monkeypatch.setenv("DATABASE_URL", "postgres://db/stars")
    assert embedded_worker_default() is False


def test_a_worker_process_runs_a_job_enqueued_by_another_process(tmp_path, migrated_home):
    """Two processes share only the database, as `stars serve` and its worker do."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["STARS_HOME"] = str(migrated_home(tmp_path))
    enqueue = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='stars.core.settings';"
        "django.setup(); from tests.jobs.tasks import add;"
        "print(add.enqueue(4, 5).id)"
    )
    job = subprocess.run(
        [sys.executable, "-c", enqueue], env=env, capture_output=True, text=True, timeout=120
    )
    assert job.returncode == 0, job.stderr
    ran = subprocess.run(
        [sys.executable, "-m", "stars.cli", "worker", "--batch", "--interval", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    check = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='stars.core.settings';"
        "django.setup(); from django_tasks_db.models import DBTaskResult;"
        f"print(DBTaskResult.objects.get(id='{job.stdout.strip()}').return_value)"
    )
    got = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=60
    )
    assert got.stdout.strip() == "9", got.stderr


def test_stars_serve_starts_a_worker_and_stops_it_with_itself(tmp_path, migrated_home):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "STARS_ENV")}
    env["STARS_HOME"] = str(migrated_home(tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "stars.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children_file = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    try:
        deadline = time.monotonic() + 90
        children: list[int] = []
        cmdline: list[bytes] = []
        # a child is seen first with its parent's command line (forked, not yet started):
        # wait for it to become the worker
        while time.monotonic() < deadline and cmdline[-3:] != [b"stars.cli", b"worker", b""]:
            time.sleep(0.3)
            children = [int(p) for p in children_file.read_text().split()]
            if children:
                with contextlib.suppress(FileNotFoundError):  # gone between the two reads
                    cmdline = Path(f"/proc/{children[0]}/cmdline").read_bytes().split(b"\0")
        assert children, "stars serve started no worker"
        assert cmdline[-3:] == [b"stars.cli", b"worker", b""]
    finally:
        server.terminate()
        server.wait(timeout=120)  # generous: the machine may be busy
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{children[0]}").exists():
        time.sleep(0.2)
    assert not Path(f"/proc/{children[0]}").exists(), "the worker outlived stars serve"


def _london(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def test_a_daily_job_is_enqueued_once_a_day_from_its_hour_however_many_workers_beat():
    day = dt.date(2024, 11, 26)
    assert enqueue_daily([daily], _london(day, dt.time(5, 59))) == []  # before DAILY_AT
    assert dt.time(6, 0) == DAILY_AT
    assert enqueue_daily([daily], _london(day, dt.time(6, 0))) == [daily.module_path]
    for minute in (1, 2, 30):  # other workers' beats, and restarts, the same day
        assert enqueue_daily([daily], _london(day, dt.time(6, minute))) == []
    assert DBTaskResult.objects.count() == 1
    run_worker(batch=True, interval=0, verbosity=0)
    assert DBTaskResult.objects.get().return_value == "ran for 2024-11-26"
    assert enqueue_daily([daily], _london(day + dt.timedelta(days=1), dt.time(23, 0))) == [
        daily.module_path
    ]
    assert list(DailyRun.objects.order_by("day").values_list("day", flat=True)) == [
        day,
        day + dt.timedelta(days=1),
    ]


def test_a_day_claimed_by_another_worker_between_look_and_claim_is_left_to_it(monkeypatch):
    day = dt.date(2024, 11, 26)
    DailyRun.objects.create(name=daily.module_path, day=day, enqueued_at=timezone.now())
    # the look finds nothing (the other worker has not committed yet); the claim then fails
    monkeypatch.setattr(DailyRun.objects, "filter", lambda **kw: DailyRun.objects.none())
    assert enqueue_daily([daily], _london(day, dt.time(7, 0))) == []
    assert not DBTaskResult.objects.exists()  # the claim and the job are rolled back together


def test_the_worker_beats_enqueue_its_daily_jobs():
    hb = Heartbeat("w-daily", every=60, daily=[daily])
    hb.beat_once()
    now = timezone.localtime()
    expected = 1 if now.time() >= DAILY_AT else 0
    assert DBTaskResult.objects.count() == expected
    hb.beat_once()
    assert DBTaskResult.objects.count() == expected


def test_the_worker_beats_enqueue_a_change_job_once_per_version_of_the_records():
    version = ["v1"]
    hb = Heartbeat("w-change", every=60, on_change=[(lambda: version[0], daily)])
    hb.beat_once()  # a worker that starts warms once
    hb.beat_once()
    assert list(DBTaskResult.objects.values_list("args_kwargs", flat=True)) == [
        {"args": ["v1"], "kwargs": {}}
    ]
    version[0] = "v2"  # an import or an edit: a new version
    hb.beat_once()
    hb.beat_once()
    assert DBTaskResult.objects.count() == 2
    run_worker(batch=True, interval=0, verbosity=0)
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "ran for v1",
        "ran for v2",
    ]
