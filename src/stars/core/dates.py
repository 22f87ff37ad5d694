"""Dates as pages and commands read them: ``YYYY-MM-DD``, and the ``as_of`` of a page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone


def parse_date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None for anything else (blank included)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def as_of(request: HttpRequest) -> dt.date:
    """The date a page's figures are as of: ``?as_of=YYYY-MM-DD``, else today."""
    return parse_date(request.GET.get("as_of", "")) or timezone.localdate()
