"""The background job that sends a notification's email, retried when it fails."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from stars.domain.notifications import retry_after
from stars.notifications.delivery import sender
from stars.notifications.models import EmailStatus, Notification


@task()
def send_email(notification_id: int) -> str:
    """Send one email; on failure record the error and try again later
    (``stars.domain.notifications.retry_after``), until it is given up."""
    n = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if n is None or n.email_status not in (EmailStatus.QUEUED, EmailStatus.RETRYING):
        return "nothing to send"
    try:
        sent = sender().send(n)
    except Exception as exc:  # any failure of the sender is recorded and retried
        n.email_attempts += 1
        n.email_error = f"{type(exc).__name__}: {exc}"[:500]
        delay = retry_after(n.email_attempts)
        if delay is None:
            n.email_status = EmailStatus.FAILED
        else:
            n.email_status = EmailStatus.RETRYING
            send_email.using(run_after=timezone.now() + delay).enqueue(n.pk)
        n.save(update_fields=["email_attempts", "email_error", "email_status"])
        return f"failed: {n.email_error}"
    n.email_attempts += 1
    n.email_status, n.email_sent_at, n.email_error = EmailStatus.SENT, timezone.now(), ""
    n.save(update_fields=["email_attempts", "email_status", "email_sent_at", "email_error"])
    return sent
