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

from stars.domain.calendar import latest_date, long_date, parse_date
from stars.domain.disclosure import AS_OF, BOUND_RULES, FROM, TO, coarse_date


@dataclass(frozen=True)
class DateProblem:
    """A date in the address that is not a real date, and what the page shows instead."""

    field: str  # the name in the address
    label: str  # the field as the person knows it: "as at", "from"
    typed: str
    instead: dt.date | None  # the date the page uses in its place (None: no date)
    target: str = ""  # the id of the page's input for this date ("": the page has none)
    coarse: str = ""  # a real date, but not a whole quarter's: the bound it is (disclosure)
    latest: dt.date | None = None  # a real date, but after the latest a page takes: that one

    @property
    def message(self) -> str:
        if not self.instead:
            shown = "The page is shown without this date"
        elif self.field == "as_of":
            shown = f"The page shows the figures as at {long_date(self.instead)} instead"
        else:
            shown = f"The page shows '{self.label}' {long_date(self.instead)} instead"
        if self.latest:
            return (
                f"Enter a date for '{self.label}' no later than {long_date(self.latest)} "
                f"('{self.typed}' is further ahead than any programme's figures). {shown}."
            )
        if self.coarse:
            return (
                f"Select '{self.label}' from the list: it must be {BOUND_RULES[self.coarse]}, "
                f"since figures only are shown for whole quarters ('{self.typed}' is not). "
                f"{shown}."
            )
        return (
            f"Enter a real date for '{self.label}', for example 2024-03-31 "
            f"('{self.typed}' is not a date). {shown}."
        )


def date_problems(request: HttpRequest) -> list[DateProblem]:
    """The dates in the request's address that were not real dates (none read yet: [])."""
    found: list[DateProblem] = request.__dict__.setdefault("stars_date_problems", [])
    return found


_COARSE = "stars_dates_coarse"


def dates_coarsen(request: HttpRequest) -> None:
    """Ask for whole quarters on this request: its user sees aggregate figures only (``page``
    decides it, from the user's scope)."""
    request.__dict__[_COARSE] = True


def dates_coarse(request: HttpRequest) -> bool:
    """Are this request's dates whole quarters (:func:`dates_coarsen`)?"""
    return bool(request.__dict__.get(_COARSE))


def dates_refused(request: HttpRequest) -> bool:
    """Was a date in the address refused as finer than a whole quarter?"""
    return any(p.coarse for p in date_problems(request))


def address_date(
    request: HttpRequest,
    name: str,
    label: str,
    default: dt.date | None = None,
    *,
    posted: bool = False,
    target: str = "",
    bound: str = "",
) -> dt.date | None:
    """The date ``?name=YYYY-MM-DD`` names (with ``posted``, the posted form's), else
    ``default``; a value that is not a real date is noted as a :class:`DateProblem`, whose
    error summary links to the page's input ``target`` (its id; "": the page has none,
    so the summary names the problem without a link).

    ``bound`` (``stars.domain.disclosure``: "as_of", "from" or "to") says what the date is;
    on a request asking for whole quarters (:func:`dates_coarsen`) a date that is not that
    bound of a quarter is noted as a problem too, and the whole quarter's date used instead."""
    values = request.POST if posted else request.GET
    typed = (values.get(name) or "").strip()
    day = parse_date(typed)
    if typed and day is None:
        date_problems(request).append(DateProblem(name, label, typed, default, target))
    latest = latest_date(timezone.localdate())
    if day is not None and day > latest:
        date_problems(request).append(
            DateProblem(name, label, typed, default, target, latest=latest)
        )
        return default
    if day is not None and bound and dates_coarse(request):
        coarse = coarse_date(day, bound, timezone.localdate())
        if coarse != day:
            date_problems(request).append(DateProblem(name, label, typed, coarse, target, bound))
            return coarse
    return day or default


def as_of(
    request: HttpRequest, *, posted: bool = False, target: str = "", records: bool = True
) -> dt.date:
    """The date a page's figures are as of: ``?as_of=YYYY-MM-DD`` (with ``posted``, the
    posted form's ``as_of``), else today (for a request asking for whole quarters, the last
    day of the last quarter ended); ``target``: the id of the page's as-of input.
    ``records=False``: the page shows nothing worked out from children's records, so any
    day will do for every role."""
    today = timezone.localdate()
    coarse = records and dates_coarse(request)
    default = coarse_date(today, AS_OF, today) if coarse else today
    day = address_date(
        request,
        "as_of",
        "as at",
        default,
        posted=posted,
        target=target,
        bound=AS_OF if records else "",
    )
    return day or default


def date_refusal(request: HttpRequest, day: dt.date, bound: str) -> str:
    """Why a date a page's own form read is refused on a request asking for whole quarters
    (a form field's error), or "" when it is not."""
    if not dates_coarse(request) or coarse_date(day, bound, timezone.localdate()) == day:
        return ""
    return f"Enter {BOUND_RULES[bound]}: figures only are shown for whole quarters"


def date_range(
    request: HttpRequest,
    *,
    targets: tuple[str, str] = ("", ""),
    labels: tuple[str, str] = ("from", "to"),
) -> tuple[dt.date | None, dt.date | None]:
    """The range ``?from=`` to ``?to=`` (each None when not given), whole quarters on a
    request asking for them; ``targets``: the ids of the page's two inputs, ``labels``
    their labels, which an error names."""
    return (
        address_date(request, "from", labels[0], target=targets[0], bound=FROM),
        address_date(request, "to", labels[1], target=targets[1], bound=TO),
    )


def date_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the address's dates that were not real dates (``base.html``)."""
    return {"date_problems": date_problems(request)}
