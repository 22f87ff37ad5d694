"""A notification to one user, its email's delivery, and each user's choices."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stars.notifications.events import EVENTS


class EmailStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent (no email wanted or no address)"
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Failed; will be tried again"
    FAILED = "failed", "Failed; given up"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=32, choices=list(EVENTS.items()))
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True, help_text="where the thing is done")
    key = models.CharField(
        max_length=200, blank=True, help_text="the same key is never notified twice to a user"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    in_app = models.BooleanField(default=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.NOT_SENT
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["email_status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="one_notification_per_user_and_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}: {self.title}"


class Preference(models.Model):
    """A user's choice for one event; without a row, the event is wanted both ways."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    event = models.CharField(max_length=32, choices=list(EVENTS.items()))
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")
        ]
