"""Reads of notifications: a user's own, and the emails that failed (for administrators)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from stars.notifications.models import EmailStatus, Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications in the service, newest first."""
    return Notification.objects.filter(user=user, in_app=True).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(user).filter(read_at__isnull=True).count()


def emails_failing() -> QuerySet[Notification]:
    """Emails that failed: being retried or given up, newest first."""
    return (
        Notification.objects.filter(email_status__in=[EmailStatus.RETRYING, EmailStatus.FAILED])
        .select_related("user")
        .order_by("-created_at", "-id")
    )
