"""Dates typed into a page's address: ``?as_of=YYYY-MM-DD`` (or a posted form's), ``?from=``,
``?to=``.

The date itself is read by ``stars.domain.calendar.parse_date``, the one parser of typed
ISO dates (pages and commands alike). A value that is not a real date is never silently
ignored: it is kept on the request as a :class:`DateProblem`, and every page shows it the
same way (``stars/base.html``: "Error:" before the title, an error summary naming the field
and what was typed, and what the page shows instead); the page answers 400 (``page``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from stars.domain.calendar import long_date, parse_date


@dataclass(frozen=True)
class DateProblem:
    """A date in the address that is not a real date, and what the page shows instead."""

    field: str  # the name in the address
    label: str  # the field as the person knows it: "as at", "from"
    typed: str
    instead: dt.date | None  # the date the page uses in its place (None: no date)
    target: str = ""  # the id of the page's input for this date ("": the page has none)

    @property
    def message(self) -> str:
        shown = (
            f"The page shows the figures as at {long_date(self.instead)} instead"
            if self.instead
            else "The page is shown without this date"
        )
        return (
            f"Enter a real date for '{self.label}', for example 2024-03-31 "
            f"('{self.typed}' is not a date). {shown}."
        )


def date_problems(request: HttpRequest) -> list[DateProblem]:
    """The dates in the request's address that were not real dates (none read yet: [])."""
    found: list[DateProblem] = request.__dict__.setdefault("stars_date_problems", [])
    return found


def address_date(
    request: HttpRequest,
    name: str,
    label: str,
    default: dt.date | None = None,
    *,
    posted: bool = False,
    target: str = "",
) -> dt.date | None:
    """The date ``?name=YYYY-MM-DD`` names (with ``posted``, the posted form's), else
    ``default``; a value that is not a real date is noted as a :class:`DateProblem`, whose
    error summary links to the page's input ``target`` (its id; "": the page has none,
    so the summary names the problem without a link)."""
    values = request.POST if posted else request.GET
    typed = (values.get(name) or "").strip()
    day = parse_date(typed)
    if typed and day is None:
        date_problems(request).append(DateProblem(name, label, typed, default, target))
    return day or default


def as_of(request: HttpRequest, *, posted: bool = False, target: str = "") -> dt.date:
    """The date a page's figures are as of: ``?as_of=YYYY-MM-DD`` (with ``posted``, the
    posted form's ``as_of``), else today; ``target``: the id of the page's as-of input."""
    today = timezone.localdate()
    return address_date(request, "as_of", "as at", today, posted=posted, target=target) or today


def date_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the address's dates that were not real dates (``base.html``)."""
    return {"date_problems": date_problems(request)}
