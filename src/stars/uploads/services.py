"""Uploads: keep the files with who loaded them and when, and start the import's job."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction

from stars.core.audit import record_access
from stars.core.programmes import programme_active
from stars.partnership.models import Council
from stars.uploads.files import RETURNS_ARCHIVE, TRACKER_FILES, folder_of
from stars.uploads.models import Upload
from stars.uploads.tasks import run_upload

logger = logging.getLogger("stars.uploads")


class NotStored(Exception):
    """The upload's files could not be written under STARS_HOME (a full disk, a folder the
    service may not write in): nothing of it was kept. The message says why, briefly."""


def _keep(folder: Path, field: str, stored: str, upload: BinaryIO, name: str) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with (folder / stored).open("wb") as out:
        for chunk in iter(lambda: upload.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {
        "field": field,
        "name": Path(name).name[:200],
        "stored": stored,
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


def _create(
    *, kind: str, by: Any, council: Council | None, files: list[tuple[str, str, BinaryIO, str]]
) -> Upload:
    """Store the upload and its files, and start its job once the row is committed; when
    a file cannot be written, nothing is kept (no row, no part of a file: the rest of the
    disk stays free) and :class:`NotStored` says why."""
    with transaction.atomic():
        active = programme_active()
        upload = Upload.objects.create(
            kind=kind,
            council=council,
            uploaded_by=by,
            uploaded_by_name=by.username,
            programme=active.code if active else "",
        )
        folder = folder_of(upload)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            upload.files = [_keep(folder, *f) for f in files]
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            logger.error("upload %s not stored in %s: %s", upload.pk, folder, exc)
            raise NotStored(exc.strerror or type(exc).__name__) from exc
        upload.save(update_fields=["files"])
        record_access(
            user=by,
            action="upload",
            object_type=f"upload {kind}",
            object_id=str(upload.pk),
            detail=", ".join(f"{f['name']} ({f['bytes']} bytes)" for f in upload.files),
        )

        def start() -> None:
            job = run_upload.enqueue(upload.pk)
            Upload.objects.filter(pk=upload.pk).update(job_id=str(job.id))

        transaction.on_commit(start)
    return upload


def upload_tracker(*, by: Any, files: dict[str, Any]) -> Upload:
    """``files``: the form's uploaded files by field (contract, enquiries, referrals,
    periods)."""
    return _create(
        kind=Upload.Kind.TRACKER,
        by=by,
        council=None,
        files=[
            (field, stored, files[field], files[field].name) for field, stored, _ in TRACKER_FILES
        ],
    )


def upload_returns(*, by: Any, council: Council, archive: Any, check_only: bool = False) -> Upload:
    """Returns to import, or with ``check_only`` to check with DfE's rules only."""
    return _create(
        kind=Upload.Kind.VALIDATE if check_only else Upload.Kind.RETURNS,
        by=by,
        council=council,
        files=[("archive", RETURNS_ARCHIVE, archive, archive.name)],
    )
