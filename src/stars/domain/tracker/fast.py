"""Column-wise checking of a clean tracker: the fast path of ``parse_tracker``.

Most trackers an import sees are clean. This module checks the three files column by
column with Polars and, when every check passes, returns the parsed tracker without
looking at a row in Python. It never writes an error message: as soon as anything is
wrong, or anything is unusual enough that it cannot be sure (quotes, blank lines, odd
whitespace, unknown or missing columns, a header written twice), it answers ``None`` and
``parse_tracker`` checks the files row by row (``stars.domain.tracker.checks``), which
names file, line and column for every problem. So the fast path may only ever accept
what the row-by-row checker accepts, with the same rows and the same warnings — a
property test holds it to that.

Warnings (eligibility, a referral from an enquiry that did not progress) are found
column-wise too; only the few rows they concern are worded in Python, with the same
words as the row checker.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import polars as pl

from stars.domain.contract.terms import Contract
from stars.domain.outcomes.frames import ENQUIRY_SCHEMA, PERIOD_SCHEMA, REFERRAL_SCHEMA
from stars.domain.tracker.checks import ID_PATTERN, MAX_PROBLEMS, Problem, enquiry_after_period
from stars.domain.vocabulary import DECISIONS, FUNDINGS, STATUSES

# anything the csv module and Polars might read differently, or str.strip and Polars strip,
# and tabs (the row checker looks at a tab opening an id before it trims the cell)
UNUSUAL = re.compile(
    '["\x00-\x09\x0b-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
)
ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ID = f"^{ID_PATTERN}$"
IDS = ("enquiry_id", "referral_id", "child_ref")


def _frame(name: str, text: str, columns: tuple[str, ...]) -> pl.DataFrame | None:
    """All-text frame of a file with exactly ``columns`` and no blank line, or None."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    if "\n\n" in text or "\r" in text or UNUSUAL.search(text):
        return None
    header = [h.strip().lower() for h in text[: text.index("\n")].split(",")]
    if sorted(header) != sorted(columns):
        return None
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode()),
            has_header=True,
            new_columns=header,
            infer_schema=False,
            quote_char=None,
        )
    except Exception:  # ragged lines and the like: the row checker words them
        return None
    if frame.height != text.count("\n") - 1 or frame.height == 0:
        return None
    if text.count(",") != (len(header) - 1) * (frame.height + 1):  # a short line
        return None
    frame = frame.select(
        pl.col(c).str.strip_chars().replace("", None).alias(c) for c in columns
    ).with_row_index("line", offset=2)
    return frame


def _code(column: str, allowed: tuple[str, ...]) -> pl.Expr:
    """The canonical spelling of a code, null when the code is not one of ``allowed``."""
    lower = {c.lower(): c for c in allowed}
    return (
        pl.col(column)
        .str.to_lowercase()
        .replace_strict(list(lower), list(lower.values()), default=None, return_dtype=pl.Utf8)
    )


def _date(column: str) -> pl.Expr:
    c = pl.col(column)
    return pl.when(c.str.contains(ISO)).then(c.str.to_date("%Y-%m-%d", strict=False))


def _typed(frame: pl.DataFrame, schema: dict[str, Any], contract: Contract) -> pl.DataFrame:
    codes = {
        "local_authority": contract.council_codes,
        "cohort": contract.cohort_codes,
        "decision": DECISIONS,
        "funding": FUNDINGS,
        "status": STATUSES,
        "closure_reason": contract.closure_reasons,
    }
    out = []
    for name, dtype in schema.items():
        if dtype == pl.Date:
            out.append(_date(name).alias(name))
        elif name in codes:
            out.append(_code(name, codes[name]).alias(name))
        else:
            out.append(pl.col(name))
    raw = [pl.col(n).alias(f"raw_{n}") for n, t in schema.items() if t == pl.Date or n in codes]
    return frame.select("line", *out, *raw)


def _all(frame: pl.DataFrame, condition: pl.Expr) -> bool:
    return bool(frame.select(condition.all()).item())


def _valid(frame: pl.DataFrame, schema: dict[str, Any], optional: set[str]) -> bool:
    """Every value that is given is well-formed, and every required value is given."""
    conditions = []
    for name in schema:
        raw = f"raw_{name}"
        if raw in frame.columns:  # a code or a date: given means understood
            conditions.append(pl.col(raw).is_null() | pl.col(name).is_not_null())
        if name not in optional:
            conditions.append(pl.col(name).is_not_null())
        if name in IDS:  # ids and references: 1 to 40 letters, digits and - _ . /
            conditions.append(pl.col(name).is_null() | pl.col(name).str.contains(ID))
    return _all(frame, pl.all_horizontal(conditions))


