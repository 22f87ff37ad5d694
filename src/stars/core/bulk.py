"""Fast bulk inserts for imports, with their change history, in plain SQL.

Building a model instance per row costs microseconds, which an import of hundreds of
thousands of rows cannot afford. ``insert_with_history`` writes the rows with
``executemany``, then copies them into their django-simple-history table with one
``INSERT … SELECT`` inside the database, so an imported record has the same "created"
history as one created through a page without Python touching each row twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 5000


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` with its answers remembered: dates and codes repeat across rows."""
    seen: dict[Any, Any] = {}

    def cached(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = convert(value)
            return out
        except TypeError:  # unhashable (a list for a JSON field)
            return convert(value)

    return cached


def _converter(model: type[models.Model], column: str) -> Callable[[Any], Any] | None:
    """How to hand one column's Python values to the database driver (None: as they are)."""
    try:
        field = next(f for f in model._meta.concrete_fields if f.attname == column)
    except StopIteration:
        return None
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _memo(json.dumps)
    if kind == "DateTimeField":  # as Django stores them (naive UTC text on SQLite)
        return _memo(connection.ops.adapt_datetimefield_value)
    return None  # dates: both drivers adapt datetime.date themselves (Django registers it)


def _defaults(model: type[models.Model], given: set[str]) -> dict[str, Any]:
    """Default values of the concrete fields the caller does not give, ready for the driver."""
    out: dict[str, Any] = {}
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        else:
            value = f.get_default()
        convert = _converter(model, f.attname)
        out[f.attname] = convert(value) if convert else value
    return out


def _insert(
    model: type[models.Model],
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    prepared: int = 0,
) -> None:
    """Insert rows given as values of ``columns``, ``CHUNK`` rows per ``executemany``.

    The last ``prepared`` columns already hold values ready for the driver.
    """
    qn = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(columns))
    table = model._meta.db_table
    sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})"
    given = columns[: len(columns) - prepared]
    converters = [(i, c) for i, col in enumerate(given) if (c := _converter(model, col))]
    with connection.cursor() as cur:
        for i in range(0, len(rows), CHUNK):
            chunk: Sequence[Sequence[Any]] = rows[i : i + CHUNK]
            if converters:
                lists = [list(r) for r in chunk]
                for j, convert in converters:
                    for r in lists:
                        r[j] = convert(r[j])
                chunk = lists
            cur.executemany(sql, chunk)


def _copy_to_history(model: type[models.Model], after: int, user_id: int | None) -> None:
    """Write a "created" history record of every row of ``model`` with a key above ``after``.

    Every column the history table shares with the model is copied from the row as stored
    (not only those the caller gave), so no field of the history record is left empty.
    """
    hmodel = model.history.model  # type: ignore[attr-defined]
    qn = connection.ops.quote_name
    hist_columns = {f.column for f in hmodel._meta.concrete_fields}
    copied = [f.column for f in model._meta.concrete_fields if f.column in hist_columns]
    pk = model._meta.pk.column
    target = [*copied, "history_date", "history_change_reason", "history_type", "history_user_id"]
    sql = (
        f"INSERT INTO {qn(hmodel._meta.db_table)} ({', '.join(qn(c) for c in target)}) "
        f"SELECT {', '.join(qn(c) for c in copied)}, %s, NULL, '+', %s "
        f"FROM {qn(model._meta.db_table)} WHERE {qn(pk)} > %s ORDER BY {qn(pk)}"
    )
    when = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute(sql, [when, user_id, after])


def insert_with_history(
    model: type[models.Model],
    columns: list[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: Sequence[str] = (),
    user_id: int | None = None,
) -> dict[tuple[Any, ...], int]:
    """Insert ``rows`` (values of ``columns``, given as attnames) and their history.

    ``key`` names text or integer columns that identify a row among those inserted; returns
    key → new id (nothing when no key is named).
    The caller holds a transaction (the importers are atomic), so no other writer's rows
    can fall among the new ids.
    """
    if not rows:
        return {}
    defaults = _defaults(model, set(columns))
    all_columns = [*columns, *defaults]
    if defaults:
        extra = tuple(defaults.values())
        rows = [(*r, *extra) for r in rows]
    before = model._base_manager.aggregate(m=Max("pk"))["m"] or 0  # every programme's rows
    _insert(model, all_columns, rows, prepared=len(defaults))

    # ids only ever grow (autoincrement, sequences): the new rows are those above `before`
    ids: dict[tuple[Any, ...], int] = {}
    if key:
        qn = connection.ops.quote_name
        pk = qn(model._meta.pk.column)
        names = ", ".join(qn(model._meta.get_field(k).column) for k in key)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {pk}, {names} FROM {qn(model._meta.db_table)} WHERE {pk} > %s", [before]
            )
            ids = {tuple(row[1:]): row[0] for row in cur.fetchall()}
    if getattr(model, "history", None) is not None:
        _copy_to_history(model, before, user_id)
    return ids
