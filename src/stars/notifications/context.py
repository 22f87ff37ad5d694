"""Template context: the signed-in user's unread notifications, for the bar at the top."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from stars.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if user is not None else 0}
