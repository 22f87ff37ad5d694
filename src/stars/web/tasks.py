"""The job that warms the pages' cached figures (``stars worker`` enqueues it after each
change to the records: ``stars.web.warm``)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from stars.web.warm import warm_figures


@task()
def warm_figures_job(version: str, as_of: list[str] | None = None) -> int:
    """``stars warm-figures`` after the records reached ``version`` (kept in the job's
    arguments for the record): how many users' pages were warmed."""
    return warm_figures(dt.date.fromisoformat(d) for d in as_of or [])
