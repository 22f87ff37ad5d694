"""The access log: every read of a child's record, and every export, by whom and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=32)  # view, export, import, sign-in...
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    programme = models.CharField(
        max_length=40, blank=True, help_text="code of the programme worked in (blank: none)"
    )

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M}"
        return f"{when} {self.username} {self.action} {self.object_type} {self.object_id}"


class AccessLogRecord(models.Model):
    """A child's record one access-log entry showed without naming it: the entry names a
    record of many children (a claim, its dispute form, its documents) and each of its rows
    names the record of one child whose lines it showed (``referral``, its id), so that a
    subject access response finds the view, while the access review, which counts the
    entries' own records, counts it once, as the claim it was."""

    entry = models.ForeignKey(AccessLog, on_delete=models.CASCADE, related_name="records")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.object_type} {self.object_id}"


class DataVersionCounter(models.Model):
    """One row, a number that only goes up: part of every data version
    (``stars.core.cache``). A change the history tables cannot show (a disposal deletes
    history rows, so the newest of a table may go back to an older one, and clears fields
    without writing any) adds one to it in its own transaction, so every version moves on
    and never returns to one seen before."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version counter {self.value}"
