"""The daily job of notifications that time brings (``stars worker`` enqueues it once a day)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from stars.cases.notices import notify_due


@task()
def notify_due_daily(day: str) -> dict[str, int]:
    """``stars notify-due`` for ``day`` (YYYY-MM-DD): stuck enquiries and overdue meetings
    and measures; the number of notifications made, by event."""
    return notify_due(dt.date.fromisoformat(day))
