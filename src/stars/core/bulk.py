"""Fast bulk inserts for imports, with their change history, in plain SQL.

Building a model instance per row costs microseconds, which an import of hundreds of
thousands of rows cannot afford. ``insert_with_history`` writes the rows with
``executemany`` and writes their django-simple-history "created" records beside them, so
an imported record has the same history as one created through a page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 5000


def _converter(model: type[models.Model], column: str) -> Any:
    """How to hand one column's Python values to the database driver (None: as they are)."""
    try:
        field = next(f for f in model._meta.concrete_fields if f.attname == column)
    except StopIteration:
        return None
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if connection.vendor == "sqlite" and kind in ("DateField", "DateTimeField"):
        if kind == "DateTimeField":
            return lambda v: v.isoformat(sep=" ") if v is not None else None
        return lambda v: v.isoformat() if v is not None else None
    return None


def _defaults(model: type[models.Model], given: set[str]) -> dict[str, Any]:
    """Prepared default values of the concrete fields the caller does not give."""
    out: dict[str, Any] = {}
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        else:
            value = f.get_default()
        out[f.attname] = value
    return out


def _insert(model: type[models.Model], columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(columns))
    table = model._meta.db_table
    sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})"
    converters = [(i, c) for i, col in enumerate(columns) if (c := _converter(model, col))]
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK):
            chunk = [list(r) for r in rows[i : i + CHUNK]]
            for j, convert in converters:
                for r in chunk:
                    r[j] = convert(r[j])
            cur.executemany(sql, chunk)


def insert_with_history(
    model: type[models.Model],
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: Sequence[str],
    user_id: int | None = None,
) -> dict[tuple[Any, ...], int]:
    """Insert ``rows`` (values of ``columns``, given as attnames) and their history.

    ``key`` names columns that identify a row among those inserted; returns key → new id.
    """
    if not rows:
        return {}
    given = set(columns)
    defaults = _defaults(model, given)
    all_columns = [*columns, *defaults]
    extra = list(defaults.values())
    full = [[*r, *extra] for r in rows]
    manager = model._default_manager
    before = manager.aggregate(m=Max("pk"))["m"] or 0
    _insert(model, all_columns, full)

    # ids only ever grow (autoincrement, sequences): the new rows are those above `before`
    idx = [columns.index(k) for k in key]
    wanted = {tuple(r[i] for i in idx) for r in rows}
    ids: dict[tuple[Any, ...], int] = {}
    for row in manager.filter(pk__gt=before).values_list("pk", *key).iterator(chunk_size=20000):
        k = tuple(row[1:])
        if k in wanted:
            ids[k] = row[0]

    history = getattr(model, "history", None)
    if history is not None:
        hmodel = history.model
        now = timezone.now()
        h_columns = [
            "id",
            *all_columns,
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ]
        hist_names = {f.attname for f in hmodel._meta.concrete_fields}
        keep = [i for i, c in enumerate(all_columns) if c in hist_names]
        h_columns = [
            "id",
            *[all_columns[i] for i in keep],
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ]
        h_rows = [
            [ids[tuple(r[i] for i in idx)], *[r[i] for i in keep], now, None, "+", user_id]
            for r in full
        ]
        _insert(hmodel, h_columns, h_rows)
    return ids
