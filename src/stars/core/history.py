"""Change history (django-simple-history), without rows for saves that change nothing kept."""

from __future__ import annotations

from typing import Any

from simple_history.models import HistoricalRecords


class History(HistoricalRecords):
    """simple-history's records, except for a save that writes only excluded fields: a
    sign-in saves ``last_login`` alone (``update_fields=["last_login"]``), and simple-history
    would otherwise add a "changed" row naming no field on every sign-in."""

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
