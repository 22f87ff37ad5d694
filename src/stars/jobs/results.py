"""Results of jobs: work done in the request itself, kept as a finished job's result.

Work short enough to answer at once (a simulation of a few runs) is not queued for a worker,
yet its result is kept as a job's is, so that the page's later requests (its download) read
it with the task's ``get_result`` as they read a worker's, and never work it out again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks_db.models import DBTaskResult

# Named in the job's worker ids: it was worked out by the request that stored it.
IN_REQUEST = "worked out in the request"


def job_done(task: Any, args: Any, value: Any) -> str:
    """Keep ``value`` as the result of ``task(args)``, already worked out: the job is
    stored finished (successful), in one transaction with its enqueuing, so no worker ever
    sees it waiting and runs it. Its id, for ``task.get_result``."""
    with transaction.atomic():
        queued = task.enqueue(args)
        row = DBTaskResult.objects.select_for_update().get(pk=queued.id)
        row.claim(IN_REQUEST)
        row.set_successful(value)
    return str(queued.id)
