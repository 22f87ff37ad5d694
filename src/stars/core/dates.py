"""The ``as_of`` date of a page: ``?as_of=YYYY-MM-DD`` (or a posted form's), else today.

The date itself is read by ``stars.domain.calendar.parse_date``, the one parser of typed
ISO dates (pages and commands alike).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from stars.domain.calendar import parse_date


def as_of(request: HttpRequest, *, posted: bool = False) -> dt.date:
    """The date a page's figures are as of: ``?as_of=YYYY-MM-DD`` (with ``posted``, the
    posted form's ``as_of``), else today."""
    values = request.POST if posted else request.GET
    return parse_date(values.get("as_of")) or timezone.localdate()
