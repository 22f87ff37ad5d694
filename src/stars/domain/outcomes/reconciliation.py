"""Claimed weeks against where the child actually lived (the council's SSDA903 episodes).

Outcome payments rest on weeks a placement or home was sustained. For a referral linked to
the council's child identifier, every claimed day is checked against the child's episodes of
care (short breaks, legal status V3/V4, left out by the caller). What a cohort's sustained
weeks are a record of is contract data: the cohort's ``outcome`` (one of
``stars.domain.contract.terms.OUTCOMES``; DN2: A and B ``foster_placement``, C ``at_home``, D
``out_of_care``; docs/domain.md, "Cohorts"), and it decides what a claimed day must look like:

================  ===============================  ==========================================
outcome           paid for                         a claimed day is a discrepancy when
================  ===============================  ==========================================
foster_placement  weeks the foster placement is    the child is in a children's home or
                  sustained                        secure unit (groups in-house / external
                                                   residential, secure: K1, K2, R1, S1, R5..)
                                                   or another placement that is not foster
                                                   care (placed with parents, supported
                                                   living, other); after the child ceased
                                                   care (an episode's DEC with a REC other
                                                   than X1, and no later episode); or, with
                                                   lower severity, when no episode records
                                                   the child at all (a data gap: a wrong link
                                                   or a missing return, not proof of a
                                                   broken placement)
at_home           weeks the child stays home       the child is looked after again in any
                  (reunified)                      placement other than placed with parents
                                                   (P1: still at home)
out_of_care       weeks the child stays out of     the child has any looked-after episode
                  care
================  ===============================  ==========================================

Foster care is the groups kinship, in-house and agency fostering and fostering whose
provider is not recorded (U1-U6). A cohort with no
``outcome`` is not checked.

Days are half-open: a claimed window runs from its first day up to (not including) its end,
as the outcomes engine counts them; an episode from DECOM up to DEC (open: still running).
Days after ``records_until`` (the end of the latest return loaded) are not checked: the
records cannot say where the child was.

Money: the engine counts a window's whole weeks in 7-day blocks from its first day
(``stars.domain.outcomes.windows``) and the cohort's payment design says what each block
earned (weekly after proving: the first ``proving_weeks`` blocks, in date order over all of
a referral's windows, nothing; every later block the cohort's weekly rate). A block is
claimed in the month of its last day (the month in which it became a whole week).
``claim_weeks`` lists the blocks with what the design paid for each, and ``at_stake`` says
which blocks a discrepancy touches and what was claimed for them, so a commissioner can
raise the right amount on the right month's claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from stars.domain.outcomes.designs.base import ReferralOutcome
from stars.domain.sufficiency.codes import (
    AGENCY_FOSTERING,
    EXTERNAL_RESIDENTIAL,
    FOSTERING_PROVIDER_NOT_RECORDED,
    INHOUSE_FOSTERING,
    INHOUSE_RESIDENTIAL,
    KINSHIP,
    OTHER,
    RESIDENTIAL_PROVIDER_NOT_RECORDED,
    SECURE,
    WITH_PARENTS,
)

FOSTERING = frozenset(
    {KINSHIP, INHOUSE_FOSTERING, AGENCY_FOSTERING, FOSTERING_PROVIDER_NOT_RECORDED}
)
CHILDRENS_HOMES = frozenset(
    {INHOUSE_RESIDENTIAL, EXTERNAL_RESIDENTIAL, RESIDENTIAL_PROVIDER_NOT_RECORDED, SECURE}
)
FAR = dt.date(9999, 12, 31)
SAME_DAY_NEW_EPISODE = "X1"  # REC: the episode ends and a new one begins the same day

# kinds of discrepancy
CHILDRENS_HOME = "childrens_home"
OTHER_PLACEMENT = "other_placement"
CEASED_CARE = "ceased_care"
NO_RECORD = "no_record"
LOOKED_AFTER_AGAIN = "looked_after_again"
ENTERED_CARE = "entered_care"
PLACEMENT_KINDS = frozenset({CHILDRENS_HOME, OTHER_PLACEMENT, LOOKED_AFTER_AGAIN, ENTERED_CARE})

HIGH = "high"
LOW = "low"  # a data gap: the records are silent, they do not contradict the claim


@dataclass(frozen=True)
class Episode:
    """One episode of care: from ``start`` up to ``end`` (None: still looked after)."""

    start: dt.date
    end: dt.date | None
    place: str
    group: str
    rec: str | None = None  # reason the episode ceased (SSDA903 REC)


@dataclass(frozen=True)
class Discrepancy:
    start: dt.date  # the first day
    end: dt.date  # the day after the last
    place: str | None  # the episode's PLACE code; None when the child was not looked after
    group: str | None
    rule: str  # what the cohort is paid for
    description: str
    kind: str = ""
    severity: str = HIGH

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def weeks(self) -> int:
        """Whole weeks of days the discrepancy covers (see ``at_stake`` for claimed weeks)."""
        return self.days // 7

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


FOSTER_PLACEMENT, AT_HOME, OUT_OF_CARE = "foster_placement", "at_home", "out_of_care"
RULES = {  # one for each of stars.domain.contract.terms.OUTCOMES
    FOSTER_PLACEMENT: "the foster placement is sustained",
    AT_HOME: "the child stays at home",
    OUT_OF_CARE: "the child stays out of care",
}
PAID_FOR = {  # the same, as what a cohort is paid for ("cohort C is paid for ...")
    FOSTER_PLACEMENT: "a foster placement",
    AT_HOME: "the child staying home",
    OUT_OF_CARE: "the child staying out of care",
}

MOVED_TO = {  # where a child moves and the cohort's outcome goes on (a new outcome period)
    FOSTER_PLACEMENT: "foster placement",
    AT_HOME: "home",
    OUT_OF_CARE: "home",
}


def moved_to(outcome: str | None) -> str:
    """Where a move takes a child of a cohort with this outcome: "another foster
    placement", "another home" ("placement or home" when the contract names no outcome)."""
    return MOVED_TO.get(outcome or "", "placement or home")


