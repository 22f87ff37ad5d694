"""Write a checked tracker (enquiries, referrals, outcome periods) into the database.

All or nothing: everything happens in one transaction, after the tracker has been parsed
and checked without error. Re-importable: records are matched by id and only what changed
is written, with history; records the database holds but the files no longer list are
reported, never silently deleted. New rows go in through ``stars.core.bulk`` (plain SQL
with their history) so that large trackers import quickly.

A tracker is one programme's: the contract's ``[programme] code`` names it (created when
new), and ids are matched within it, so two programmes may use the same ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from stars.cases.models import OutcomePeriod
from stars.core.bulk import bulk_staging, insert_with_history
from stars.core.programmes import programme_use
from stars.partnership.models import Council, Programme
from stars.partnership.selectors import council_named
from stars.partnership.services import contract_load
from stars.referrals.models import Child, Enquiry, Referral
from stars.referrals.services import enquiries_accepted_mark

Progress = Callable[[str, int, int], None]  # (stage, done, total)
BATCH = 2000
STEP = 50000  # rows a step of the progress bar


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
    programme: str = ""  # the code of the programme imported into (the contract's)


def _noop(stage: str, done: int, total: int) -> None:
    return None


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
    """Load checked tracker frames (tracker-format columns, canonical codes, ``pl.Date``)
    into the programme the contract names, all or nothing (one transaction)."""
    with bulk_staging(), transaction.atomic():
        terms = contract_load(text=contract_text, source=contract_source)
        programme = Programme.objects.get(code=terms.programme_code)
        # the frames spell council codes as the contract does, which may differ in case
        # from the council's stored code (held already by another programme)
        councils = dict(Council.objects.values_list("code", "id"))
        for la in terms.local_authorities:
            held = council_named(la.code)
            if held is not None:
                councils[la.code] = held.id
        with programme_use(programme.choice()):
            summary = _import(enquiries, referrals, periods, councils, by, progress)
    summary.programme = programme.code
    return summary


def _import(
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    periods: pl.DataFrame,
    council_ids: dict[str, int],
    by: Any,
    progress: Progress | None,
) -> ImportSummary:
    # new rows take the programme worked in (the records' default: programme_default)
    report = progress or _noop
    summary = ImportSummary()
    councils = _codes(council_ids)
    user = by if getattr(by, "pk", None) else None
    children = _children(enquiries, referrals, councils, summary, user)
    report("children", 1, 1)
    enquiry_ids = _upsert(
        Enquiry,
        "enquiry_id",
        ENQUIRY_FIELDS,
        enquiries.select(
            "enquiry_id",
            _ids("child_ref", children, "child_id"),
            _ids("local_authority", councils, "council_id"),
            "cohort",
            "enquiry_date",
            "decision",
            "decision_date",
        ),
        summary.enquiries,
        summary.absent_enquiries,
        user,
        report,
        "enquiries",
    )
    referral_ids = _upsert(
        Referral,
        "referral_id",
        REFERRAL_FIELDS,
        referrals.select(
            "referral_id",
            _ids(pl.col("enquiry_id").replace("", None), enquiry_ids, "enquiry_id"),
            _ids("child_ref", children, "child_id"),
            _ids("local_authority", councils, "council_id"),
            "cohort",
            "funding",
            "referral_date",
            "status",
            "end_date",
            pl.col("closure_reason").fill_null(""),
        ),
        summary.referrals,
        summary.absent_referrals,
        user,
        report,
        "referrals",
    )
    enquiries_accepted_mark()  # the enquiries the referrals were made from
    listed = referrals.select("referral_id", _ids("referral_id", referral_ids, "pk"))
    _periods(periods, listed, summary, user, report)
    return summary


def _ids(column: str | pl.Expr, ids: pl.DataFrame, name: str) -> pl.Expr:
    """The database ids of the records ``column`` names (blank stays blank), as ``name``;
    ``ids`` holds each record's key and then its ``id``."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.replace_strict(ids.to_series(0), ids["id"], return_dtype=pl.Int64).alias(name)


def _codes(ids: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"key": list(ids), "id": list(ids.values())}, schema={"key": pl.String, "id": pl.Int64}
    )


def _children(
    enquiries: pl.DataFrame,
    referrals: pl.DataFrame,
    councils: pl.DataFrame,
    summary: ImportSummary,
    user: Any,
) -> pl.DataFrame:
    # referrals last: the latest council and birth date of each child
    both = pl.concat(
        [f.select("child_ref", "local_authority", "date_of_birth") for f in (enquiries, referrals)]
    ).unique("child_ref", keep="last", maintain_order=True)
    # children the files no longer mention are kept and not reported: enquiries and
    # referrals are what the summary lists as absent
    return _upsert(
        Child,
        "child_ref",
        ["council_id", "date_of_birth"],
        both.select("child_ref", _ids("local_authority", councils, "council_id"), "date_of_birth"),
        summary.children,
        [],
        user,
        _noop,
        "children",
    )


ENQUIRY_FIELDS = ["child_id", "council_id", "cohort", "enquiry_date", "decision", "decision_date"]
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


