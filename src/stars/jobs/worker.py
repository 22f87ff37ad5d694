"""The job worker: django-tasks' database worker, with a heartbeat beside it.

``run_worker`` runs the ``db_worker`` command of ``django_tasks_db`` (every queue) in this
process while a thread records a :class:`~stars.jobs.models.WorkerHeartbeat` every
``HEARTBEAT_SECONDS``. A beat that cannot be written (SQLite busy with a long import) is
skipped, not fatal: the next one catches up.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from django.core.management import call_command
from django.db import DatabaseError, connections
from django.utils import timezone

from stars.jobs.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 10.0
logger = logging.getLogger("stars.jobs")


def new_worker_id() -> str:
    """host:pid:random, at most 64 characters (django-tasks' limit)."""
    host = socket.gethostname()[:30]
    return f"{host}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def beat(worker_id: str, started_at: object | None = None) -> None:
    """Record that ``worker_id`` is alive now (one small write)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": now},
        create_defaults={
            "beat_at": now,
            "started_at": started_at or now,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


class Heartbeat(threading.Thread):
    """Beats every ``every`` seconds until stopped; removes its row when stopped."""

    def __init__(self, worker_id: str, every: float = HEARTBEAT_SECONDS) -> None:
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def beat_once(self) -> None:
        try:
            beat(self.worker_id, self.started_at)
        except DatabaseError as exc:
            logger.warning("worker heartbeat skipped: %s", exc)

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            self.beat_once()
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.every + 30)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError as exc:
            logger.warning("worker heartbeat not removed: %s", exc)


def run_worker(
    *,
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    verbosity: int = 1,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> None:
    """Run jobs of every queue until stopped (SIGINT/SIGTERM finish the job in hand), or
    until none is left with ``batch``."""
    worker_id = new_worker_id()
    heartbeat = Heartbeat(worker_id, every=heartbeat_seconds)
    heartbeat.beat_once()
    heartbeat.start()
    try:
        options: dict[str, object] = {}
        if max_tasks is not None:
            options["max_tasks"] = max_tasks
        call_command(
            "db_worker",
            queue_name="*",
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=False,
            worker_id=worker_id,
            verbosity=verbosity,
            **options,
        )
    finally:
        heartbeat.stop()
