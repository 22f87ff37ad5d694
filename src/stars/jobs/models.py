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


class DailyRun(models.Model):
    """A daily job enqueued for one day: the first worker to write the row for a job and a
    day enqueues it; every other worker finds the row there and does not."""

    name = models.CharField(max_length=200)
    day = models.DateField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="daily_run_once")]

    def __str__(self) -> str:
        return f"{self.name} for {self.day:%Y-%m-%d}"
