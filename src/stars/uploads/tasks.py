"""The background job of an upload."""

from __future__ import annotations

from django_tasks import task

from stars.uploads import runner


@task()
def run_upload(upload_id: int) -> str:
    """Import an upload (``stars.uploads.runner.run``); returns its final status."""
    return runner.run(upload_id)
