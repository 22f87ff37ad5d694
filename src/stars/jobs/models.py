"""The heartbeat of each running worker: ``/healthz`` reads it to tell that jobs are run."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running worker process, touched every few seconds while it runs and
    deleted when it stops cleanly (a row left by a killed worker goes stale)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} (last beat {self.beat_at:%Y-%m-%d %H:%M:%S})"