def _age(dob: str, on: str) -> pl.Expr:
    d, o = pl.col(dob), pl.col(on)

    def month_day(c: pl.Expr) -> pl.Expr:  # Polars gives months and days as Int8: widen first
        return c.dt.month().cast(pl.Int32) * 100 + c.dt.day().cast(pl.Int32)

    before = month_day(o) < month_day(d)
    return o.dt.year().cast(pl.Int32) - d.dt.year().cast(pl.Int32) - before.cast(pl.Int32)


def _admitted(contract: Contract, cohort: str, dob: str, on: str) -> pl.Expr:
    """True where the rule in force on ``on`` surely admits the child; else check in Python."""
    age = _age(dob, on)
    verdict: pl.Expr = pl.lit(False)
    for c in contract.cohorts:
        in_force: pl.Expr = pl.lit(False)
        # the latest started wins; of two starting together, the first listed (as rule_on)
        order = sorted(enumerate(c.eligibility), key=lambda t: (t[1].start, -t[0]))
        for _, rule in order:
            in_force = (
                pl.when(pl.col(on) >= pl.lit(rule.start))
                .then(age.is_between(rule.min_age, rule.max_age))
                .otherwise(in_force)
            )
        verdict = pl.when(pl.col(cohort) == c.code).then(in_force).otherwise(verdict)
    return (pl.col(dob) <= pl.col(on)) & verdict


def _eligibility_warnings(
    contract: Contract, file: str, rows: pl.DataFrame, what: str
) -> list[tuple[int, Problem]]:
    out = []
    for line, cohort, dob, on in rows.select("line", "cohort", "dob", "on").iter_rows():
        verdict = contract.eligibility(cohort, dob, on)
        if not verdict.eligible:
            message = (
                f"outside the eligibility rule on the {what} {on}: {verdict.reason}; "
                "expected a child the rule admits (imported with this warning)"
            )
            out.append((line, Problem(file, line, "date_of_birth", message, warning=True)))
    return out


def parse_clean(
    contract: Contract,
    files: tuple[tuple[str, str], tuple[str, str], tuple[str, str]],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[Problem], int] | None:
    """The three checked frames, warnings and the count of warnings left unlisted; or None.

    ``files`` are (name, text) of the enquiries, referrals and outcome periods files.
    """
    (e_name, e_text), (r_name, r_text), (p_name, p_text) = files
    e_raw = _frame(e_name, e_text, tuple(ENQUIRY_SCHEMA))
    r_raw = _frame(r_name, r_text, tuple(REFERRAL_SCHEMA))
    p_raw = _frame(p_name, p_text, tuple(PERIOD_SCHEMA))
    if e_raw is None or r_raw is None or p_raw is None:
        return None
    e = _typed(e_raw, ENQUIRY_SCHEMA, contract)
    r = _typed(r_raw, REFERRAL_SCHEMA, contract)
    p = _typed(p_raw, PERIOD_SCHEMA, contract)
    if not (
        _valid(e, ENQUIRY_SCHEMA, {"decision_date"})
        and _valid(r, REFERRAL_SCHEMA, {"enquiry_id", "end_date", "closure_reason"})
        and _valid(p, PERIOD_SCHEMA, {"end_date"})
    ):
        return None
    gf_from = contract.guaranteed_funding.start
    if not _enquiries_ok(e) or not _referrals_ok(
        r, e, contract.start, gf_from, contract.referral_period_end
    ):
        return None
    if not _periods_ok(p, r):
        return None
    children = pl.concat(
        [e.select("child_ref", "date_of_birth"), r.select("child_ref", "date_of_birth")]
    )
    if (
        children.group_by("child_ref")
        .agg(pl.col("date_of_birth").n_unique() > 1)["date_of_birth"]
        .any()
    ):
        return None
    warnings = _warnings(contract, e, r, e_name, r_name)
    return (
        e.select(*ENQUIRY_SCHEMA),
        r.select(*REFERRAL_SCHEMA),
        p.select(*PERIOD_SCHEMA),
        warnings[:MAX_PROBLEMS],
        max(len(warnings) - MAX_PROBLEMS, 0),
    )


def _enquiries_ok(e: pl.DataFrame) -> bool:
    pending = pl.col("decision") == "pending"
    decided, day = pl.col("decision_date"), pl.col("enquiry_date")
    return e["enquiry_id"].is_unique().all() and _all(
        e,
        pl.when(pending).then(decided.is_null()).otherwise(decided.is_not_null())
        & (decided.is_null() | (decided >= day))
        & (pl.col("date_of_birth") <= day),
    )


