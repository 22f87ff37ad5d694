"""Data-sharing agreements: whether one is in force on a day, and the warning before it
lapses or falls due for review. Nothing here reads the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WARN_DAYS = 60  # warn this many days before an agreement's review or end


@dataclass(frozen=True)
class AgreementState:
    code: str  # "not_started", "in_force", "review_due", "lapses_soon", "lapsed"
    message: str

    @property
    def warning(self) -> bool:
        return self.code in ("review_due", "lapses_soon", "lapsed")

    @property
    def in_force(self) -> bool:
        return self.code in ("in_force", "review_due", "lapses_soon")


def agreement_warning(council: str, title: str, message: str) -> str:
    """A warning about one of ``council``'s agreements that names the council once: a title
    that names it too ("STARS data-sharing agreement: Derby City Council") is shown without
    it."""
    named = title.replace(council, "").strip(" :,-\u2013\u2014") if council in title else title
    return f"{council}: {named or 'data-sharing agreement'} {message}"


def agreement_state(
    *, start: dt.date, review: dt.date, end: dt.date, today: dt.date, warn_days: int = WARN_DAYS
) -> AgreementState:
    """Where an agreement stands on ``today``; it is in force from ``start`` to ``end``
    inclusive. A lapse comes before a review in the message: it is the graver."""
    if today < start:
        return AgreementState("not_started", f"in force from {start:%-d %B %Y}")
    if today > end:
        return AgreementState("lapsed", f"lapsed on {end:%-d %B %Y}: data is held without it")
    left = (end - today).days
    if left <= warn_days:
        return AgreementState(
            "lapses_soon", f"lapses on {end:%-d %B %Y}, in {left} day{'s' if left != 1 else ''}"
        )
    if (review - today).days <= warn_days:
        when = "was due" if review < today else "is due"
        return AgreementState("review_due", f"review {when} on {review:%-d %B %Y}")
    return AgreementState("in_force", f"in force to {end:%-d %B %Y}, review {review:%-d %B %Y}")
