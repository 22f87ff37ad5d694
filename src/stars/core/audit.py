"""Audit: log every read of a child's record and every export or import."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

from django.apps import apps
from django.db import OperationalError, connection, transaction
from django.db.models import (
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.utils import timezone

from stars.core.busy import BRIEF_WAIT, database_busy, waiting_at_most
from stars.core.models import AccessLog, AccessLogRecord
from stars.core.pending import Queue
from stars.core.programmes import programme_active
from stars.core.system import command_running, os_user

CHANGE = {"+": "created", "~": "changed", "-": "deleted"}


def _row(
    user: Any,
    action: str,
    object_type: str,
    object_id: Any,
    path: str,
    detail: str,
    actor: str = "",
) -> AccessLog:
    active = programme_active()
    return AccessLog(
        programme=active.code if active else "",
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or actor or _command_actor() or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        path=path[:500],
        detail=detail[:500],
    )


def record_access(
    *,
    user: Any,
    action: str,
    object_type: str = "",
    object_id: str = "",
    path: str = "",
    detail: str = "",
    shown: Iterable[tuple[str, Any]] = (),
    actor: str = "",
) -> None:
    """One entry; ``shown``: the children's records (type, id) it showed without naming
    them, when it names a record of many children (a claim with a line per referral),
    linked to it so that who has seen a child's record finds it (``AccessLogRecord``).
    ``actor``: who did it when no STARS user did (:func:`command_actor`)."""
    entry = _row(user, action, object_type, object_id, path, detail, actor)
    _log([(entry, list(dict.fromkeys((kind, str(i)) for kind, i in shown)))])


def command_actor(command: str) -> str:
    """Who a `stars` command's change is recorded as: the operating-system user who ran it,
    said to be one (a command has no STARS user)."""
    return f"{os_user()} (operating-system user, stars {command})"


def _command_actor() -> str:
    """Who an entry made by the `stars` command this process runs is recorded as, when no
    STARS user made it (a backup, an export, a report): the operating-system user who ran it
    (:func:`command_actor`), not "system", which says nothing of who took the copy; "" in a
    process running no such command (the web server, the job worker: "system" there is the
    service's own work)."""
    command = command_running()
    return command_actor(command) if command else ""


def record_list(
    *, user: Any, object_type: str, object_ids: Iterable[Any], path: str = "", detail: str = ""
) -> None:
    """A list shown (a page of referrals, the worklist, an API page): one ``list`` row per
    record on it, so that who has seen a child's record finds the lists too."""
    _log([(_row(user, "list", object_type, i, path, detail), []) for i in object_ids])


Entry = tuple[AccessLog, list[tuple[str, str]]]  # an entry, the records it showed


def _log(entries: list[Entry]) -> None:
    """Write ``entries`` to the access log. While an import holds SQLite's write lock (a
    page must not fail, nor wait minutes, for it: ``stars.core.busy``), they are kept in a
    file instead, and written in by the next write to the access log, or read of it, once
    the lock is free (:func:`flush_pending`)."""
    if not entries:
        return
    if connection.in_atomic_block:  # the transaction holds the write lock already
        _save(entries)
        return
    try:
        with waiting_at_most(BRIEF_WAIT), transaction.atomic():
            _save(entries)
    except OperationalError as exc:
        if not database_busy(exc):
            raise
        _keep(entries)
        return
    flush_pending()


def _save(entries: list[Entry]) -> None:
    if len(entries) == 1:  # an entry's own id is needed for its records
        entries[0][0].save()
    elif entries:
        AccessLog.objects.bulk_create([entry for entry, _ in entries])
    AccessLogRecord.objects.bulk_create(
        [
            AccessLogRecord(entry=entry, object_type=kind, object_id=i)
            for entry, records in entries
            for kind, i in records
        ],
        batch_size=2000,
    )


# --- entries kept while an import holds SQLite's write lock (stars.core.busy) ----------
#
# A file for each page's entries, in PENDING under STARS_HOME (``stars.core.pending``,
# which claims them, takes up those of a process that ended, and deletes them once written
# in), each entry with an id of its own kept with its row (``AccessLog.kept_id``, unique):
# an entry whose id the log holds already is not added again.

PENDING = "access-log-pending"
KEPT = Queue(PENDING, "access-log entries")
_FIELDS = ("programme", "username", "action", "object_type", "object_id", "path", "detail")


def _keep(entries: list[Entry]) -> None:
    at = timezone.now().isoformat()
    KEPT.put(
        {"at": at, "user": e.user_id, "records": r, **{f: getattr(e, f) for f in _FIELDS}}
        for e, r in entries
    )


def _written_in(ids: list[str]) -> set[str]:
    """Which of the kept entries ``ids`` the access log holds already."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(AccessLog.objects.filter(kept_id__in=chunk).values_list("kept_id", flat=True))
    return found


def _write_in(kept: list[dict[str, Any]]) -> None:
    """Write the kept entries ``kept`` into the access log in one transaction, each with the
    time it was made, but those whose ids it holds already."""
    users = AccessLog._meta.get_field("user").related_model
    known = set(
        users._default_manager.filter(pk__in={k["user"] for k in kept if k["user"]}).values_list(
            "pk", flat=True
        )
    )
    entries: list[Entry] = []
    for k in kept:
        entry = AccessLog(user_id=k["user"] if k["user"] in known else None, kept_id=k.get("id"))
        for f in _FIELDS:
            setattr(entry, f, k[f])
        entries.append((entry, [(kind, i) for kind, i in k["records"]]))
    with waiting_at_most(BRIEF_WAIT), transaction.atomic():
        done = _written_in([k["id"] for k in kept if k.get("id")])
        new = [(e, k) for e, k in zip(entries, kept, strict=True) if k.get("id") not in done]
        _save([e for e, _ in new if not e[1]])  # a list's rows, in one insert
        for one, _ in new:
            if one[1]:
                _save([one])
        for (entry, _), k in new:
            entry.at = dt.datetime.fromisoformat(k["at"])  # when it was made, not now
        AccessLog.objects.bulk_update([entry for (entry, _), _ in new], ["at"])


def flush_pending() -> int:
    """Write the access-log entries kept while an import held SQLite's write lock into the
    access log, each with the time it was made; how many files of them. Only outside a
    transaction (one rolled back would lose them); when the lock is still held they are
    left for the next time. An entry the log holds already (written in by a process that
    ended before deleting its file) is not added again."""
    if connection.in_atomic_block:
        return 0
    try:
        return KEPT.take(_write_in, retry_on=(OperationalError,))
    except OperationalError as exc:
        if database_busy(exc):
            return 0
        raise


def pending_kept() -> bool:
    """Whether access-log entries are still kept in files, not yet written in (the lock
    was held when :func:`flush_pending` last ran, or another process is writing them)."""
    return KEPT.waiting()


def reads(*, who: str = "", record: str = "") -> QuerySet[AccessLog]:
    """The access log, newest first, narrowed to a user and to a record if given (an entry
    that showed the record among others, a claim's lines, included), and to the programme
    worked in (with what belongs to none: signing in, the service's users). Entries kept
    while an import held the write lock are written in first (:func:`flush_pending`)."""
    flush_pending()
    rows = AccessLog.objects.all()
    active = programme_active()
    if active is not None:
        rows = rows.filter(programme__in=["", active.code])
    if who:
        rows = rows.filter(username__iexact=who.strip())
    if record:
        text = record.strip()
        showed = AccessLogRecord.objects.filter(object_id__icontains=text)
        rows = rows.filter(
            Q(object_id__icontains=text)
            | Q(detail__icontains=text)
            | Q(path__icontains=text)
            | Q(pk__in=showed.values("entry_id"))
        )
    return rows


def historied_models() -> list[Any]:
    """Every model whose changes simple-history keeps (so the audit page misses none)."""
    return [model for model, _ in _histories()]


@lru_cache(maxsize=1)
def _histories() -> tuple[tuple[Any, Any], ...]:
    """(model, its history manager) for every model whose changes simple-history keeps,
    found once: each read of ``model.history`` builds a manager class (simple-history's
    descriptor), a millisecond apiece, and the audit page reads every model's history."""
    return tuple(
        (m, m.history)
        for m in apps.get_models()
        if hasattr(m, "history") and not m.__name__.startswith("Historical")
    )


# How a record is named on the audit page, by the model that holds the name: a referral,
# an enquiry or a child by its id, a claim as "council/YYYY-MM" (as in the access log).
RECORD_IDS = {
    "referrals.referral": "referral_id",
    "referrals.enquiry": "enquiry_id",
    "referrals.child": "child_ref",
}
CLAIM = "finance.outcomeclaim"
CLAIM_ID = re.compile(r"([\w-]+)/(\d{4})-(\d{2})")


def _claim_q(text: str, prefix: str) -> Q | None:
    m = CLAIM_ID.fullmatch(text)
    if m is None:
        return None
    try:
        month = dt.date(int(m[2]), int(m[3]), 1)
    except ValueError:
        return None
    return Q(**{f"{prefix}council__code__iexact": m[1], f"{prefix}month": month})


def record_filter(model: Any, text: str, prefix: str = "", depth: int = 2) -> Q | None:
    """Rows of ``model`` about the record named ``text``: the record itself, or a record
    that belongs to it (a case's meeting, its meeting's action, a claim's line), through at
    most ``depth`` foreign keys. None when the model has no way to name such a record."""
    found: list[Q] = []
    label = model._meta.label_lower
    if label in RECORD_IDS:
        found.append(Q(**{f"{prefix}{RECORD_IDS[label]}__icontains": text}))
    if label == CLAIM and (claim := _claim_q(text, prefix)) is not None:
        found.append(claim)
    if depth:
        for f in model._meta.fields:
            if f.is_relation and f.related_model is not None:
                q = record_filter(f.related_model, text, f"{prefix}{f.name}__", depth - 1)
                if q is not None:
                    found.append(q)
    if not found:
        return None
    q = found[0]
    for more in found[1:]:
        q |= more
    return q


PROGRAMME = "partnership.programme"


@cache
def programme_path(model: Any, prefix: str = "", depth: int = 2) -> str | None:
    """The lookup from ``model`` to the id of the programme its records belong to (through
    at most ``depth`` foreign keys); None for what belongs to no programme (councils, users)."""
    names = {f.name for f in model._meta.fields}
    if model._meta.label_lower == PROGRAMME:
        return f"{prefix}id"
    if "programme" in names:
        return f"{prefix}programme_id"
    if depth:
        for f in model._meta.fields:
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is not None:
                found = programme_path(f.related_model, f"{prefix}{f.name}__", depth - 1)
                if found is not None:
                    return found
    return None


def _named(instances: list[Any]) -> list[Any]:
    """The records of the latest changes with the records their names may read (a claim
    line is named by its claim) loaded together: a query per kind of record and relation,
    not one per change shown."""
    by_model: dict[type, list[Any]] = defaultdict(list)
    for instance in instances:
        by_model[type(instance)].append(instance)
    for model, same in by_model.items():
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        if related:
            prefetch_related_objects(same, *related)
    return instances


def _history(model: Any, history: Any, *, who: str, text: str, active: Any) -> QuerySet[Any] | None:
    """The change history of ``model`` (``history``, its manager) narrowed as the audit page
    asks (the programme worked in, a user, a record); None when the record searched for
    cannot be one of its."""
    history = history.all()
    path = programme_path(model) if active is not None else None
    if path is not None:
        history = history.filter(**{path: active.id})
    if who:
        history = history.filter(history_user__username__iexact=who)
    if text:
        about = record_filter(model, text)
        if about is None:
            return None
        history = history.filter(about)
    return history


def _latest(
    histories: tuple[tuple[Any, Any], ...], *, who: str, text: str, limit: int
) -> list[tuple[int, int]]:
    """(index in ``histories``, history id) of the latest ``limit`` changes across every
    model's history, newest first, in one query: a union of each model's latest ``limit``
    (each read by its date's index, as a query of its own would be, never the whole
    history); at the same moment, in the order of ``histories``."""
    active = programme_active()
    branches = []
    for i, (model, manager) in enumerate(histories):
        history = _history(model, manager, who=who, text=text, active=active)
        if history is not None:
            latest = history.order_by("-history_date").values("history_id")[:limit]
            branches.append(
                manager.filter(history_id__in=latest)
                .order_by()
                .annotate(audit_kind=Value(i, output_field=IntegerField()))
                .values_list("audit_kind", "history_id", "history_date")
            )
    if not branches:
        return []
    union = branches[0].union(*branches[1:], all=True)
    rows = union.order_by("-history_date", "audit_kind", "-history_id")[:limit]
    return [(kind, history_id) for kind, history_id, _ in rows]


def _with_previous(model: Any, history: Any, ids: list[int]) -> dict[int, tuple[Any, Any]]:
    """The rows ``ids`` of ``model``'s ``history``, each with the row before it of the same
    record (simple-history's ``prev_record``: None for the first), in two queries."""
    pk = model._meta.pk.attname
    earlier = history.filter(
        **{pk: OuterRef(pk)}, history_date__lt=OuterRef("history_date")
    ).order_by("-history_date")
    rows = list(
        history.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
    )
    wanted = [h.previous_id for h in rows if h.history_type == "~" and h.previous_id]
    previous = {h.history_id: h for h in history.filter(history_id__in=wanted)}
    return {h.history_id: (h, previous.get(h.previous_id)) for h in rows}


def recent_changes(*, who: str = "", record: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """The latest ``limit`` changes across every historied model, with the fields changed,
    narrowed to a user and to a record (as :func:`reads` is) if given. The database picks
    the changes shown; only those are read, with what their names and diffs need: a few
    queries for each kind of record shown, none for the kinds not shown."""
    histories = _histories()
    latest = _latest(histories, who=who.strip(), text=record.strip(), limit=limit)
    by_kind: dict[int, list[int]] = defaultdict(list)
    for kind, history_id in latest:
        by_kind[kind].append(history_id)
    loaded = {
        (kind, history_id): found
        for kind, ids in by_kind.items()
        for history_id, found in _with_previous(*histories[kind], ids).items()
    }
    shown = [loaded[key] for key in latest]
    instances = _named([h.instance for h, _ in shown])
    changes: list[dict[str, Any]] = []
    for (h, previous), instance in zip(shown, instances, strict=True):
        fields = ""
        if h.history_type == "~" and previous is not None:
            fields = ", ".join(c.field for c in h.diff_against(previous).changes)
        changes.append(
            {
                "at": h.history_date,
                "who": h.history_user.username if h.history_user else "system",
                "what": f"{type(instance)._meta.verbose_name} {instance}",
                "type": CHANGE[h.history_type],
                "fields": fields,
                "reason": h.history_change_reason or "",
            }
        )
    return changes
