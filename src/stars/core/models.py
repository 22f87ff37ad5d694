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
    # An entry kept in a file while an import held SQLite's write lock carries an id of its
    # own (stars.core.audit): writing the file in twice adds it once. Blank for the others.
    kept_id = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

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


class IdempotencyKey(models.Model):
    """An API write done under a client's ``Idempotency-Key`` (``stars.core.idempotency``):
    the same key sent again by the same user is answered as the first time, and does
    nothing. Remembered for ``stars.domain.idempotency.KEY_KEPT`` (24 hours): older rows
    are ignored and deleted by the next request with a key. No personal data (the request's
    fingerprint is a hash; the record made is named by its id).

    The unique constraint is what makes two retries at once do the write once: the second
    one's row cannot be inserted until the first's transaction ends, and then it is the
    first's answer."""

    user = models.ForeignKey(  # the unique constraint's index (user, key) serves it
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path with query, and body"
    )
    status = models.PositiveSmallIntegerField(help_text="the status of the first answer")
    object_type = models.CharField(max_length=64, help_text="the kind of record made")
    object_id = models.CharField(max_length=64, help_text="the id of the record made")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.status} {self.object_type} {self.object_id}"
