"""Reads about the jobs: is a worker running them, and how a job stands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from stars.jobs.models import WorkerHeartbeat

# A worker whose last beat is older than this is taken for stopped (it beats every 10 s).
STALE_AFTER = dt.timedelta(seconds=60)
# A worker running a job may miss beats while SQLite is busy writing that job's import.
BUSY_STALE_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class WorkerHealth:
    ok: bool
    workers: int  # workers with a recent beat
    running: int  # jobs running now
    waiting: int  # jobs ready to run
    last_beat: dt.datetime | None

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "workers": self.workers,
            "jobs_running": self.running,
            "jobs_waiting": self.waiting,
            "last_beat": self.last_beat.isoformat() if self.last_beat else None,
        }


def worker_health(now: dt.datetime | None = None) -> WorkerHealth:
    """Healthy when a worker beat within ``STALE_AFTER``, or (a worker busy with a long job)
    a job is running and its worker beat within ``BUSY_STALE_AFTER``."""
    now = now or timezone.now()
    beats = WorkerHeartbeat.objects.all()
    fresh = beats.filter(beat_at__gte=now - STALE_AFTER).count()
    last = beats.order_by("-beat_at").values_list("beat_at", flat=True).first()
    running = DBTaskResult.objects.running().count()
    waiting = DBTaskResult.objects.ready().count()
    busy = running > 0 and beats.filter(beat_at__gte=now - BUSY_STALE_AFTER).exists()
    return WorkerHealth(
        ok=fresh > 0 or busy, workers=fresh, running=running, waiting=waiting, last_beat=last
    )
