"""Template context: the whole quarters a user who sees figures only may choose dates from
(``stars.core.dates``), from the start of the programme worked in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from stars.core.dates import dates_coarse
from stars.domain.calendar import long_date
from stars.domain.disclosure import BOUNDS, FROM, coarse_choices
from stars.partnership.selectors import contract_or_none


def _choices(bound: str) -> Callable[[], list[tuple[dt.date, str]]]:
    def choices() -> list[tuple[dt.date, str]]:  # worked out only where a page shows them
        today = timezone.localdate()
        contract = contract_or_none()
        side = "start" if bound == FROM else "end"
        return [
            (day, f"{long_date(day)} ({side} of {label})")
            for day, label in coarse_choices(contract.start if contract else today, bound, today)
        ]

    return choices


def date_choices(request: HttpRequest) -> dict[str, Any]:
    """``date_choices_as_of``, ``date_choices_from`` and ``date_choices_to`` for the page's
    date fields (``stars/date_field.html``); nothing for users who choose any day."""
    if not dates_coarse(request):
        return {}
    return {f"date_choices_{bound}": _choices(bound) for bound in BOUNDS}
