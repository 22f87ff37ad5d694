"""Where an email goes: GOV.UK Notify when an API key is configured (production), else the
local outbox, one text file per email in ``$STARS_HOME/outbox/`` (the embedded default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from notifications_python_client.notifications import NotificationsAPIClient

from stars.notifications.models import Notification


class Sender(Protocol):
    def send(self, notification: Notification) -> str: ...


def _link(notification: Notification) -> str:
    return settings.STARS_BASE_URL.rstrip("/") + notification.url if notification.url else ""


class NotifySender:
    """GOV.UK Notify's official client: one template (or one per event) whose
    personalisation is ``subject``, ``body`` and ``link``."""

    def __init__(self, api_key: str, client: Any = None) -> None:
        self.client = client if client is not None else NotificationsAPIClient(api_key)

    def send(self, notification: Notification) -> str:
        template = settings.STARS_NOTIFY_TEMPLATES.get(
            notification.event, settings.STARS_NOTIFY_TEMPLATE_ID
        )
        if not template:
            raise RuntimeError(f"no GOV.UK Notify template id for {notification.event}")
        response = self.client.send_email_notification(
            email_address=notification.user.email,
            template_id=template,
            personalisation={
                "subject": notification.title,
                "body": notification.body,
                "link": _link(notification),
            },
            reference=f"stars-{notification.pk}",
        )
        return str(response.get("id", "")) if isinstance(response, dict) else ""


class OutboxSender:
    """The embedded default: each email written to the outbox folder, for a person to read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, notification: Notification) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        at = notification.created_at
        path = self.folder / f"{at:%Y%m%d-%H%M%S}-{notification.pk}.txt"
        path.write_text(
            f"To: {notification.user.email}\n"
            f"Subject: {notification.title}\n"
            f"Event: {notification.event}\n\n"
            f"{notification.body}\n\n{_link(notification)}\n",
            encoding="utf-8",
        )
        return str(path)


def sender() -> Sender:
    """GOV.UK Notify when ``STARS_NOTIFY_API_KEY`` is set, else the outbox."""
    if settings.STARS_NOTIFY_API_KEY:
        return NotifySender(settings.STARS_NOTIFY_API_KEY)
    return OutboxSender(settings.STARS_OUTBOX)