def _referrals_ok(
    r: pl.DataFrame,
    e: pl.DataFrame,
    start: dt.date,
    gf_from: dt.date | None,
    period_end: dt.date,
) -> bool:
    if not r["referral_id"].is_unique().all():
        return False
    live, day, end = pl.col("status") == "live", pl.col("referral_date"), pl.col("end_date")
    early, reason = pl.col("status") == "closed_early", pl.col("closure_reason")
    joined = r.join(
        e.select(
            "enquiry_id",
            pl.col("enquiry_date").alias("e_date"),
            pl.col("child_ref").alias("e_child"),
        ),
        on="enquiry_id",
        how="left",
    )
    return _all(
        joined,
        pl.when(live).then(end.is_null()).otherwise(end.is_not_null())
        & (end.is_null() | (end >= day))
        & (day >= pl.lit(start))
        & (day <= pl.lit(period_end))  # Contract.referral_period_open_on
        & (
            pl.lit(gf_from is None)
            | (pl.col("funding") != "guaranteed")
            | (day >= pl.lit(gf_from or start))
        )
        & pl.when(early)
        .then(reason.is_not_null())
        .otherwise(pl.col("raw_closure_reason").is_null())
        & (pl.col("date_of_birth") <= day)
        & (pl.col("enquiry_id").is_null() | pl.col("e_date").is_not_null())
        & (pl.col("e_date").is_null() | (day >= pl.col("e_date")))
        & (pl.col("e_child").is_null() | (pl.col("child_ref") == pl.col("e_child"))),
    )


def _periods_ok(p: pl.DataFrame, r: pl.DataFrame) -> bool:
    start, end = pl.col("start_date"), pl.col("end_date")
    joined = p.join(
        r.select("referral_id", pl.col("referral_date").alias("r_date")),
        on="referral_id",
        how="left",
    )
    if not _all(joined, pl.col("r_date").is_not_null() & (start >= pl.col("r_date"))):
        return False
    if not _all(p, end.is_null() | (end >= start)):
        return False
    # each period starts on or after the furthest end of the earlier periods of its referral
    far = pl.date(9999, 12, 31)
    ordered = p.select("referral_id", "start_date", "end_date", "line").sort(
        "referral_id", "start_date", "line"
    )
    reach = end.fill_null(far).cum_max().shift(1).over("referral_id")
    return _all(ordered, reach.is_null() | (start >= reach))


def _warnings(
    contract: Contract, e: pl.DataFrame, r: pl.DataFrame, e_name: str, r_name: str
) -> list[Problem]:
    """The row checker's warnings, in its order: enquiries by line, then referrals by line."""
    suspects = e.filter(~_admitted(contract, "cohort", "date_of_birth", "enquiry_date"))
    found = _eligibility_warnings(
        contract,
        e_name,
        suspects.select("line", "cohort", dob="date_of_birth", on="enquiry_date"),
        "enquiry date",
    )
    early: list[tuple[int, int, Problem]] = [(line, 1, w) for line, w in found]
    after = e.filter(pl.col("enquiry_date") > pl.lit(contract.referral_period_end))
    for line, day in after.select("line", "enquiry_date").iter_rows():
        message = enquiry_after_period(day, contract)
        early.append((line, 0, Problem(e_name, line, "enquiry_date", message, warning=True)))
    out = [w for _, _, w in sorted(early, key=lambda x: (x[0], x[1]))]
    joined = r.join(
        e.select(
            "enquiry_id",
            pl.col("enquiry_date").alias("e_date"),
            pl.col("cohort").alias("e_cohort"),
            pl.col("decision").alias("e_decision"),
        ),
        on="enquiry_id",
        how="left",
    ).with_columns(
        on=pl.when(pl.col("enquiry_id").is_null())
        .then(pl.col("referral_date"))
        .when(pl.col("cohort") != pl.col("e_cohort"))
        .then(pl.col("e_date")),
        what=pl.when(pl.col("enquiry_id").is_null())
        .then(pl.lit("re-referral date"))
        .otherwise(pl.lit("enquiry date")),
    )
    late: list[tuple[int, int, Problem]] = []
    for line, eid, decision in (
        joined.filter(pl.col("e_decision").is_not_null() & (pl.col("e_decision") != "progressed"))
        .select("line", "enquiry_id", "e_decision")
        .iter_rows()
    ):
        message = f"enquiry {eid} is {decision}; expected a progressed enquiry"
        late.append((line, 0, Problem(r_name, line, "enquiry_id", message, warning=True)))
    checked = joined.filter(
        pl.col("on").is_not_null()
        & (pl.col("date_of_birth") <= pl.col("on"))
        & ~_admitted(contract, "cohort", "date_of_birth", "on")
    )
    for what, rows in checked.partition_by("what", as_dict=True).items():
        found = _eligibility_warnings(
            contract, r_name, rows.select("line", "cohort", dob="date_of_birth", on="on"), what[0]
        )
        late += [(line, 1, w) for line, w in found]
    return out + [w for _, _, w in sorted(late, key=lambda x: (x[0], x[1]))]