def paid_for(cohorts: Sequence[tuple[str, str | None]]) -> str:
    """What each cohort (code, outcome), in order, is paid for, as the reconciliation's
    page says it: "cohorts A and B are paid for a foster placement, C for the child staying
    home"; cohorts with no outcome are named as not checked."""

    def named(codes: list[str]) -> str:
        return " and ".join([", ".join(codes[:-1]), codes[-1]]) if len(codes) > 1 else codes[0]

    def cohorts_are(codes: list[str]) -> str:
        return f"cohorts {named(codes)} are" if len(codes) > 1 else f"cohort {codes[0]} is"

    groups: list[tuple[list[str], str]] = []
    for code, outcome in cohorts:
        if outcome is None:
            continue
        if groups and groups[-1][1] == outcome:
            groups[-1][0].append(code)
        else:
            groups.append(([code], outcome))
    parts = [
        f"{cohorts_are(codes)} paid for {PAID_FOR[outcome]}"
        if i == 0
        else f"{named(codes)} for {PAID_FOR[outcome]}"
        for i, (codes, outcome) in enumerate(groups)
    ]
    unchecked = [code for code, outcome in cohorts if outcome is None]
    if unchecked:
        parts.append(f"{cohorts_are(unchecked)} not checked (the contract names no outcome)")
    return ", ".join(parts)


@dataclass(frozen=True)
class _Problem:
    kind: str
    severity: str
    description: str


def _ceased_before(day: dt.date, episodes: Sequence[Episode]) -> Episode | None:
    """The last episode that ended on or before ``day`` (None: none had)."""
    ended = [e for e in episodes if e.end is not None and e.end <= day]
    return max(ended, key=lambda e: (e.end or FAR, e.start)) if ended else None


def _problem(
    outcome: str, day: dt.date, lived: Episode | None, episodes: Sequence[Episode]
) -> _Problem | None:
    """What is wrong with a claimed day starting at ``day`` lived in ``lived``."""
    group, place = (lived.group, lived.place) if lived else (None, None)
    if outcome == FOSTER_PLACEMENT:
        if group in FOSTERING:
            return None
        if lived is None:
            before = _ceased_before(day, episodes)
            if before is not None and before.rec != SAME_DAY_NEW_EPISODE:
                rec = f", REC {before.rec}" if before.rec else ""
                return _Problem(
                    CEASED_CARE,
                    HIGH,
                    f"ceased care on {before.end:%d/%m/%Y}{rec}: no foster placement after",
                )
            return _Problem(
                NO_RECORD,
                LOW,
                "not looked after: no foster placement is recorded (no episode covers these "
                "days; check the link and the returns)",
            )
        if group in CHILDRENS_HOMES:
            return _Problem(
                CHILDRENS_HOME,
                HIGH,
                f"in a children's home or secure unit ({group}, PLACE {place})",
            )
        return _Problem(
            OTHER_PLACEMENT, HIGH, f"placed as {group} (PLACE {place}), not in foster care"
        )
    if outcome == AT_HOME:
        if group is None or group == WITH_PARENTS:
            return None
        return _Problem(LOOKED_AFTER_AGAIN, HIGH, f"looked after again: {group} (PLACE {place})")
    if outcome == OUT_OF_CARE:
        if group is None:
            return None
        return _Problem(ENTERED_CARE, HIGH, f"entered care: {group} (PLACE {place})")
    return None  # an outcome with no rule here: nothing is checked


def _on(day: dt.date, episodes: Sequence[Episode]) -> Episode | None:
    """The episode covering ``day`` (the latest started, if records overlap)."""
    covering = [e for e in episodes if e.start <= day < (e.end or FAR)]
    return max(covering, key=lambda e: e.start) if covering else None


