"""Measures of change on a case, as pure functions: attendance bands, score changes,
proportions with Wilson intervals and what is due when (small numbers are hidden by
``stars.domain.disclosure``).

No Django, no I/O, no clock: every date is given by the caller.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stars.domain.calendar import add_months

# -- school attendance (DfE) ----------------------------------------------------------------

GOOD, PERSISTENT, SEVERE = "good", "persistent", "severe"
BAND_LABELS = {
    GOOD: "Good (above 90%)",
    PERSISTENT: "Persistent absence (90% or below)",
    SEVERE: "Severe absence (50% or below)",
}
BAND_ORDER = {SEVERE: 0, PERSISTENT: 1, GOOD: 2}
# a school year is 190 days of two sessions (half days): no term has more sessions
SCHOOL_YEAR_SESSIONS = 380
MOVEMENTS = ("maintained_good", "improved", "dropped", "other")
MOVEMENT_LABELS = {
    "maintained_good": "Maintained good attendance",
    "improved": "Improved band",
    "dropped": "Dropped band",
    "other": "Other (stayed below good)",
}


def attendance_rate(possible: int, attended: int) -> float | None:
    """Share of possible sessions (half days) attended; None when none were possible."""
    if possible <= 0:
        return None
    return attended / possible


def attendance_band(possible: int, attended: int) -> str | None:
    """DfE band: good above 90%; persistent absence at 90% or below; severe at 50% or below.

    Exact in integers, so 90% of 10 sessions (9 attended) is persistent absence, not good.
    """
    if possible <= 0:
        return None
    if attended * 2 <= possible:
        return SEVERE
    if attended * 10 <= possible * 9:
        return PERSISTENT
    return GOOD


def band_movement(first: str, latest: str) -> str:
    """Movement between bands from the first term to the latest."""
    if first == GOOD and latest == GOOD:
        return "maintained_good"
    if BAND_ORDER[latest] > BAND_ORDER[first]:
        return "improved"
    if BAND_ORDER[latest] < BAND_ORDER[first]:
        return "dropped"
    return "other"


# -- outcome scores ("distance travelled") ------------------------------------------------


def score_change(first: int, latest: int) -> str:
    if latest > first:
        return "improved"
    if latest < first:
        return "worse"
    return "same"


@dataclass(frozen=True)
class AreaChange:
    """One instrument area: how many cases improved, stayed the same or got worse."""

    n: int
    improved: int
    same: int
    worse: int
    mean_first: float | None
    mean_latest: float | None


def area_change(pairs: Sequence[tuple[int, int]]) -> AreaChange:
    """Summarise (first, latest) score pairs of one area, one pair per case."""
    changes = [score_change(a, b) for a, b in pairs]
    n = len(pairs)
    return AreaChange(
        n=n,
        improved=changes.count("improved"),
        same=changes.count("same"),
        worse=changes.count("worse"),
        mean_first=sum(a for a, _ in pairs) / n if n else None,
        mean_latest=sum(b for _, b in pairs) / n if n else None,
    )


# -- proportions ------------------------------------------------------------------------------

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Proportion:
    """k of n, with its 95% Wilson score interval."""

    k: int
    n: int
    low: float | None
    high: float | None

    @property
    def rate(self) -> float | None:
        return self.k / self.n if self.n else None


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (n > 0), clamped to [0, 1]."""
    if n <= 0:
        raise ValueError("a proportion needs at least one case")
    if not 0 <= k <= n:
        raise ValueError(f"successes {k} must be between 0 and {n}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # floating point may put a bound a hair inside an exact 0 or 1 estimate
    return (0.0 if k == 0 else min(low, p), 1.0 if k == n else max(high, p))


def proportion(k: int, n: int) -> Proportion:
    if n == 0:
        return Proportion(k, n, None, None)
    low, high = wilson_interval(k, n)
    return Proportion(k, n, low, high)


# -- what is due on a case --------------------------------------------------------------------

# a progress meeting every so many weeks: the contract's (``progress_meeting_every_weeks``)
REVIEW_EVERY_MONTHS = 3  # an assessment review every 3 months
TERM_STARTS = ((1, 1), (4, 15), (9, 1))  # spring, summer (about Easter), autumn


def every_weeks(weeks: int) -> str:
    """ "every 6 weeks", "every week": how often progress meetings are due."""
    return "every week" if weeks == 1 else f"every {weeks} weeks"


def meetings_rule(chair: str, meeting_every_weeks: int) -> str:
    """How often progress meetings are due (the contract's ``progress_meeting_every_weeks``)
    and, where the contract names one (``progress_meeting_chair``), who chairs them: the
    meeting form's introduction."""
    every = f"Progress meetings are due {every_weeks(meeting_every_weeks)}"
    return f"{every}; {chair} chairs." if chair else f"{every}."


def next_term_start(after: dt.date) -> dt.date:
    """The first term start strictly after a date."""
    for year in (after.year, after.year + 1):
        for month, day in TERM_STARTS:
            start = dt.date(year, month, day)
            if start > after:
                return start
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class Due:
    what: str
    last: dt.date | None
    due: dt.date
    rule: str

    def overdue(self, today: dt.date) -> bool:
        return self.due < today

    def state(self, today: dt.date) -> str | None:
        """Where the item stands on the to-do list: :func:`due_state`."""
        return due_state(self.due, today)


DUE_SOON_DAYS = 7  # "due this week": today and the six days after it
OVERDUE, DUE_THIS_WEEK = "overdue", "due_this_week"
DUE_STATE_LABELS = {OVERDUE: "Overdue", DUE_THIS_WEEK: "Due this week"}


def due_state(due: dt.date, today: dt.date) -> str | None:
    """``overdue`` once the due date has passed, ``due_this_week`` from today up to six days
    ahead (a week's notice, whatever the weekday), else None: not yet on the list."""
    if due < today:
        return OVERDUE
    if (due - today).days < DUE_SOON_DAYS:
        return DUE_THIS_WEEK
    return None


def due_items(
    *,
    referral_date: dt.date,
    last_meeting: dt.date | None,
    last_assessment: dt.date | None,
    last_term_start: dt.date | None,
    meeting_every_weeks: int,
) -> tuple[Due, Due, Due]:
    """When the next progress meeting (``meeting_every_weeks`` after the last, the contract's
    ``progress_meeting_every_weeks``), assessment review and attendance update are due."""
    meeting_from = last_meeting or referral_date
    review_from = last_assessment or referral_date
    term_from = last_term_start or referral_date
    return (
        Due(
            "Progress meeting",
            last_meeting,
            meeting_from + dt.timedelta(weeks=meeting_every_weeks),
            f"{every_weeks(meeting_every_weeks)} from the "
            + ("last meeting" if last_meeting else "referral"),
        ),
        Due(
            "Assessment review",
            last_assessment,
            add_months(review_from, REVIEW_EVERY_MONTHS),
            f"every 3 months from the {'last assessment' if last_assessment else 'referral'}",
        ),
        Due(
            "Attendance update",
            last_term_start,
            next_term_start(term_from),
            "each term: due when the term after the "
            + ("last recorded term" if last_term_start else "referral")
            + " starts",
        ),
    )


def due_cutoffs(today: dt.date, meeting_every_weeks: int) -> tuple[dt.date, dt.date, dt.date]:
    """For each item of :func:`due_items` (progress meeting, assessment review, attendance
    update), the first date it may be counted from (its last one, else the referral) that
    leaves it not yet due before ``today``: counted from an earlier date it is overdue today
    (each due date moves forward with the date it is counted from). With ``today`` a week
    on, the cutoffs bound what is due this week."""

    def due(k: int, basis: dt.date) -> dt.date:
        items = due_items(
            referral_date=basis,
            last_meeting=basis,
            last_assessment=basis,
            last_term_start=basis,
            meeting_every_weeks=meeting_every_weeks,
        )
        return items[k].due

    def cutoff(k: int) -> dt.date:
        low, high = today - dt.timedelta(days=400), today  # due(low) < today <= due(high)
        while (high - low).days > 1:
            mid = low + dt.timedelta(days=(high - low).days // 2)
            if due(k, mid) < today:
                low = mid
            else:
                high = mid
        return high

    return cutoff(0), cutoff(1), cutoff(2)


# -- placement stability ----------------------------------------------------------------------


def still_in_placement(
    support_end: dt.date, periods: Iterable[tuple[dt.date, dt.date | None]]
) -> bool:
    """At the end of support, was the child still in a placement (or home) that began
    before or during support? True when the latest period had not ended before support did
    (an end date is exclusive, so a period ending on the day support ends counts)."""
    latest = max(periods, key=lambda p: p[0], default=None)
    if latest is None or latest[0] > support_end:
        return False
    return latest[1] is None or latest[1] >= support_end
