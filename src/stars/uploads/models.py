"""An upload: the files someone loaded in the browser, and what became of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stars.domain.references import upload_reference
from stars.partnership.models import Council


class Upload(models.Model):
    class Kind(models.TextChoices):
        TRACKER = "tracker", "Tracker"
        RETURNS = "returns", "SSDA903 returns"
        VALIDATE = "validate", "SSDA903 returns checked with DfE's rules"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Imported"
        REJECTED = "rejected", "Not imported: problems found"
        FAILED = "failed", "Not imported: it could not be processed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.PROTECT)
    # the programme the uploader worked in (code; blank: none): a tracker must be its own
    programme = models.CharField(max_length=40, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # [{"field": "enquiries", "name": "enquiries.csv" (as uploaded), "stored": ..., "bytes": N,
    #   "sha256": ...}] under STARS_HOME/uploads/<id>/
    files = models.JSONField(default=list)
    job_id = models.CharField(max_length=64, blank=True)
    headline = models.TextField(blank=True)  # what happened, in one sentence
    lines = models.JSONField(default=list)  # the summary, or every problem FILE:LINE: ...
    problems = models.BooleanField(default=False)  # lines are problems

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} by {self.uploaded_by_name}"

    @property
    def reference(self) -> str:
        """How the upload is named to users (docs/identifiers.md): UPLOAD-17."""
        return upload_reference(self.pk)

    @property
    def disposed(self) -> bool:
        """Its files were disposed of under the retention schedule."""
        return any(f.get("disposed") for f in self.files)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)
