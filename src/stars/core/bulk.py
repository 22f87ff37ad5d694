"""Fast bulk inserts for imports, with their change history, in plain SQL.

Building a model instance per row costs microseconds, which an import of hundreds of
thousands of rows cannot afford. ``insert_with_history`` writes the rows with
``executemany``, then copies them into their django-simple-history table with one
``INSERT … SELECT`` inside the database, so an imported record has the same "created"
history as one created through a page without Python touching each row twice.

On SQLite, in a transaction opened inside ``bulk_staging()`` (the tracker import's), the rows
do not go through ``executemany``: ADBC's SQLite driver writes the frame's Arrow columns into
a staging database file (a temporary file, never the live database), its image is loaded
into an in-memory schema attached to Django's connection, and one ``INSERT … SELECT`` copies
the rows in order (``_insert_staged``): no Python object per value. The indexes are kept up
to date during the load: measured, that costs less than building them again afterwards.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import Any

import adbc_driver_manager
import adbc_driver_sqlite
import polars as pl
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 5000
STAGING = "stars_staging"  # the schema staged rows are loaded into (``bulk_staging``)
# Polars types whose values ADBC's SQLite driver stores as Django would (JSON and date-time
# columns go through Django's adapters, so through executemany)
_STAGEABLE = (pl.String, pl.Int64, pl.Int32, pl.Int16, pl.Int8, pl.Boolean, pl.Float64)


@contextmanager
def bulk_staging() -> Iterator[None]:
    """Let ``insert_with_history`` stage rows through Arrow in the transaction opened inside
    this block (SQLite only; elsewhere, or already in a transaction, it does nothing and the
    rows go through ``executemany``).

    SQLite refuses ``ATTACH`` inside a transaction, so the empty in-memory schema the staged
    rows are loaded into is attached here, before it, and detached after it whatever happens.
    It holds no file: each staging file is written by ADBC's own copy of SQLite, read as
    bytes and deleted before Django's connection loads the image (``deserialize``), so the
    two copies of SQLite in the process never hold the same file.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute(f"ATTACH DATABASE ':memory:' AS {STAGING}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"DETACH DATABASE {STAGING}")


def _staging_attached() -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pragma_database_list WHERE name = %s", [STAGING])
        return cur.fetchone() is not None


def _by_value(convert: Callable[[Any], Any], column: Sequence[Any]) -> list[Any]:
    """``convert`` applied to every value of ``column``, once per distinct value: dates and
    codes repeat across rows, and the lookups run in C (``map``) rather than a Python loop."""
    try:
        table = {v: convert(v) for v in set(column)}
    except TypeError:  # unhashable (a list for a JSON field)
        return [convert(v) for v in column]
    return list(map(table.__getitem__, column))


def _iso_date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _converter(model: type[models.Model], column: str) -> Callable[[Any], Any] | None:
    """How to hand one column's Python values to the database driver (None: as they are)."""
    try:
        field = next(f for f in model._meta.concrete_fields if f.attname == column)
    except StopIteration:
        return None
    kind = field.get_internal_type()
    if kind == "JSONField":
        return json.dumps
    if kind == "DateTimeField":  # as Django stores them (naive UTC text on SQLite)
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField" and connection.vendor == "sqlite":
        # the text Django's adapter would give (``date.isoformat``), without a call into
        # Python per value from inside the driver; psycopg adapts dates in C already
        return _iso_date
    return None


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


def _column(model: type[models.Model], series: pl.Series) -> list[Any]:
    """One column's values as the database driver takes them.

    On SQLite a date column becomes, inside Polars, the text Django's adapter would give
    (``date.isoformat``), so no Python runs per value; psycopg adapts dates in C already.
    """
    if series.dtype == pl.Date and connection.vendor == "sqlite":
        return series.dt.strftime("%Y-%m-%d").to_list()
    values = series.to_list()
    convert = _converter(model, series.name)
    return _by_value(convert, values) if convert else values


def _insert(model: type[models.Model], frame: pl.DataFrame, defaults: dict[str, Any]) -> None:
    """Insert the rows of ``frame`` (columns named by attname), then ``defaults`` (values
    ready for the driver, the same in every row), ``CHUNK`` rows per ``executemany``.

    The frame is turned into the driver's values column by column and zipped into rows
    with the defaults, so no Python code runs per row.
    """
    qn = connection.ops.quote_name
    names = [*frame.columns, *defaults]
    marks = ", ".join(["%s"] * len(names))
    table = model._meta.db_table
    sql = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in names)}) VALUES ({marks})"
    with connection.cursor() as cur:
        for chunk in frame.iter_slices(CHUNK):
            columns = [_column(model, series) for series in chunk.iter_columns()]
            rows = zip(*columns, *map(repeat, defaults.values()), strict=False)  # repeat: endless
            cur.executemany(sql, list(rows))


