"""Reads for reports: the programme's records as Polars frames, narrowed to a scope.

Only the columns the engine needs are read, straight from the database cursor (no model
instances), so the whole programme loads in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import adbc_driver_manager
import adbc_driver_sqlite
import polars as pl
from django.db import connection

from stars.cases.models import OutcomePeriod
from stars.core.cache import cached_figures, data_version
from stars.core.permissions import Scope
from stars.core.programmes import programme_active
from stars.domain.evaluation.report import EnquiryCounts
from stars.domain.outcomes.frames import DATE_COLUMNS
from stars.domain.tracker.rows import ENQUIRY_COLUMNS, PERIOD_COLUMNS, REFERRAL_COLUMNS
from stars.partnership.models import Contract, Programme
from stars.referrals.models import Child, Enquiry, Referral

T = TypeVar("T")

# The records every programme figure is computed from; each change to one of them is a row
# of its history table (docs/architecture.md: every change is audited).
VERSIONED = (Contract, Child, Enquiry, Referral, OutcomePeriod)

ID_COLUMNS = frozenset({"enquiry_id", "referral_id"})

_ENQUIRIES = """
SELECT e.enquiry_id, ch.child_ref, co.code, e.cohort, CAST(e.enquiry_date AS TEXT),
       CAST(ch.date_of_birth AS TEXT), e.decision, CAST(e.decision_date AS TEXT)
FROM referrals_enquiry e
JOIN referrals_child ch ON ch.id = e.child_id
JOIN partnership_council co ON co.id = e.council_id
{where}
"""
_REFERRALS = """
SELECT r.referral_id, e.enquiry_id, ch.child_ref, co.code, r.cohort,
       CAST(ch.date_of_birth AS TEXT), r.funding, CAST(r.referral_date AS TEXT), r.status,
       CAST(r.end_date AS TEXT), r.closure_reason
FROM referrals_referral r
JOIN referrals_child ch ON ch.id = r.child_id
JOIN partnership_council co ON co.id = r.council_id
LEFT JOIN referrals_enquiry e ON e.id = r.enquiry_id
{where}
"""
_PERIODS = """
SELECT r.referral_id, CAST(p.start_date AS TEXT), CAST(p.end_date AS TEXT)
FROM cases_outcomeperiod p
JOIN referrals_referral r ON r.id = p.referral_id
JOIN referrals_child ch ON ch.id = r.child_id
JOIN partnership_council co ON co.id = r.council_id
{where}
"""


# The report needs fewer columns: ids as the integer keys already in the tables (no joins to
# look up the text ids), no child columns (``None``: not read, empty in the frame). Same rows,
# same figures, far less to read. Each lean read: its columns' SQL, and the rest of the query.
_LEAN_ENQUIRIES = (
    {
        "enquiry_id": "e.id",
        "child_ref": None,
        "local_authority": "co.code",
        "cohort": "e.cohort",
        "enquiry_date": "e.enquiry_date",
        "date_of_birth": None,
        "decision": "e.decision",
        "decision_date": "e.decision_date",
    },
    "FROM referrals_enquiry e JOIN partnership_council co ON co.id = e.council_id {where}",
)
_LEAN_REFERRALS = (
    {
        "referral_id": "r.id",
        "enquiry_id": "r.enquiry_id",
        "child_ref": None,
        "local_authority": "co.code",
        "cohort": "r.cohort",
        "date_of_birth": None,
        "funding": "r.funding",
        "referral_date": "r.referral_date",
        "status": "r.status",
        "end_date": "r.end_date",
        "closure_reason": "r.closure_reason",
    },
    "FROM referrals_referral r{scan} JOIN partnership_council co ON co.id = r.council_id {where}",
)
_LEAN_PERIODS = (
    {"referral_id": "p.referral_id", "start_date": "p.start_date", "end_date": "p.end_date"},
    "FROM cases_outcomeperiod p {where}",
)

# What the evaluation report needs of the enquiries (``EnquiryCounts``), counted by the
# database: grouped in the order of the ``enquiry_counts`` index, which holds every column
# used, so the database reads that index alone and sorts nothing. Parameters: the as-of
# date twice, then those of ``{where}`` (the programme); ``{scope}`` narrows the councils.
_ENQUIRY_COUNTS = """
SELECT g.cohort, co.code, g.decision, g.decided, g.n
FROM (
    SELECT e.council_id, e.decision, e.cohort,
           SUM(CASE WHEN e.decision_date <= %s THEN 1 ELSE 0 END) AS decided, COUNT(*) AS n
    FROM referrals_enquiry e
    WHERE e.enquiry_date <= %s {where}
    GROUP BY e.council_id, e.decision, e.cohort
) g
JOIN partnership_council co ON co.id = g.council_id
{scope}
"""


def _lean(
    read: tuple[dict[str, str | None], str], where: str, *, day_numbers: bool, scan: bool = False
) -> tuple[str, list[str]]:
    """A lean read's SQL and the columns it reads. Dates come as ISO text, or with
    ``day_numbers`` (SQLite only) as whole days since 1970-01-01, worked out by SQLite as it
    steps through the rows (``julianday``, exact for a date), so no text is made or parsed.
    ``scan`` (SQLite only): the referrals read in the table's order (``NOT INDEXED``), not
    through the programme's index and back to each row, when every row is read anyway."""
    exprs, rest = read
    columns = [c for c, e in exprs.items() if e is not None]
    items = []
    for c in columns:
        e = exprs[c]
        if c in DATE_COLUMNS:
            e = (
                f"CAST(julianday({e}) - 2440587.5 AS INTEGER)"
                if day_numbers
                else f"CAST({e} AS TEXT)"
            )
        items.append(e)
    hint = " NOT INDEXED" if scan else ""
    return f"SELECT {', '.join(items)} {rest.format(where=where, scan=hint)}", columns


