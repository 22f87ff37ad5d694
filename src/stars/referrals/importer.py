"""Write a parsed tracker (enquiries, referrals, outcome periods) into the database.

All or nothing: everything happens in one transaction, after the tracker has been parsed
and checked without error. Re-importable: records are matched by id and only what changed
is written (with history); records the database holds but the files no longer list are
reported, never silently deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from stars.cases.models import OutcomePeriod
from stars.partnership.models import Council
from stars.partnership.services import contract_load
from stars.referrals.models import Child, Enquiry, Referral

Progress = Callable[[str, int, int], None]  # (stage, done, total)
BATCH = 2000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    children: Counts = field(default_factory=Counts)
    enquiries: Counts = field(default_factory=Counts)
    referrals: Counts = field(default_factory=Counts)
    periods: Counts = field(default_factory=Counts)
    absent_enquiries: list[str] = field(default_factory=list)
    absent_referrals: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(
            c.created + c.updated + c.unchanged
            for c in (self.enquiries, self.referrals, self.periods)
        )


def _noop(stage: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def tracker_import(
    *,
    contract_text: str,
    contract_source: str,
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    by: Any = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Load checked tracker frames (tracker-format columns, canonical codes, ``pl.Date``)."""
    report = progress or _noop
    summary = ImportSummary()
    contract_load(text=contract_text, source=contract_source)
    councils = dict(Council.objects.values_list("code", "id"))
    user = by if getattr(by, "pk", None) else None

    children = _import_children(enquiries, referrals, councils, summary, user)
    report("children", 1, 1)
    enquiry_ids = _import_enquiries(enquiries, councils, children, summary, user, report)
    referral_ids = _import_referrals(
        referrals, councils, children, enquiry_ids, summary, user, report
    )
    _import_periods(periods, referral_ids, summary, user, report)
    return summary


def _import_children(
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    councils: dict[str, int],
    summary: ImportSummary,
    user: Any,
) -> dict[str, int]:
    wanted: dict[str, tuple[int, dt.date]] = {}
    # referrals last, so a child's latest council and date of birth win
    for frame in (enquiries, referrals):
        for ref, la, dob in frame.select(
            "child_ref", "local_authority", "date_of_birth"
        ).iter_rows():
            wanted[ref] = (councils[la], dob)
    existing = {
        c.child_ref: c
        for c in Child.objects.filter(child_ref__in=list(wanted)).only(
            "id", "child_ref", "council_id", "date_of_birth"
        )
    }
    new, changed = [], []
    for ref, (council_id, dob) in wanted.items():
        c = existing.get(ref)
        if c is None:
            new.append(Child(child_ref=ref, council_id=council_id, date_of_birth=dob))
        elif (c.council_id, c.date_of_birth) != (council_id, dob):
            c.council_id, c.date_of_birth = council_id, dob
            changed.append(c)
    if new:
        bulk_create_with_history(new, Child, batch_size=BATCH, default_user=user)
    if changed:
        bulk_update_with_history(
            changed, Child, ["council", "date_of_birth"], batch_size=BATCH, default_user=user
        )
    summary.children = Counts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    return dict(Child.objects.filter(child_ref__in=list(wanted)).values_list("child_ref", "id"))


ENQUIRY_FIELDS = ["child_id", "council_id", "cohort", "enquiry_date", "decision", "decision_date"]


def _import_enquiries(
    frame: pl.DataFrame,
    councils: dict[str, int],
    children: dict[str, int],
    summary: ImportSummary,
    user: Any,
    report: Progress,
) -> dict[str, int]:
    rows = frame.select(
        "enquiry_id",
        "child_ref",
        "local_authority",
        "cohort",
        "enquiry_date",
        "decision",
        "decision_date",
    ).iter_rows()
    wanted = {
        eid: (children[ref], councils[la], cohort, day, decision, ddate)
        for eid, ref, la, cohort, day, decision, ddate in rows
    }
    existing = {e.enquiry_id: e for e in Enquiry.objects.only("id", "enquiry_id", *ENQUIRY_FIELDS)}
    new, changed = [], []
    for eid, values in wanted.items():
        e = existing.get(eid)
        if e is None:
            new.append(Enquiry(enquiry_id=eid, **dict(zip(ENQUIRY_FIELDS, values, strict=True))))
        elif tuple(getattr(e, f) for f in ENQUIRY_FIELDS) != values:
            for f, v in zip(ENQUIRY_FIELDS, values, strict=True):
                setattr(e, f, v)
            changed.append(e)
    _write(
        Enquiry,
        new,
        changed,
        [f.removesuffix("_id") for f in ENQUIRY_FIELDS],
        user,
        report,
        "enquiries",
    )
    summary.enquiries = Counts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    summary.absent_enquiries = sorted(set(existing) - set(wanted))
    return dict(Enquiry.objects.values_list("enquiry_id", "id"))


