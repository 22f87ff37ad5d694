"""Where an upload's files are kept, the size limit, and the progress of its job.

Progress goes to a small file beside the upload (``progress.json``), so a page can read it
while the import's transaction is still open (SQLite shows no row written inside it).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from stars.uploads.models import Upload

TRACKER_FILES = (  # form field, stored as, what it is
    ("contract", "contract.toml", "contract TOML"),
    ("enquiries", "enquiries.csv", "enquiries CSV"),
    ("referrals", "referrals.csv", "referrals CSV"),
    ("periods", "outcome_periods.csv", "outcome periods CSV"),
)
RETURNS_ARCHIVE = "returns.zip"


def folder_of(upload: Upload) -> Path:
    return Path(settings.STARS_HOME) / "uploads" / str(upload.pk)


# --- progress -----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    stage: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


def write_progress(upload: Upload, stage: str, done: int, total: int) -> None:
    path = folder_of(upload) / "progress.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"stage": stage, "done": done, "total": total}))
    os.replace(tmp, path)


def read_progress(upload: Upload) -> Progress:
    if upload.status == Upload.Status.WAITING:
        return Progress("Waiting for the job worker to start", 0, 0)
    try:
        data = json.loads((folder_of(upload) / "progress.json").read_text())
    except (OSError, ValueError):
        return Progress("Starting", 0, 0)
    return Progress(str(data["stage"]), int(data["done"]), int(data["total"]))