def _arrow_column(model: type[models.Model], series: pl.Series) -> pl.Series | None:
    """One column as ADBC should store it for Django to read it back, or None when it cannot
    be staged as it is. ADBC's SQLite driver writes a date as its ISO text, what Django
    stores (``tests/core/test_bulk.py`` compares the stored values and their types)."""
    if series.dtype == pl.Null:
        return series.cast(pl.String)
    if series.dtype == pl.Date:
        return series
    if series.dtype in _STAGEABLE and _converter(model, series.name) is None:
        return series
    return None


def _insert_staged(
    model: type[models.Model], frame: pl.DataFrame, defaults: dict[str, Any]
) -> bool:
    """Insert the rows of ``frame`` through a staging file written by ADBC, then ``defaults``
    (the same in every row) as parameters of the one ``INSERT … SELECT`` that copies them in
    order. False (nothing done) when a column cannot be staged as it is."""
    columns = [_arrow_column(model, series) for series in frame.iter_columns()]
    if any(c is None for c in columns):
        return False
    staged = pl.DataFrame(columns)
    # beside the database file (the data directory), so the rows never leave it, even for
    # the moment the file exists; a database in memory (tests) uses the system's temp folder
    beside = None if connection.is_in_memory_db() else Path(connection.settings_dict["NAME"]).parent
    with tempfile.TemporaryDirectory(prefix="stars-staging-", dir=beside) as folder:
        path = str(Path(folder) / "rows.sqlite3")
        with (
            adbc_driver_sqlite.connect(path) as db,
            adbc_driver_manager.AdbcConnection(db) as conn,
            adbc_driver_manager.AdbcStatement(conn) as stmt,
        ):
            stmt.set_options(
                **{
                    "adbc.ingest.target_table": "rows",
                    "adbc.ingest.mode": "adbc.ingest.mode.create",
                }
            )
            stmt.bind_stream(staged)
            stmt.execute_update()
        image = Path(path).read_bytes()
    connection.connection.deserialize(image, name=STAGING)
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in [*frame.columns, *defaults])
    picked = ", ".join([*(qn(c) for c in frame.columns), *(["%s"] * len(defaults))])
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({names}) "
        f"SELECT {picked} FROM {STAGING}.rows ORDER BY rowid"
    )
    with connection.cursor() as cur:
        cur.execute(sql, list(defaults.values()))
    return True


def _copy_to_history(
    model: type[models.Model], hmodel: type[models.Model], after: int, user_id: int | None
) -> None:
    """Write a "created" history record of every row of ``model`` with a key above ``after``.

    Every column the history table shares with the model is copied from the row as stored
    (not only those the caller gave), so no field of the history record is left empty.
    """
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


def _new_ids(model: type[models.Model], keys: pl.DataFrame, before: int) -> pl.DataFrame:
    """``keys`` (the key columns of the rows just inserted, in the order inserted) with each
    row's new ``id``.

    Ids only ever grow (autoincrement, sequences) and the rows went in one after another,
    so when the ids above ``before`` are exactly the next ``len(keys)`` numbers they are
    these rows' in order, and nothing needs reading back. Otherwise (another writer's rows
    among them) each row's id is read back by its key.
    """
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    n = keys.height
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), MAX({pk}) FROM {table} WHERE {pk} > %s", [before])
        count, top = cur.fetchone()
        if count == n and top == before + n:
            return keys.with_columns(
                pl.int_range(before + 1, before + n + 1, dtype=pl.Int64).alias("id")
            )
        names = ", ".join(qn(model._meta.get_field(k).column) for k in keys.columns)
        cur.execute(f"SELECT {pk}, {names} FROM {table} WHERE {pk} > %s", [before])
        read = pl.DataFrame(cur.fetchall(), schema={"id": pl.Int64, **keys.schema}, orient="row")
    return keys.join(read, on=keys.columns, how="left", maintain_order="left")


def insert_with_history(
    model: type[models.Model],
    frame: pl.DataFrame,
    *,
    key: Sequence[str] = (),
    user_id: int | None = None,
) -> pl.DataFrame:
    """Insert the rows of ``frame`` (its columns named by attname) and their history.

    ``key`` names columns that identify a row among those inserted; returns them with each
    row's new ``id``, in the order of ``frame`` (no columns when no key is named).
    The caller holds a transaction (the importers are atomic).
    """
    if frame.is_empty():
        return pl.DataFrame(schema={**frame.select(key).schema, "id": pl.Int64})
    defaults = _defaults(model, set(frame.columns))
    before = model._base_manager.aggregate(m=Max("pk"))["m"] or 0  # every programme's rows
    if not (_staging_attached() and _insert_staged(model, frame, defaults)):
        _insert(model, frame, defaults)
    ids = _new_ids(model, frame.select(key), before) if key else pl.DataFrame()
    history = getattr(model, "history", None)  # a manager made anew at each look: once
    if history is not None:
        _copy_to_history(model, history.model, before, user_id)
    return ids