REFERRAL_FIELDS = [
    "enquiry_id",
    "child_id",
    "council_id",
    "cohort",
    "funding",
    "referral_date",
    "status",
    "end_date",
    "closure_reason",
]


def _import_referrals(
    frame: pl.DataFrame,
    councils: dict[str, int],
    children: dict[str, int],
    enquiry_ids: dict[str, int],
    summary: ImportSummary,
    user: Any,
    report: Progress,
) -> dict[str, int]:
    rows = frame.select(
        "referral_id",
        "enquiry_id",
        "child_ref",
        "local_authority",
        "cohort",
        "funding",
        "referral_date",
        "status",
        "end_date",
        "closure_reason",
    ).iter_rows()
    wanted = {
        rid: (
            enquiry_ids[eid] if eid else None,
            children[ref],
            councils[la],
            cohort,
            funding,
            day,
            status,
            end,
            reason or "",
        )
        for rid, eid, ref, la, cohort, funding, day, status, end, reason in rows
    }
    existing = {
        r.referral_id: r for r in Referral.objects.only("id", "referral_id", *REFERRAL_FIELDS)
    }
    new, changed = [], []
    for rid, values in wanted.items():
        r = existing.get(rid)
        if r is None:
            new.append(Referral(referral_id=rid, **dict(zip(REFERRAL_FIELDS, values, strict=True))))
        elif tuple(getattr(r, f) for f in REFERRAL_FIELDS) != values:
            for f, v in zip(REFERRAL_FIELDS, values, strict=True):
                setattr(r, f, v)
            changed.append(r)
    _write(
        Referral,
        new,
        changed,
        [f.removesuffix("_id") for f in REFERRAL_FIELDS],
        user,
        report,
        "referrals",
    )
    summary.referrals = Counts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    summary.absent_referrals = sorted(set(existing) - set(wanted))
    ids = dict(Referral.objects.values_list("referral_id", "id"))
    return {rid: ids[rid] for rid in wanted}


def _import_periods(
    frame: pl.DataFrame,
    referral_ids: dict[str, int],
    summary: ImportSummary,
    user: Any,
    report: Progress,
) -> None:
    """The files are the truth for the periods of every referral they list."""
    wanted: dict[int, list[tuple[dt.date, dt.date | None]]] = {
        pk: [] for pk in referral_ids.values()
    }
    for rid, start, end in frame.select("referral_id", "start_date", "end_date").iter_rows():
        wanted[referral_ids[rid]].append((start, end))
    existing: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for ref_pk, start, end in OutcomePeriod.objects.filter(
        referral_id__in=list(wanted)
    ).values_list("referral_id", "start_date", "end_date"):
        existing.setdefault(ref_pk, []).append((start, end))
    replace = [pk for pk, ps in wanted.items() if sorted(ps) != sorted(existing.get(pk, []))]
    removed = sum(len(existing.get(pk, [])) for pk in replace)
    for i in range(0, len(replace), BATCH):
        for p in OutcomePeriod.objects.filter(referral_id__in=replace[i : i + BATCH]):
            p._history_user = user  # history keeps who removed it
            p.delete()
    new = [
        OutcomePeriod(referral_id=pk, start_date=s, end_date=e)
        for pk in replace
        for s, e in sorted(wanted[pk])
    ]
    for i in range(0, len(new), BATCH * 5):
        bulk_create_with_history(
            new[i : i + BATCH * 5], OutcomePeriod, batch_size=BATCH, default_user=user
        )
        report("periods", min(i + BATCH * 5, len(new)), len(new))
    total = sum(len(ps) for ps in wanted.values())
    created = len(new)
    summary.periods = Counts(
        created=max(created - removed, 0), updated=min(created, removed), unchanged=total - created
    )


def _write(
    model: Any,
    new: list[Any],
    changed: list[Any],
    fields: list[str],
    user: Any,
    report: Progress,
    stage: str,
) -> None:
    total = len(new) + len(changed)
    step = BATCH * 5
    for i in range(0, len(new), step):
        bulk_create_with_history(new[i : i + step], model, batch_size=BATCH, default_user=user)
        report(stage, min(i + step, len(new)), total)
    for i in range(0, len(changed), step):
        bulk_update_with_history(
            changed[i : i + step], model, fields, batch_size=BATCH, default_user=user
        )
        report(stage, len(new) + min(i + step, len(changed)), total)