def _where(scope: Scope | None, alias: str = "co", table: str = "r") -> tuple[str, list[Any]]:
    """The rows of the programme worked in (``table``'s ``programme_id``), of the scope's
    councils (``alias``'s ``code``)."""
    terms, params = _programme_terms(table), []
    active = programme_active()
    if active is not None:
        params.append(active.id)
    council_terms, codes = _council_terms(scope, alias)
    terms += council_terms
    params.extend(codes)
    return ("WHERE " + " AND ".join(terms), params) if terms else ("", [])


def _programme_terms(table: str) -> list[str]:
    """``table``'s rows of the programme worked in (one parameter: its id), if any."""
    return [] if programme_active() is None else [f"{table}.programme_id = %s"]


def _council_terms(scope: Scope | None, alias: str) -> tuple[list[str], list[str]]:
    """The rows of the scope's councils (``alias``'s ``code``), if it narrows them."""
    if scope is None or scope.councils is None:
        return [], []
    codes = sorted(scope.councils)
    marks = ", ".join(["%s"] * len(codes)) or "NULL"
    return [f"{alias}.code IN ({marks})"], codes


def _frame(sql: str, params: list[Any], columns: Sequence[str]) -> pl.DataFrame:
    return _typed(_rows(sql, params, columns), columns)


def _rows(sql: str, params: list[Any], columns: Sequence[str]) -> pl.DataFrame:
    """The rows of ``sql`` as read, named ``columns``."""
    if connection.vendor == "sqlite":
        return _sqlite_frame(sql, params, columns)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)


