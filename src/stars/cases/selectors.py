"""Reads of the case record, always through the referral selectors' council scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db.models import Count, DateField, F, Func, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Least

from stars.cases.models import (
    Assessment,
    AttendanceTerm,
    CaseClosure,
    Instrument,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
    TeamRole,
)
from stars.cases.services import CORRECTION
from stars.core.cache import cached_figures, data_version
from stars.core.listing import Rows, rows_count
from stars.core.permissions import Scope, scope_of
from stars.core.programmes import programme_active
from stars.domain.calendar import long_date
from stars.domain.contract.terms import MEETING_EVERY_WEEKS, Contract
from stars.domain.measures import (
    DUE_SOON_DAYS,
    DUE_THIS_WEEK,
    OVERDUE,
    REVIEW_EVERY_MONTHS,
    TERM_STARTS,
    Due,
    due_cutoffs,
    due_items,
)
from stars.partnership.selectors import contract_current, contract_or_none, key_workers
from stars.referrals.models import Child, Referral, Status
from stars.referrals.selectors import referral_get, referrals_visible

T = TypeVar("T")


def case_get(user: Any, referral_id: str) -> Referral:
    """One case the user may see; 404 outside their scope."""
    return referral_get(user, referral_id)


def case_record(referral: Referral) -> dict[str, Any]:
    """Everything on the case page, in a bounded number of queries."""
    meetings = referral.meetings.prefetch_related(
        Prefetch("actions", queryset=MeetingAction.objects.order_by("due_date", "id"))
    ).order_by("-date", "-id")
    assessments = (
        referral.assessments.select_related("instrument")
        .prefetch_related("scores__area")
        .order_by("instrument__name", "date", "id")
    )
    role_labels = dict(TeamRole.choices)
    contract = contract_current()  # its interventions' labels
    meeting_rows = [
        {"meeting": m, "attendees": [role_labels.get(a, a) for a in m.attendees]} for m in meetings
    ]
    phases = list(referral.phases.order_by("start_date", "id"))
    return {
        "phases": phases,
        "current_phase": phases[-1] if phases else None,
        "team": list(referral.team.all()),
        "meetings": meeting_rows,
        "interventions": [
            (i, contract.intervention_label(i.kind)) for i in referral.interventions.all()
        ],
        "periods": list(referral.periods.order_by("start_date")),
        "period_corrections": period_corrections(referral),
        "open_period": referral.periods.filter(end_date__isnull=True).first(),
        "assessments": _assessment_tables(list(assessments)),
        "attendance": list(referral.attendance.order_by("start_date")),
        "events": list(referral.events.order_by("date", "id")),
        "surveys": list(referral.surveys.order_by("respondent", "question", "id")),
        "closure": CaseClosure.objects.filter(referral=referral).select_related("moved_to").first(),
        "moved_from": CaseClosure.objects.filter(moved_to=referral)
        .select_related("referral")
        .first(),
        "open_actions": [
            a for row in meeting_rows for a in row["meeting"].actions.all() if not a.done
        ],
    }


@dataclass(frozen=True)
class PeriodCorrection:
    """A correction of an outcome period: when, by whom, why, and each field's old and new
    value (from the period's change history)."""

    at: dt.datetime
    who: str
    reason: str
    changes: list[tuple[str, Any, Any]]  # (field's label, old value, new value)


PERIOD_FIELDS = {"start_date": "From", "end_date": "Until", "note": "Note"}


def period_corrections(referral: Referral) -> list[PeriodCorrection]:
    """The corrections of the case's outcome periods, newest first."""
    rows = (
        OutcomePeriod.history.filter(referral_id=referral.pk)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    out: list[PeriodCorrection] = []
    before: dict[int, Any] = {}
    for row in rows:
        old = before.get(row.id)
        reason = row.history_change_reason or ""
        if old is not None and row.history_type == "~" and reason.startswith(CORRECTION):
            u = row.history_user
            out.append(
                PeriodCorrection(
                    at=row.history_date,
                    who=(u.get_full_name() or u.username) if u is not None else "",
                    reason=reason.removeprefix(CORRECTION),
                    changes=[
                        (label, getattr(old, f), getattr(row, f))
                        for f, label in PERIOD_FIELDS.items()
                        if getattr(old, f) != getattr(row, f)
                    ],
                )
            )
        before[row.id] = row
    return sorted(out, key=lambda c: c.at, reverse=True)


def _assessment_tables(assessments: list[Assessment]) -> list[dict[str, Any]]:
    """One table per instrument: areas down, assessment dates across."""
    by_instrument: dict[int, dict[str, Any]] = {}
    for a in assessments:
        t = by_instrument.setdefault(
            a.instrument_id, {"instrument": a.instrument, "dates": [], "rows": {}}
        )
        t["dates"].append(a.date)
        for s in a.scores.all():
            row = t["rows"].setdefault(s.area.order, {"area": s.area.name, "scores": {}})
            row["scores"][len(t["dates"]) - 1] = s.score
    out = []
    for t in by_instrument.values():
        n = len(t["dates"])
        rows = [
            {"area": r["area"], "scores": [r["scores"].get(i, "") for i in range(n)]}
            for _, r in sorted(t["rows"].items())
        ]
        out.append({"instrument": t["instrument"], "dates": t["dates"], "rows": rows})
    return out


def instruments() -> QuerySet[Instrument]:
    return Instrument.objects.prefetch_related("areas").order_by("name")


# -- the caseload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadRow:
    referral: Referral
    due: tuple[Due, Due, Due]
    open_actions: int

    def overdue(self, today: dt.date) -> list[Due]:
        return [d for d in self.due if d.overdue(today)]


def caseload_records(
    user: Any, *, status: str = Status.LIVE, key_worker: str = "", cohort: str = ""
) -> QuerySet[Referral]:
    """Cases in the user's scope (a key worker's own caseload), live ones unless another
    status is asked for ("" for every status), oldest first, each with the dates its due
    items are counted from (``meeting_from``, ``review_from``, ``term_from``)."""
    qs = referrals_visible(user)
    if status:
        qs = qs.filter(status=status)
    if key_worker == NO_KEY_WORKER:
        qs = qs.filter(key_worker__isnull=True)
    elif key_worker:
        qs = qs.filter(key_worker_id=key_worker)
    if cohort:
        qs = qs.filter(cohort=cohort)
    return qs.annotate(  # the stored dates (CaseDates): one join, no lookup per case
        last_meeting=F("case_dates__last_meeting"),
        last_assessment=F("case_dates__last_assessment"),
        last_term=F("case_dates__last_term"),
        meeting_from=Coalesce("last_meeting", "referral_date"),
        review_from=Coalesce("last_assessment", "referral_date"),
        term_from=Coalesce("last_term", "referral_date"),
    ).order_by("referral_date", "referral_id")


def meeting_every_weeks() -> int:
    """How often the cases of the programme worked in are due a progress meeting, in weeks:
    its contract's ``progress_meeting_every_weeks`` (none loaded: the default)."""
    contract = contract_or_none()
    return contract.progress_meeting_every_weeks if contract is not None else MEETING_EVERY_WEEKS


def caseload_rows(refs: list[Referral]) -> list[CaseloadRow]:
    """Each case (from :func:`caseload_records`) with what is due next and its open
    actions: one more query."""
    weeks = meeting_every_weeks()
    open_counts: dict[int, int] = {}
    for rid in MeetingAction.objects.filter(
        meeting__referral__in=[r.pk for r in refs], done=False
    ).values_list("meeting__referral_id", flat=True):
        open_counts[rid] = open_counts.get(rid, 0) + 1
    return [
        CaseloadRow(
            referral=r,
            due=due_items(
                referral_date=r.referral_date,
                last_meeting=r.last_meeting,  # type: ignore[attr-defined]
                last_assessment=r.last_assessment,  # type: ignore[attr-defined]
                last_term_start=r.last_term,  # type: ignore[attr-defined]
                meeting_every_weeks=weeks,
            ),
            open_actions=open_counts.get(r.pk, 0),
        )
        for r in refs
    ]


def caseload(
    user: Any, *, status: str = Status.LIVE, key_worker: str = "", cohort: str = ""
) -> list[CaseloadRow]:
    """Every case of :func:`caseload_records` with what is due next (two queries)."""
    return caseload_rows(
        list(caseload_records(user, status=status, key_worker=key_worker, cohort=cohort))
    )


FROM = ("meeting_from", "review_from", "term_from")  # stars.domain.measures.due_items' order


def due_filter(state: str, today: dt.date) -> Q:
    """Live cases with something in ``state`` today (:func:`stars.domain.measures.due_state`:
    overdue, or due this week), as a filter the database applies to
    :func:`caseload_records`."""
    weeks = meeting_every_weeks()
    now = due_cutoffs(today, weeks)
    if state == OVERDUE:
        q = Q(**{f"{f}__lt": c for f, c in zip(FROM[:1], now[:1], strict=True)})
        for f, c in zip(FROM[1:], now[1:], strict=True):
            q |= Q(**{f"{f}__lt": c})
    else:
        week = due_cutoffs(today + dt.timedelta(days=DUE_SOON_DAYS), weeks)
        q = Q(pk__in=[])
        for f, c, w in zip(FROM, now, week, strict=True):
            q |= Q(**{f"{f}__gte": c, f"{f}__lt": w})
    return Q(status=Status.LIVE) & q


NO_KEY_WORKER = "none"  # the key worker filter's value for cases nobody holds
CASELOAD_SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "due": "Soonest due first",
}
DUE_FILTERS = {
    OVERDUE: "Something overdue",
    DUE_THIS_WEEK: "Something due this week",
}


def caseload_listed(
    user: Any,
    today: dt.date,
    *,
    status: str = Status.LIVE,
    key_worker: str = "",
    cohort: str = "",
    due: str = "",
    sort: str = "newest",
) -> Rows:
    """The caseload page's rows, filtered by status, key worker, cohort and what is due
    (only a live case has anything due), newest first unless asked, counted and cut into
    pages by the database, also when sorted by what is due soonest (:func:`due_soonest_sql`)."""
    records = _caseload_filtered(user, today, status, key_worker, cohort, due)
    if sort == "due":  # the page's keys in order, then only its cases' rows read
        keys = (
            records.annotate(due_soonest=due_soonest_sql())
            .order_by("due_soonest", "referral_id")
            .values_list("pk", flat=True)
        )
        return Rows(keys, lambda pks: caseload_rows(_in_order(records, pks)))
    if sort != "oldest":
        records = records.order_by("-referral_date", "-referral_id")
    return Rows(records, lambda refs: caseload_rows(refs))


def _caseload_filtered(
    user: Any, today: dt.date, status: str, key_worker: str, cohort: str, due: str
) -> QuerySet[Referral]:
    records = caseload_records(user, status=status, key_worker=key_worker, cohort=cohort)
    return records.filter(due_filter(due, today)) if due else records


def caseload_overdue(
    user: Any,
    today: dt.date,
    *,
    status: str = Status.LIVE,
    key_worker: str = "",
    cohort: str = "",
    due: str = "",
    sort: str = "",
) -> int:
    """How many of the caseload page's cases (whatever its sort) have something overdue
    (cached per version of ``CASELOAD_RECORDS``: every live case's dates are looked up)."""

    def count() -> int:
        records = _caseload_filtered(user, today, status, key_worker, cohort, due)
        return rows_count(records.filter(due_filter(OVERDUE, today)))

    return _caseload_cached(
        "caseload_overdue", user, (today, status, key_worker, cohort, due), count
    )


# The records the caseload's counts are worked out from: they are cached per version of
# them (``stars.core.cache``), so a change to any is counted anew, never served stale.
CASELOAD_RECORDS = (Referral, Child, ProgressMeeting, Assessment, AttendanceTerm)


def _caseload_cached(name: str, user: Any, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per version of ``CASELOAD_RECORDS``, programme, scope, the
    programme's meeting interval and ``parts``."""
    active = programme_active()
    return cached_figures(
        name,
        data_version(CASELOAD_RECORDS),
        (
            active.id if active is not None else None,
            scope_of(user).key,
            meeting_every_weeks(),
            *parts,
        ),
        compute,
    )


def due_soonest(meeting_from: dt.date, review_from: dt.date, term_from: dt.date) -> dt.date:
    """The soonest due date of a case counted from its dates (:func:`due_items`)."""
    items = due_items(
        referral_date=meeting_from,
        last_meeting=meeting_from,
        last_assessment=review_from,
        last_term_start=term_from,
        meeting_every_weeks=meeting_every_weeks(),
    )
    return min(d.due for d in items)


def _in_order(records: QuerySet[Referral], pks: list[int]) -> list[Referral]:
    found = {r.pk: r for r in records.filter(pk__in=pks)}
    return [found[pk] for pk in pks]


class _DateSQL(Func):
    """A date worked out by the database from one date expression, in each database's own
    SQL (SQLite holds dates as ISO text, PostgreSQL as dates); ``sql`` returns the SQL
    with ``{x}`` where the date goes (it may appear several times)."""

    output_field = DateField()

    def sql(self, vendor: str) -> str:
        raise NotImplementedError

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        inner, params = compiler.compile(self.source_expressions[0])
        template = self.sql(connection.vendor)
        return template.replace("{x}", f"({inner})"), list(params) * template.count("{x}")


class _PlusDays(_DateSQL):
    """``x`` + ``days`` days."""

    def __init__(self, expression: Any, days: int) -> None:
        super().__init__(expression)
        self.days = int(days)

    def sql(self, vendor: str) -> str:
        if vendor == "sqlite":
            return f"date({{x}}, '+{self.days} days')"
        return f"({{x}} + {self.days})"


class _PlusMonths(_DateSQL):
    """The same day ``months`` later, clamped to the month's last day
    (:func:`stars.domain.calendar.add_months`)."""

    def __init__(self, expression: Any, months: int) -> None:
        super().__init__(expression)
        self.months = int(months)

    def sql(self, vendor: str) -> str:
        if vendor == "sqlite":  # SQLite's '+N months' runs into the next month: clamp it
            same_day = (
                f"date({{x}}, 'start of month', '+{self.months} months', "
                "'+' || (CAST(strftime('%%d', {x}) AS INTEGER) - 1) || ' days')"
            )
            last_day = f"date({{x}}, 'start of month', '+{self.months + 1} months', '-1 day')"
            return f"min({same_day}, {last_day})"
        return f"CAST({{x}} + INTERVAL '{self.months} months' AS date)"  # clamped


class _NextTermStart(_DateSQL):
    """The first term start strictly after ``x`` (:func:`stars.domain.measures.next_term_start`,
    from its ``TERM_STARTS``)."""

    def sql(self, vendor: str) -> str:
        def start(years: int, month: int, day: int) -> str:
            if vendor == "sqlite":
                return (
                    f"date({{x}}, 'start of year', '+{years} years', '+{month - 1} months', "
                    f"'+{day - 1} days')"
                )
            return f"make_date(CAST(EXTRACT(YEAR FROM {{x}}) AS integer) + {years}, {month}, {day})"

        starts = sorted(TERM_STARTS)
        whens = " ".join(f"WHEN {{x}} < {start(0, m, d)} THEN {start(0, m, d)}" for m, d in starts)
        return f"(CASE {whens} ELSE {start(1, *starts[0])} END)"


def due_soonest_sql() -> Least:
    """:func:`due_soonest` of each case of :func:`caseload_records`, worked out by the
    database so that it sorts and pages the caseload by it."""
    return Least(
        _PlusDays(F("meeting_from"), 7 * meeting_every_weeks()),
        _PlusMonths(F("review_from"), REVIEW_EVERY_MONTHS),
        _NextTermStart(F("term_from")),
        output_field=DateField(),
    )


@dataclass(frozen=True)
class DueItem:
    """One thing due on a case: overdue, or due within the week."""

    referral: Referral
    due: Due
    state: str  # stars.domain.measures.OVERDUE or DUE_THIS_WEEK


def due_on_caseload(user: Any, today: dt.date) -> list[DueItem]:
    """What is overdue or due this week on the live cases in the user's scope (a key
    worker's own caseload), soonest due first (``stars.domain.measures.due_state``)."""
    items = [
        DueItem(row.referral, d, state)
        for row in caseload(user)
        for d in row.due
        if (state := d.state(today)) is not None
    ]
    return sorted(items, key=lambda i: (i.due.due, i.referral.referral_id))


# -- the outcomes report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    council: str = ""
    cohort: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    as_of: dt.date | None = None  # records up to this day only (None: every record to date)

    def describe(self, contract: Contract) -> str:
        """What the filters show, in words: the council's and cohort's names, GOV.UK dates."""
        parts = [
            contract.local_authority(self.council).name if self.council else "all councils in scope"
        ]
        cohort = contract.cohort(self.cohort) if self.cohort else None
        parts.append(f"cohort {cohort.code}: {cohort.name}" if cohort else "all cohorts")
        if self.date_from or self.date_to:
            start = f"from {long_date(self.date_from)}" if self.date_from else "from the start"
            end = long_date(self.date_to) if self.date_to else "now"
            parts.append(f"referred {start} to {end}")
        return ", ".join(parts)


def report_referrals(scope: Scope, filters: Filters) -> QuerySet[Referral]:
    """Referrals whose aggregates this scope may see (never rows: the report counts)."""
    qs = replace(scope, child_level=True).filter(Referral.objects.all())
    if filters.council:
        qs = qs.filter(council__code=filters.council)
    if filters.cohort:
        qs = qs.filter(cohort=filters.cohort)
    if filters.date_from:
        qs = qs.filter(referral_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(referral_date__lte=filters.date_to)
    if filters.as_of:
        qs = qs.filter(referral_date__lte=filters.as_of)
    return qs


# -- caseload management ---------------------------------------------------------------------


def key_worker_loads(user: Any) -> list[tuple[Any, int]]:
    """Every active key worker with their live cases in the user's scope, by name."""
    counts = dict(
        referrals_visible(user)
        .filter(status=Status.LIVE, key_worker__isnull=False)
        .values_list("key_worker_id")
        .annotate(n=Count("pk"))
        .values_list("key_worker_id", "n")
    )
    return [(u, counts.get(u.pk, 0)) for u in key_workers()]


@dataclass(frozen=True)
class Load:
    """One key worker's load (``key_worker`` None: the live cases nobody holds yet)."""

    key_worker: Any
    live: int
    overdue: int
    due_this_week: int

    @property
    def filter_value(self) -> str:
        return str(self.key_worker.pk) if self.key_worker is not None else NO_KEY_WORKER


def caseload_summary(user: Any, today: dt.date) -> list[Load]:
    """Each active key worker's live cases, and how many have something overdue or due this
    week; then the live cases with no key worker, if any. Counted by the database."""
    overdue, week = due_filter(OVERDUE, today), due_filter(DUE_THIS_WEEK, today)
    counts = _caseload_cached(
        "caseload_summary",
        user,
        (today,),
        lambda: {
            kw: (live, o, w)
            for kw, live, o, w in caseload_records(user)
            .order_by()
            .values("key_worker_id")
            .annotate(
                live=Count("pk"),
                o=Count("pk", filter=overdue),
                w=Count("pk", filter=week & ~overdue),
            )
            .values_list("key_worker_id", "live", "o", "w")
        },
    )
    loads = [Load(u, *counts.get(u.pk, (0, 0, 0))) for u in key_workers()]
    if counts.get(None, (0,))[0]:
        loads.append(Load(None, *counts[None]))
    return loads
