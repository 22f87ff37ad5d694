"""The ``as_of`` date of a page: ``?as_of=YYYY-MM-DD``, else today.

The date itself is read by ``stars.domain.calendar.parse_date``, the one parser of typed
ISO dates (pages and commands alike).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from stars.domain.calendar import parse_date


def as_of(request: HttpRequest) -> dt.date:
    """The date a page's figures are as of: ``?as_of=YYYY-MM-DD``, else today."""
    return parse_date(request.GET.get("as_of")) or timezone.localdate()
