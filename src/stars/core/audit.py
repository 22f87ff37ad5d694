"""Audit: log every read of a child's record and every export or import."""

from __future__ import annotations

from typing import Any

from stars.core.models import AccessLog


def record_access(
    *,
    user: Any,
    action: str,
    object_type: str = "",
    object_id: str = "",
    path: str = "",
    detail: str = "",
) -> None:
    AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        path=path[:500],
        detail=detail[:500],
    )
