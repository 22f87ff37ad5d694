"""A case's chronology: one timeline of everything that happened on it and every change to
its records, each with who and when.

What happened is dated by its own date (a meeting on the day it was held); who recorded it,
and when, come from the record's change history (django-simple-history). Every later change
or deletion of any of the case's records is an entry of its own, naming the fields changed.
A bounded number of queries: one for each kind of record, one for each kind's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from stars.cases.models import (
    Assessment,
    AttendanceTerm,
    CaseClosure,
    CasePhase,
    ClosingSurvey,
    Instrument,
    Intervention,
    MeasureEvent,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
    TeamMember,
    TeamRole,
)
from stars.core.cache import cached_figures, data_version
from stars.core.roles import Role
from stars.domain.pipeline import long_date
from stars.partnership.models import Contract, User
from stars.partnership.selectors import contract_current
from stars.referrals.models import ConsentCall, Enquiry, Referral

KINDS = {
    "decision": "Decisions",
    "meeting": "Meetings",
    "measure": "Measures",
    "event": "Events",
    "period": "Periods",
    "closure": "Closure",
    "team": "Team, phases and interventions",
    "change": "Changes",
}
CHANGE = {"~": "changed", "-": "deleted"}
ALLOCATION = "key_worker_id"  # a referral's change of key worker is an entry of its own


@dataclass(frozen=True)
class Entry:
    on: dt.date  # the day it happened (a change: the day it was made)
    kind: str  # a key of KINDS
    title: str
    detail: str = ""
    who: str = ""  # who recorded it (blank: imported or before the history began)
    recorded: dt.datetime | None = None  # when it was recorded

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


@dataclass(frozen=True)
class _Made:
    who: str
    at: dt.datetime


def _user(row: Any) -> str:
    u = row.history_user
    return (u.get_full_name() or u.username) if u is not None else ""


def _history(model: type[Model], **where: Any) -> QuerySet[Any]:
    return (
        model.history.filter(**where)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )


def _fields(model: type[Model]) -> list[str]:
    """The model's fields its history keeps (not those it leaves out, as the enquiry's
    ``accepted``), the ones a version can be compared on."""
    kept = {f.attname for f in model.history.model._meta.concrete_fields}
    return [f.attname for f in model._meta.concrete_fields if f.attname in kept]


Own = Callable[[Any, Any, list[str]], tuple[list[Entry], list[str]]]


def _changes(
    model: type[Model], rows: Iterable[Any], describe: dict[int, str], own: Own | None = None
) -> tuple[dict[int, _Made], list[Entry]]:
    """Who created each record and when, and an entry for every later change or deletion
    (the fields changed found by comparing each version with the one before). ``own`` turns
    some changes into entries of their own (a reallocation), answering the fields left."""
    made: dict[int, _Made] = {}
    entries: list[Entry] = []
    previous: dict[int, Any] = {}
    names = _fields(model)
    label = str(model._meta.verbose_name)
    for row in rows:
        at = row.history_date
        if row.history_type == "+":
            made[row.id] = _Made(_user(row), at)
        elif row.history_type in CHANGE:
            before = previous.get(row.id)
            changed = (
                [n for n in names if getattr(before, n) != getattr(row, n)]
                if before is not None and row.history_type == "~"
                else []
            )
            if own is not None and before is not None and changed:
                extra, changed = own(before, row, changed)
                entries += extra
            if row.history_type == "~" and before is not None and not changed:
                previous[row.id] = row
                continue  # saved with nothing changed (or nothing left to say)
            what = describe.get(row.id, f"{label} {row.id}")
            fields = ", ".join(n.removesuffix("_id").replace("_", " ") for n in changed)
            why = row.history_change_reason or ""  # a correction's, with its reason
            entries.append(
                Entry(
                    on=timezone.localtime(at).date(),
                    kind="change",
                    title=f"{what}: {CHANGE[row.history_type]}",
                    detail=f"{fields} ({why})" if fields and why else fields or why,
                    who=_user(row),
                    recorded=at,
                )
            )
        previous[row.id] = row
    return made, entries


def _who(made: dict[int, _Made], pk: int) -> dict[str, Any]:
    m = made.get(pk)
    return {"who": m.who, "recorded": m.at} if m else {}


def chronology(referral: Referral) -> list[Entry]:
    """Everything on the case, newest first (ties: the latest recorded first)."""
    entries: list[Entry] = []
    role_labels = dict(TeamRole.choices)
    contract = contract_current()  # its interventions' labels

    def add(
        model: type[Model],
        records: list[Any],
        where: dict[str, Any],
        make: Any,
        own: Own | None = None,
    ) -> None:
        described = {r.pk: make(r)[1] for r in records}
        made, changes = _changes(model, _history(model, **where), described, own)
        entries.extend(changes)
        for r in records:
            on, title, kind, detail = make(r)
            entries.append(Entry(on, kind, title, detail, **_who(made, r.pk)))

    # the enquiry and its decisions
    enquiry: Enquiry | None = referral.enquiry
    if enquiry is not None:
        add(
            Enquiry,
            [enquiry],
            {"id": enquiry.pk},
            lambda e: (
                e.enquiry_date,
                f"Enquiry {e.enquiry_id} received",
                "decision",
                f"cohort {e.cohort}",
            ),
        )
        if enquiry.decision_date:
            entries.append(
                Entry(
                    enquiry.decision_date,
                    "decision",
                    f"Enquiry meeting: {enquiry.get_decision_display().lower()}",
                    enquiry.decision_reason,
                )
            )
        if enquiry.gf_approved_on:
            approver = enquiry.gf_approved_by
            entries.append(
                Entry(
                    enquiry.gf_approved_on,
                    "decision",
                    "Guaranteed funding approved",
                    who=(approver.get_full_name() or approver.username) if approver else "",
                )
            )
        add(
            ConsentCall,
            list(enquiry.consent_calls.all()),
            {"enquiry_id": enquiry.pk},
            lambda c: (
                c.call_date,
                f"Consent call: {c.get_outcome_display().lower()}",
                "decision",
                f"spoke to {c.spoke_to}",
            ),
        )
    people = {
        u.pk: u.get_full_name() or u.username for u in User.objects.filter(role=Role.KEY_WORKER)
    }

    def allocation(before: Any, row: Any, changed: list[str]) -> tuple[list[Entry], list[str]]:
        if ALLOCATION not in changed:
            return [], changed
        was, now = people.get(getattr(before, ALLOCATION)), people.get(getattr(row, ALLOCATION))
        title = f"Reallocated from {was} to {now}" if was else f"Allocated to {now}"
        entry = Entry(
            on=timezone.localtime(row.history_date).date(),
            kind="team",
            title=title if now else f"No longer allocated to {was}",
            detail=row.history_change_reason or "",
            who=_user(row),
            recorded=row.history_date,
        )
        return [entry], [f for f in changed if f != ALLOCATION]

    add(
        Referral,
        [referral],
        {"id": referral.pk},
        lambda r: (
            r.referral_date,
            f"Referral {r.referral_id} accepted",
            "decision",
            f"cohort {r.cohort}, {r.get_funding_display().lower()}",
        ),
        allocation,
    )
    where = {"referral_id": referral.pk}
    add(
        CasePhase,
        list(referral.phases.all()),
        where,
        lambda p: (p.start_date, f"Phase: {p.get_phase_display()}", "team", ""),
    )
    add(
        TeamMember,
        list(referral.team.all()),
        where,
        lambda m: (m.added_on, f"{m.get_role_display()} joined the team", "team", m.name),
    )
    meetings = list(referral.meetings.all())
    add(
        ProgressMeeting,
        meetings,
        where,
        lambda m: (
            m.date,
            "Progress meeting",
            "meeting",
            "attended: " + ", ".join(role_labels.get(a, a) for a in m.attendees),
        ),
    )
    add(
        MeetingAction,
        list(MeetingAction.objects.filter(meeting__referral=referral)),
        {"meeting__referral_id": referral.pk},
        lambda a: (
            a.due_date,
            f"Action due: {a.action}",
            "meeting",
            f"{a.owner}; {'done' if a.done else 'open'}",
        ),
    )
    add(
        Intervention,
        list(referral.interventions.all()),
        where,
        lambda i: (
            i.start_date,
            f"Intervention: {contract.intervention_label(i.kind)}",
            "team",
            f"until {long_date(i.end_date)}" if i.end_date else "continuing",
        ),
    )
    add(
        OutcomePeriod,
        list(referral.periods.all()),
        where,
        lambda p: (
            p.start_date,
            "Outcome period began",
            "period",
            (f"ended {long_date(p.end_date)}" if p.end_date else "continuing")
            + (f"; {p.note}" if p.note else ""),
        ),
    )
    entries += [
        Entry(p.end_date, "period", "Outcome period ended", p.note)
        for p in referral.periods.all()
        if p.end_date
    ]
    add(
        Assessment,
        list(referral.assessments.select_related("instrument")),
        where,
        lambda a: (a.date, f"Assessment: {a.instrument.name}", "measure", ""),
    )
    add(
        AttendanceTerm,
        list(referral.attendance.all()),
        where,
        lambda t: (
            t.start_date,
            f"Attendance: {t.term}",
            "measure",
            f"{t.attended_sessions} of {t.possible_sessions} sessions; {t.band_label}",
        ),
    )
    add(
        MeasureEvent,
        list(referral.events.all()),
        where,
        lambda e: (e.date, e.get_kind_display(), "event", e.note),
    )
    surveys = list(referral.surveys.all())
    add(
        ClosingSurvey,
        surveys,
        where,
        lambda s: (
            s.date,
            f"Closing survey: {s.get_respondent_display().lower()}"
            + (f" ({s.answered_by})" if s.answered_by else ""),
            "measure",
            f"{s.get_question_display()}: {s.answer_label}",
        ),
    )
    closure = CaseClosure.objects.filter(referral=referral).first()
    add(
        CaseClosure,
        [closure] if closure else [],
        where,
        lambda c: (
            referral.end_date or referral.referral_date,
            f"Case closed: {referral.get_status_display().lower()}",
            "closure",
            c.narrative,
        ),
    )
    if closure is None and referral.end_date:
        entries.append(
            Entry(
                referral.end_date,
                "closure",
                f"Case closed: {referral.get_status_display().lower()}",
            )
        )
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.on, e.recorded or far_past), reverse=True)
    return entries


# The records a chronology is built from, and the names it shows: it is cached per version of
# them (``stars.core.cache``), so any change to one is shown at once, never a stale timeline.
CHRONOLOGY_RECORDS = (
    Contract,  # its labels (interventions)
    Enquiry,
    ConsentCall,
    Referral,
    CasePhase,
    TeamMember,
    ProgressMeeting,
    MeetingAction,
    Intervention,
    OutcomePeriod,
    Instrument,
    Assessment,
    AttendanceTerm,
    MeasureEvent,
    ClosingSurvey,
    CaseClosure,
    User,
)


def chronology_cached(referral: Referral) -> list[Entry]:
    """:func:`chronology`, worked out once per version of ``CHRONOLOGY_RECORDS`` (one query
    to know it) rather than on every visit (a query for each kind of record and its
    history)."""
    return cached_figures(
        "chronology",
        data_version(CHRONOLOGY_RECORDS),
        (referral.pk,),
        lambda: chronology(referral),
    )


def filtered(
    entries: list[Entry], kinds: Iterable[str], date_from: dt.date | None, date_to: dt.date | None
) -> list[Entry]:
    """The entries of the chosen kinds (all when none is chosen) between two dates."""
    wanted = set(kinds) or set(KINDS)
    return [
        e
        for e in entries
        if e.kind in wanted
        and (date_from is None or e.on >= date_from)
        and (date_to is None or e.on <= date_to)
    ]