def _upsert(
    model: Any,
    key: str,
    fields: list[str],
    frame: pl.DataFrame,
    counts: Counts,
    absent: list[str],
    user: Any,
    report: Progress,
    stage: str,
) -> pl.DataFrame:
    """Insert new rows and update changed ones, matched by ``key``; returns each record's
    ``key`` and ``id``, the stored first.

    ``frame``'s columns are ``key`` and then ``fields``."""
    existing = {
        r[0]: (r[1], r[2:])
        for r in model.objects.values_list(key, "pk", *fields).iterator(chunk_size=20000)
    }
    stored = pl.col(key).is_in(list(existing))
    new = frame.filter(~stored) if existing else frame
    changed = _changed(model, fields, frame.filter(stored).rows(), existing) if existing else []
    ids = [
        pl.DataFrame(
            {key: list(existing), "id": [v[0] for v in existing.values()]},
            schema={key: frame.schema[key], "id": pl.Int64},
        )
    ]
    total = new.height + len(changed)
    for i in range(0, new.height, STEP):
        made = insert_with_history(
            model, new.slice(i, STEP), key=[key], user_id=getattr(user, "pk", None)
        )
        ids.append(made)
        report(stage, min(i + STEP, new.height), total)
    names = [
        model._meta.get_field(f.removesuffix("_id")).name if f.endswith("_id") and f != key else f
        for f in fields
    ]
    for i in range(0, len(changed), STEP):
        bulk_update_with_history(
            changed[i : i + STEP], model, names, batch_size=BATCH, default_user=user
        )
        report(stage, len(new) + min(i + STEP, len(changed)), total)
    counts.created, counts.updated = new.height, len(changed)
    counts.unchanged = frame.height - new.height - len(changed)
    listed = set(frame.get_column(key).to_list())
    absent.extend(sorted(k for k in existing if k not in listed))
    return pl.concat(ids)


def _changed(
    model: Any,
    fields: list[str],
    rows: list[tuple[Any, ...]],
    existing: dict[Any, tuple[int, tuple[Any, ...]]],
) -> list[Any]:
    """The stored records whose tracker fields differ from ``rows``, with the new values set.

    Each is the whole record read from the database, so that its history row (written from
    the instance by ``bulk_update_with_history``) carries every field, not only the
    tracker's: what the pages recorded beside them, and ``created_at``, stay as they are.
    """
    if not existing:  # a first import: nothing to compare
        return []
    wanted = {
        old[0]: r[1:]
        for r in rows
        if (old := existing.get(r[0])) is not None and tuple(old[1]) != tuple(r[1:])
    }
    stored = model._default_manager.in_bulk(list(wanted))
    out = []
    for pk, values in wanted.items():
        obj = stored[pk]
        for name, value in zip(fields, values, strict=True):
            setattr(obj, name, value)
        out.append(obj)
    return out


def _periods(
    frame: pl.DataFrame,
    listed: pl.DataFrame,
    summary: ImportSummary,
    user: Any,
    report: Progress,
) -> None:
    """The files are the truth for the periods of every referral they list.

    Periods are written referral by referral in the order the files list the referrals,
    each referral's by start date (in file order when two start on the same day)."""
    given = (
        frame.select("referral_id", "start_date", "end_date")
        .join(listed.with_row_index("at"), on="referral_id", how="left", maintain_order="left")
        .sort("at", "start_date", maintain_order=True)
        .select(pl.col("pk").alias("referral_id"), "start_date", "end_date")
    )
    existing: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for ref_pk, start, end in OutcomePeriod.objects.values_list(
        "referral_id", "start_date", "end_date"
    ).iterator(chunk_size=20000):
        existing.setdefault(ref_pk, []).append((start, end))
    to_delete: list[int] = []
    new = given  # none stored: every referral's periods are new
    if existing:
        wanted: dict[int, list[tuple[dt.date, dt.date | None]]] = {
            pk: [] for pk in listed["pk"].to_list()
        }
        for pk, start, end in given.rows():
            wanted[pk].append((start, end))
        replace = [
            pk
            for pk, ps in wanted.items()
            if (sorted(ps) != sorted(existing[pk]) if pk in existing else ps)  # none stored: any
        ]
        to_delete = [pk for pk in replace if existing.get(pk)]
        new = given.filter(pl.col("referral_id").is_in(replace))
    for i in range(0, len(to_delete), 500):
        for p in OutcomePeriod.objects.filter(referral_id__in=to_delete[i : i + 500]):
            p._history_user = user  # history keeps who removed it
            p.delete()
    for i in range(0, new.height, STEP):
        insert_with_history(OutcomePeriod, new.slice(i, STEP), user_id=getattr(user, "pk", None))
        report("periods", min(i + STEP, new.height), new.height)
    removed = sum(len(existing.get(pk, [])) for pk in to_delete)
    summary.periods = Counts(
        created=max(new.height - removed, 0),
        updated=min(new.height, removed),
        unchanged=frame.height - new.height,
    )
