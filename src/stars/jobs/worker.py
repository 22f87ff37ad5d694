"""The job worker: django-tasks' database worker, with a heartbeat beside it.

``run_worker`` runs the ``db_worker`` command of ``django_tasks_db`` (every queue) in this
process while a thread records a :class:`~stars.jobs.models.WorkerHeartbeat` every
``HEARTBEAT_SECONDS``. A beat that cannot be written (SQLite busy with a long import) is
skipped, not fatal: the next one catches up.

With each beat the worker also enqueues the daily jobs it was given (``stars worker`` gives
``stars notify-due``'s job) once a day, from ``DAILY_AT`` local time: the first worker to
record the day's :class:`~stars.jobs.models.DailyRun` enqueues it, so however many workers
run, and however often they restart, each daily job is enqueued once a day. It also
enqueues the jobs it was given to run after a change (``stars worker`` gives the warming
of the pages' figures, ``stars.web.warm``) whenever their version of the records differs
from the one it saw last: within a beat of an import or an edit, and once when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from stars.jobs.models import DailyRun, WorkerHeartbeat

HEARTBEAT_SECONDS = 10.0
DAILY_AT = dt.time(6, 0)  # local time (Europe/London) from which each day's daily jobs run
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


def enqueue_daily(daily: Sequence[Any], now: dt.datetime | None = None) -> list[str]:
    """Enqueue each daily job (a ``django_tasks`` task taking the day as ``YYYY-MM-DD``) not
    yet enqueued for today, once ``DAILY_AT`` has passed; the names of those enqueued."""
    local = timezone.localtime(now or timezone.now())
    if local.time() < DAILY_AT:
        return []
    done = []
    for job in daily:
        name = job.module_path
        if DailyRun.objects.filter(name=name, day=local.date()).exists():
            continue
        try:
            with transaction.atomic():  # the claim and the job are saved together
                DailyRun.objects.create(name=name, day=local.date(), enqueued_at=local)
                job.enqueue(local.date().isoformat())
        except IntegrityError:
            continue  # another worker claimed it first
        logger.info("daily job %s enqueued for %s", name, local.date())
        done.append(name)
    return done


def enqueue_on_change(
    on_change: Sequence[tuple[Callable[[], str], Any]], seen: dict[int, str]
) -> list[str]:
    """Enqueue each ``(version, job)`` of ``on_change`` whose ``version()`` differs from the
    one this worker saw last (``seen``, by position; nothing seen yet counts as a change, so
    a worker that starts runs them once); the job gets the version. The names enqueued."""
    done = []
    for i, (version, job) in enumerate(on_change):
        now = version()
        if seen.get(i) == now:
            continue
        job.enqueue(now)
        seen[i] = now
        logger.info("job %s enqueued for a change of the records", job.module_path)
        done.append(job.module_path)
    return done


class Heartbeat(threading.Thread):
    """Beats every ``every`` seconds until stopped, enqueuing the ``daily`` jobs when due
    and the ``on_change`` jobs when their version changes; removes its row when stopped."""

    def __init__(
        self,
        worker_id: str,
        every: float = HEARTBEAT_SECONDS,
        daily: Sequence[Any] = (),
        on_change: Sequence[tuple[Callable[[], str], Any]] = (),
        each_beat: Sequence[Callable[[], object]] = (),
    ) -> None:
        super().__init__(name=f"heartbeat {worker_id}", daemon=True)
        self.worker_id = worker_id
        self.every = every
        self.daily = tuple(daily)
        self.on_change = tuple(on_change)
        self.each_beat = tuple(each_beat)
        self.seen: dict[int, str] = {}
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def beat_once(self) -> None:
        try:
            beat(self.worker_id, self.started_at)
            enqueue_daily(self.daily)
            enqueue_on_change(self.on_change, self.seen)
            for work in self.each_beat:  # only once a beat could be written: the lock is free
                work()
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
    daily: Sequence[Any] = (),
    on_change: Sequence[tuple[Callable[[], str], Any]] = (),
    each_beat: Sequence[Callable[[], object]] = (),
) -> None:
    """Run jobs of every queue until stopped (SIGINT/SIGTERM finish the job in hand), or
    until none is left with ``batch``; ``daily`` jobs are enqueued once a day,
    ``on_change`` jobs after each change of their version (see above) and ``each_beat``
    called after every beat that could be written."""
    worker_id = new_worker_id()
    heartbeat = Heartbeat(
        worker_id, every=heartbeat_seconds, daily=daily, on_change=on_change, each_beat=each_beat
    )
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