def reconcile(
    outcome: str | None,
    claimed: Sequence[tuple[dt.date, dt.date]],
    episodes: Sequence[Episode],
    *,
    records_until: dt.date | None = None,
) -> list[Discrepancy]:
    """Every stretch of claimed days that the child's episodes contradict, in date order.

    ``outcome`` is the cohort's (``Cohort.outcome``: what its weeks are a record of; None:
    nothing is checked). ``claimed`` are half-open windows ``[first, stop)``; days on or
    after ``records_until`` (if given) are not checked.
    """
    code = (outcome or "").lower()
    rule = RULES.get(code)
    if rule is None:
        return []
    out: list[Discrepancy] = []
    for first, window_stop in sorted(claimed):
        stop = min(window_stop, records_until) if records_until is not None else window_stop
        if stop <= first:
            continue
        cuts = {first, stop}
        for e in episodes:
            for d in (e.start, e.end):
                if d is not None and first < d < stop:
                    cuts.add(d)
        edges = sorted(cuts)
        for a, b in zip(edges, edges[1:], strict=False):
            lived = _on(a, episodes)
            problem = _problem(code, a, lived, episodes)
            if problem is None:
                continue
            group, place = (lived.group, lived.place) if lived else (None, None)
            last = out[-1] if out else None
            if (
                last
                and last.end == a
                and (last.group, last.place, last.kind, last.description)
                == (group, place, problem.kind, problem.description)
            ):
                out[-1] = Discrepancy(
                    last.start, b, place, group, rule, last.description, last.kind, last.severity
                )
            else:
                out.append(
                    Discrepancy(
                        a,
                        b,
                        place,
                        group,
                        rule,
                        problem.description,
                        problem.kind,
                        problem.severity,
                    )
                )
    return out


# --- what was claimed over the discrepant days ---------------------------------------------


@dataclass(frozen=True)
class ClaimWeek:
    """One whole sustained week ``[start, end)`` and what was paid for it (if anything); or
    the run of days that earned a milestone (``label``: its name) and what it paid."""

    start: dt.date
    end: dt.date
    paid: bool
    amount: Decimal
    label: str = ""
    week: bool = True  # False: a milestone's run, not one of the sustained weeks

    @property
    def month(self) -> str:
        """The claim month ("YYYY-MM") it was claimed in: that of its last day."""
        return f"{self.end - dt.timedelta(days=1):%Y-%m}"


def claim_weeks(outcome: ReferralOutcome) -> list[ClaimWeek]:
    """A referral's sustained weeks in date order, each with what its payment design paid
    for it (a proving week: nothing), then the runs that earned milestones, if any, each
    with its payment."""
    paid = outcome.paid_for()
    labels = outcome.labels()
    zero = Decimal(0)
    weeks = [
        ClaimWeek(w.start, w.end, w in paid, paid.get(w, zero), labels.get(w, ""))
        for w in outcome.weeks
    ]
    listed = set(outcome.weeks)
    extra = [
        ClaimWeek(w.start, w.end, True, amount, labels.get(w, ""), week=False)
        for w, amount in paid.items()
        if w not in listed
    ]
    return weeks + sorted(extra, key=lambda w: (w.end, w.start))


@dataclass(frozen=True)
class Stake:
    """The claimed weeks a discrepancy touches and what was claimed for them."""

    weeks: int  # whole claimed weeks with at least one discrepant day
    paid_weeks: int  # of which paid (past the proving weeks)
    amount: Decimal  # claimed for those paid weeks (and for milestones whose runs it touches)
    months: tuple[str, ...]  # claim months ("YYYY-MM") holding the paid weeks


def touched(d: Discrepancy, weeks: Iterable[ClaimWeek]) -> list[ClaimWeek]:
    return [w for w in weeks if w.start < d.end and d.start < w.end]


def at_stake(d: Discrepancy, weeks: Sequence[ClaimWeek]) -> Stake:
    hit = touched(d, weeks)
    paid = [w for w in hit if w.paid]
    return Stake(
        weeks=sum(w.week for w in hit),
        paid_weeks=sum(w.week for w in paid),
        amount=sum((w.amount for w in paid), Decimal(0)),
        months=tuple(sorted({w.month for w in paid})),
    )


def total_at_stake(ds: Iterable[Discrepancy], weeks: Sequence[ClaimWeek]) -> Decimal:
    """What was claimed for the weeks any of ``ds`` touches, each week counted once."""
    hit = {w for d in ds for w in touched(d, weeks) if w.paid}
    return sum((w.amount for w in hit), Decimal(0))


# --- from the council's episodes (a Polars frame) --------------------------------------------


def episodes_of(frame: pl.DataFrame, child: str | None = None) -> list[Episode]:
    """The episodes of a Polars frame with DfE's columns (DECOM, DEC, PLACE, GROUP and, if
    present, REC and CHILD) as ``stars.domain.sufficiency.ssda903`` + ``with_placement_group`` give
    them; only ``child``'s rows if given."""
    if child is not None:
        frame = frame.filter(pl.col("CHILD") == child)
    has_rec = "REC" in frame.columns
    cols = ["DECOM", "DEC", "PLACE", "GROUP", *(["REC"] if has_rec else [])]
    out: list[Episode] = []
    for row in frame.select(cols).iter_rows():
        start, end, place, group = row[:4]
        rec = row[4] if has_rec else None
        out.append(Episode(start, end, place or "", group or OTHER, rec or None))
    return out