def _typed(
    frame: pl.DataFrame, columns: Sequence[str], keys: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """``columns`` in order, every one as text except the dates (``pl.Date``) and the
    ``keys``, integer ids (``pl.Int64``); a column ``frame`` lacks (not read) is empty."""
    exprs = []
    for c in columns:
        dtype = pl.Date if c in DATE_COLUMNS else pl.Int64 if c in keys else pl.Utf8
        if c not in frame.columns:
            exprs.append(pl.lit(None, dtype).alias(c))
        elif frame.schema[c] == pl.Utf8 and dtype == pl.Date:  # SQLite keeps dates as ISO text
            exprs.append(pl.col(c).str.to_date("%Y-%m-%d"))
        else:  # ids are integers, dates may come as day numbers
            exprs.append(pl.col(c).cast(dtype))
    return frame.select(exprs)


UNIT, RECORD = "\x1f", "\x1e"  # ASCII unit and record separators: never in codes or dates


def _sqlite_frame(sql: str, params: list[Any], columns: Sequence[str]) -> pl.DataFrame:
    """The rows of ``sql`` as one text from SQLite, parsed by Polars.

    Fetching hundreds of thousands of rows builds a Python object per value; asking SQLite
    to join them into one delimited text and letting Polars split it (in Rust) reads a large
    programme several times faster. Blank text and NULL both come back as null.
    """
    names = [f"c{i}" for i in range(len(columns))]
    cells = " || char(31) || ".join(f"coalesce(CAST({n} AS TEXT), '')" for n in names)
    wrapped = f"WITH q({', '.join(names)}) AS ({sql}) SELECT group_concat({cells}, char(30)) FROM q"
    with connection.cursor() as cur:
        cur.execute(wrapped, params)
        text = cur.fetchone()[0]
    if not text:
        return pl.DataFrame(schema={c: pl.Utf8 for c in columns})
    return pl.read_csv(
        io.BytesIO(text.encode()),
        has_header=False,
        new_columns=columns,
        separator=UNIT,
        eol_char=RECORD,
        quote_char=None,
        infer_schema=False,
    )


def arrow_readable() -> bool:
    """Whether ``report_frames(..., arrow=True)`` reads through a connection of its own: on a
    SQLite file (not a test's in-memory database) when the caller is in no transaction
    (a second connection would not see what an open transaction wrote)."""
    return (
        connection.vendor == "sqlite"
        and not connection.in_atomic_block
        and connection.get_autocommit()
        and not connection.is_in_memory_db()
    )


# ADBC's SQLite driver guesses each column's type from its first batch of rows (a column
# whose first rows are all NULL would be taken for integers, then fail on text): one batch
# as large as any programme's table lets it see every value.
_ARROW_BATCH_ROWS = 1 << 24


def _arrow_frames(queries: list[tuple[str, list[Any], list[str]]]) -> list[pl.DataFrame]:
    """The rows of each ``(sql, params, columns)`` read through ADBC's SQLite driver straight
    into Arrow columns (no Python object per value, no text to join and split), all in one
    read transaction, so from one snapshot of the database. NULL comes back as null; blank
    text stays blank (``_sqlite_frame`` reads it as null; ``report_frames`` makes the one
    column that holds blanks, ``closure_reason``, null after either read).

    Its own connection (read-only) to the same file runs a second copy of the SQLite library
    in the process. SQLite warns that closing one copy's file releases the other copy's
    locks (in WAL mode an idle connection still holds one on the shared-memory file), so
    Django's connection is closed first (it opens again on its next query) and the two
    copies never hold the file at once; only a caller alone in its process and in no
    transaction uses it (``report_frames(arrow=True)``: the command line).
    """
    uri = f"file:{quote(str(connection.settings_dict['NAME']))}?mode=ro"
    connection.close()
    frames = []
    with (
        adbc_driver_sqlite.connect(uri) as db,
        adbc_driver_manager.AdbcConnection(db) as conn,
    ):
        conn.set_autocommit(False)  # one read transaction for every query
        try:
            for sql, params, columns in queries:
                with adbc_driver_manager.AdbcStatement(conn) as stmt:
                    stmt.set_options(**{"adbc.sqlite.query.batch_rows": str(_ARROW_BATCH_ROWS)})
                    stmt.set_sql_query(sql.replace("%s", "?"))
                    if params:  # a date as SQLite stores it, ISO text
                        values = [v.isoformat() if isinstance(v, dt.date) else v for v in params]
                        stmt.bind_stream(pl.DataFrame({f"p{i}": [v] for i, v in enumerate(values)}))
                    stream, _ = stmt.execute_query()
                    frame = pl.DataFrame(stream)
                frame.columns = columns
                frames.append(frame)
        finally:
            conn.rollback()
    return frames


def programme_version() -> str:
    """The version of the programme's records (``VERSIONED``): any change makes a new one."""
    return data_version(VERSIONED)


def programme_figures(
    name: str, scope: Scope | None, parts: tuple[Any, ...], compute: Callable[[], T]
) -> T:
    """Figures computed from the records of ``scope``'s councils in the programme worked
    in, cached per version of the records (``stars.core.cache``): ``compute`` runs once per
    version, programme, scope and ``parts``."""
    councils = None if scope is None or scope.councils is None else tuple(sorted(scope.councils))
    return cached_figures(name, programme_version(), (councils, *parts), compute)


def report_frames(
    scope: Scope | None = None, *, arrow: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The frames the evaluation report needs, read lean: ids are the tables' integer keys
    (as text), child columns are empty. Every figure equals that of ``programme_frames``.

    ``arrow``: a caller alone in its process (a command, not a page served beside others)
    may have them read through ADBC's SQLite driver (``_arrow_frames``, dates as day
    numbers) when ``arrow_readable()``; the frames are the same either way."""
    where, params = _where(scope)
    e_where, _ = _where(scope, table="e")
    arrow = arrow and arrow_readable()
    enquiries, referrals, periods = _report_reads(
        scope, [(_lean(_LEAN_ENQUIRIES, e_where, day_numbers=arrow), params)], arrow=arrow
    )
    return _typed(enquiries, ENQUIRY_COLUMNS), referrals, periods


def report_inputs(
    scope: Scope | None, as_of: dt.date, *, arrow: bool = False
) -> tuple[EnquiryCounts, pl.DataFrame, pl.DataFrame]:
    """``report_frames`` with the enquiries counted as of ``as_of`` by the database (what
    the evaluation report needs of them) instead of read row by row, and the ids left as
    the integer keys they are read as (``pl.Int64``: the report only joins the periods to
    their referrals on them and sees which referrals have no enquiry): the same report."""
    programme = _programme_terms("e")
    councils, codes = _council_terms(scope, "co")
    sql = _ENQUIRY_COUNTS.format(
        where="".join(f" AND {t}" for t in programme),
        scope=("WHERE " + " AND ".join(councils)) if councils else "",
    )
    active = programme_active()
    params = [as_of, as_of, *([active.id] if active is not None else []), *codes]
    columns = ["cohort", "local_authority", "decision", "decided", "n"]
    arrow = arrow and arrow_readable()
    counts, referrals, periods = _report_reads(
        scope, [((sql, columns), params)], arrow=arrow, keys=ID_COLUMNS
    )
    rows = counts.select(
        pl.col(c).cast(pl.Int64 if c in ("decided", "n") else pl.Utf8) for c in columns
    )
    return EnquiryCounts(as_of, tuple(rows.rows())), referrals, periods


def _report_reads(
    scope: Scope | None,
    first: list[tuple[tuple[str, list[str]], list[Any]]],
    *,
    arrow: bool,
    keys: frozenset[str] = frozenset(),
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The rows of ``first`` (a query of the enquiries: its SQL and columns, and its
    parameters) as read, then the referrals and their periods typed (``keys``: see
    ``_typed``), in one read (through ADBC when ``arrow``, already checked with
    ``arrow_readable``).

    With a single programme in the service, the periods are read without joining each to
    its referral (which doubled their reading) and kept to the referrals read in Polars,
    and SQLite reads the referrals in the table's order: the same rows either way."""
    where, params = _where(scope)
    sole, sqlite = Programme.objects.count() <= 1, connection.vendor == "sqlite"
    period_where, period_params = "", []
    if where and not sole:
        period_where = (
            "JOIN referrals_referral r ON r.id = p.referral_id "
            "JOIN partnership_council co ON co.id = r.council_id " + where
        )
        period_params = params
    queries = [
        *first,
        (_lean(_LEAN_REFERRALS, where, day_numbers=arrow, scan=sole and sqlite), params),
        (_lean(_LEAN_PERIODS, period_where, day_numbers=arrow), period_params),
    ]
    if arrow:
        read = _arrow_frames([(sql, p, columns) for (sql, columns), p in queries])
    else:
        read = [_rows(sql, p, columns) for (sql, columns), p in queries]
    first_read, referrals, periods = read
    if where and not period_where:
        periods = periods.filter(pl.col("referral_id").is_in(referrals["referral_id"].implode()))
    referrals = _typed(referrals, REFERRAL_COLUMNS, keys).with_columns(
        pl.when(pl.col("closure_reason") == "")
        .then(None)
        .otherwise(pl.col("closure_reason"))
        .alias("closure_reason")
    )
    return first_read, referrals, _typed(periods, PERIOD_COLUMNS, keys)


def programme_frames(
    scope: Scope | None = None, *, restricted: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(enquiries, referrals, periods) in the tracker's columns, for councils in ``scope``;
    without the records of children whose processing is restricted when ``restricted`` is
    False (every export of child-level rows: the tracker export, the evaluator's extract).

    ``scope=None`` (or a scope with every council) reads the whole programme. Codes come
    back as stored (canonical), dates as ``pl.Date``, blanks as null.
    """
    where, params = _where(scope)
    e_where, _ = _where(scope, table="e")
    if not restricted:  # a restricted child's records stay out of exports
        where, e_where = (
            f"{w} AND ch.restricted = %s" if w else "WHERE ch.restricted = %s"
            for w in (where, e_where)
        )
        params = [*params, False]
    enquiries = _frame(_ENQUIRIES.format(where=e_where), params, ENQUIRY_COLUMNS)
    referrals = _frame(_REFERRALS.format(where=where), params, REFERRAL_COLUMNS)
    periods = _frame(_PERIODS.format(where=where), params, PERIOD_COLUMNS)
    referrals = referrals.with_columns(
        pl.when(pl.col("closure_reason") == "")
        .then(None)
        .otherwise(pl.col("closure_reason"))
        .alias("closure_reason")
    )
    return enquiries, referrals, periods
