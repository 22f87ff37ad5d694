"""The checks of the tracker's records: one message per problem, naming file, line, column.

``RowChecker`` checks one record at a time, in file order (enquiries, then referrals, then
outcome periods), remembering what later files refer to; ``Problems`` collects the errors
and warnings, listing at most ``MAX_PROBLEMS`` of each and counting the rest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from stars.domain.calendar import age_on, long_date
from stars.domain.contract.terms import Contract
from stars.domain.spreadsheet_text import FORMULA_START
from stars.domain.tracker.rows import EnquiryRow, PeriodRow, ReferralRow
from stars.domain.vocabulary import DECISIONS, FUNDINGS, STATUSES

MAX_PROBLEMS = 200
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# dates as people and spreadsheets write them (day first, as in the UK), for a hint only:
# the tracker's dates are ISO, and nothing else is read as a date
OTHER_DATES = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y/%m/%d", "%d %b %Y", "%d %B %Y")
# ids and references (enquiry_id, referral_id, child_ref), as tracker-format.md documents:
# 1 to 40 characters, letters, digits and - _ . /, starting with a letter or digit, so that
# no spreadsheet reads one as a formula and every one fits the database's columns
ID_LENGTH = 40
ID_PATTERN = f"[A-Za-z0-9][A-Za-z0-9._/-]{{0,{ID_LENGTH - 1}}}"
ID = re.compile(ID_PATTERN)
ID_FIRST = re.compile("[A-Za-z0-9]")
ID_CHARACTER = re.compile("[A-Za-z0-9._/-]")
ID_EXPECTED = (
    f"expected 1 to {ID_LENGTH} characters: letters, digits and - _ . /, "
    "starting with a letter or digit"
)
SHOWN = 40  # characters of a value quoted in a message; a cell may hold megabytes


def iso_hint(value: str) -> str:
    """How a date written another common way is written here: ": 10 January 2021 is
    2021-01-10" for '10/01/2021' (day first) or '10 Jan 2021'; "" for anything else."""
    for form in OTHER_DATES:
        try:
            day = dt.datetime.strptime(value.strip(), form).date()
        except ValueError:
            continue
        return f": {long_date(day)} is {day.isoformat()}"
    return ""


def shown(value: str, quoted: bool = True) -> str:
    """``value`` for a message, cut short (with its length) when it is long.

    Quoted as Python does, or as it is when ``quoted`` is false and it prints plainly.
    """
    cut = value[:SHOWN]
    text = cut if not quoted and cut.isprintable() else repr(cut)
    return text if len(value) <= SHOWN else f"{text}… ({len(value):,} characters)"


def id_problem(value: str) -> str | None:
    """What is wrong with a non-blank id or reference, or None when it is well-formed."""
    if ID.fullmatch(value):
        return None
    if value.startswith(FORMULA_START):
        return (
            f"{shown(value)} starts with {value[0]!r}, which a spreadsheet would run as a "
            f"formula; {ID_EXPECTED}"
        )
    if not ID_FIRST.fullmatch(value[0]):
        return f"{shown(value)} starts with {value[0]!r}; {ID_EXPECTED}"
    if len(value) > ID_LENGTH:
        return f"is {len(value):,} characters long; {ID_EXPECTED}"
    bad = next(c for c in value if not ID_CHARACTER.fullmatch(c))
    return f"{shown(value)} has the character {bad!r}; {ID_EXPECTED}"


@dataclass(frozen=True)
class Problem:
    """An error or warning about one field (or one line) of one file."""

    file: str
    line: int
    column: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        col = f" column {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{col} {self.message}"


class Problems:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.more_errors = 0
        self.more_warnings = 0

    def error(self, file: str, line: int, column: str, message: str) -> None:
        self.add(Problem(file, line, column, message))

    def add(self, problem: Problem) -> None:
        """Keep an error (``problem.warning`` false) or a warning, within the caps."""
        if problem.warning:
            if len(self.warnings) < MAX_PROBLEMS:
                self.warnings.append(problem)
            else:
                self.more_warnings += 1
        elif len(self.errors) < MAX_PROBLEMS:
            self.errors.append(problem)
        else:
            self.more_errors += 1

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        self.add(Problem(file, line, column, message, warning=True))


class Record:
    """One record's fields with the checks that report against its file and line.

    ``values`` are the cells as written; ``raw`` gives them without surrounding blanks. A
    column named in ``reported`` already has its problem listed (a NUL byte, say): the
    checks still see it as wrong, but add no second message about it.
    """

    __slots__ = ("file", "line", "values", "out", "bad", "dates", "reported")

    def __init__(
        self,
        file: str,
        line: int,
        values: dict[str, str],
        out: Problems,
        dates: dict[str, dt.date] | None = None,
        reported: frozenset[str] = frozenset(),
    ) -> None:
        self.file, self.line, self.values, self.out = file, line, values, out
        self.bad = bool(reported)
        self.dates = {} if dates is None else dates  # text -> date, shared across records
        self.reported = reported

    def error(self, column: str, message: str) -> None:
        self.bad = True
        if column not in self.reported:
            self.out.error(self.file, self.line, column, message)

    def warn(self, column: str, message: str) -> None:
        self.out.warn(self.file, self.line, column, message)

    def raw(self, column: str) -> str:
        return self.values.get(column, "").strip()

    def text(self, column: str) -> str:
        v = self.raw(column)
        if not v:
            self.error(column, "is blank; expected a value")
        return v

    def ident(self, column: str, required: bool = True) -> str:
        """A well-formed id or reference; "" when blank or wrong (the problem reported).

        A cell opening with a tab or carriage return is refused before its blanks are
        trimmed: a spreadsheet may run it as a formula.
        """
        v = self.text(column) if required else self.raw(column)
        if not v:
            return ""
        cell = self.values.get(column, "")
        problem = id_problem(cell if cell.startswith(("\t", "\r")) else v)
        if problem is not None:
            self.error(column, problem)
            return ""
        return v

    def date(self, column: str, required: bool = True) -> dt.date | None:
        v = self.raw(column)
        known = self.dates.get(v)
        if known is not None:
            return known
        if not v:
            if required:
                self.error(column, "is blank; expected a date YYYY-MM-DD")
            return None
        if not ISO_DATE.fullmatch(v):
            self.error(column, f"{shown(v)} is not a date; expected YYYY-MM-DD{iso_hint(v)}")
            return None
        try:
            day = self.dates[v] = dt.date.fromisoformat(v)
            return day
        except ValueError:
            self.error(column, f"{v!r} is not a real date; expected YYYY-MM-DD")
            return None

    def code(self, column: str, allowed: dict[str, str], what: str = "") -> str | None:
        v = self.raw(column)
        canonical = allowed.get(v.lower())
        if canonical is None:
            listed = ", ".join(allowed.values())
            found = f"unknown {what or column.replace('_', ' ')} {shown(v)}" if v else "is blank"
            self.error(column, f"{found}; expected one of {listed}")
        return canonical


class _Enquiry(NamedTuple):
    line: int
    date: dt.date | None
    cohort: str | None
    decision: str | None
    child_ref: str


class _Referral(NamedTuple):
    line: int
    date: dt.date | None


def referral_after_period(day: dt.date, contract: Contract) -> str:
    """The import's error for a referral dated after the contract's referral period."""
    return (
        f"{day} is after the referral period's end {contract.referral_period_end} "
        "([programme] referral_period_end); expected on or before it: the contract pays only "
        "for referrals made within it (a contract variation can extend the period)"
    )


def enquiry_after_period(day: dt.date, contract: Contract) -> str:
    """The import's warning for an enquiry dated after the contract's referral period."""
    return (
        f"{day} is after the referral period's end {contract.referral_period_end} "
        "([programme] referral_period_end): the enquiry cannot become a referral unless a "
        "contract variation extends the period (imported with this warning)"
    )


def _lower(codes: tuple[str, ...]) -> dict[str, str]:
    return {c.lower(): c for c in codes}


class RowChecker:
    """Checks each record against the contract and the records read before it."""

    def __init__(self, contract: Contract, enquiries_file: str, referrals_file: str) -> None:
        self.contract = contract
        self.enquiries_file = enquiries_file
        self.referrals_file = referrals_file
        # files not read in full (empty, a bad header, a quote left open): what is missing
        # from them is unknown
        self.cut_short: set[str] = set()
        self.councils = _lower(contract.council_codes)
        self.cohorts = _lower(contract.cohort_codes)
        self.decisions = _lower(DECISIONS)
        self.fundings = _lower(FUNDINGS)
        self.statuses = _lower(STATUSES)
        self.reasons = _lower(contract.closure_reasons)
        self.enquiries: dict[str, _Enquiry] = {}
        self.referrals: dict[str, _Referral] = {}
        self.children: dict[str, tuple[dt.date, str, int]] = {}
        self.periods: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
        self.rules: dict[tuple[str, dt.date], tuple[int, int] | None] = {}

    # -- shared -------------------------------------------------------------------------------
    def _child(self, rec: Record, ref: str, dob: dt.date | None) -> None:
        if not ref or dob is None:
            return
        seen = self.children.get(ref)
        if seen is None:
            self.children[ref] = (dob, rec.file, rec.line)
        elif seen[0] != dob:
            rec.error(
                "date_of_birth",
                f"{dob} differs from {seen[0]} given for child {ref} at {seen[1]}:{seen[2]}; "
                "expected one date of birth per child",
            )

    def _eligible(self, rec: Record, cohort: str, dob: dt.date, on: dt.date, what: str) -> None:
        key = (cohort, on)
        if key not in self.rules:
            rule = self.contract.cohort(cohort).rule_on(on)
            self.rules[key] = (rule.min_age, rule.max_age) if rule else None
        ages = self.rules[key]
        if ages is not None and dob <= on and ages[0] <= age_on(dob, on) <= ages[1]:
            return  # the common case, without building the reason
        verdict = self.contract.eligibility(cohort, dob, on)
        if not verdict.eligible:
            rec.warn(
                "date_of_birth",
                f"outside the eligibility rule on the {what} {on}: {verdict.reason}; "
                "expected a child the rule admits (imported with this warning)",
            )

    def _duplicate(self, rec: Record, column: str, key: str, first: int | None) -> bool:
        if first is None:
            return False
        rec.error(column, f"duplicate id {key!r} (first at line {first}); expected each id once")
        return True

    # -- enquiries ----------------------------------------------------------------------------
    def enquiry(self, rec: Record) -> EnquiryRow | None:
        eid = rec.ident("enquiry_id")
        known = self.enquiries.get(eid)
        if eid and self._duplicate(rec, "enquiry_id", eid, known.line if known else None):
            return None
        ref = rec.ident("child_ref")
        la = rec.code("local_authority", self.councils, "council")
        cohort = rec.code("cohort", self.cohorts)
        day = rec.date("enquiry_date")
        dob = rec.date("date_of_birth")
        decision = rec.code("decision", self.decisions)
        decided = rec.date("decision_date", required=False)
        raw_decided = rec.raw("decision_date")
        if decision == "pending" and raw_decided:
            rec.error(
                "decision_date",
                "must be blank while the decision is pending; found "
                + shown(raw_decided, quoted=False),
            )
        elif decision and decision != "pending" and not raw_decided:
            rec.error("decision_date", f"is blank; expected the date of the {decision} decision")
        if day and decided and decided < day:
            rec.error(
                "decision_date",
                f"{decided} is before the enquiry date {day}; expected on or after it",
            )
        if day and not self.contract.referral_period_open_on(day):
            rec.warn("enquiry_date", enquiry_after_period(day, self.contract))
        if day and dob and dob > day:
            rec.error(
                "date_of_birth", f"{dob} is after the enquiry date {day}; expected on or before it"
            )
        elif day and dob and cohort:
            self._eligible(rec, cohort, dob, day, "enquiry date")
        self._child(rec, ref, dob)
        if eid:
            self.enquiries[eid] = _Enquiry(rec.line, day, cohort, decision, ref)
        if rec.bad or not la or not cohort or not day or not dob or not decision:
            return None
        return EnquiryRow(eid, ref, la, cohort, day, dob, decision, decided)

    # -- referrals ----------------------------------------------------------------------------
    def referral(self, rec: Record) -> ReferralRow | None:
        rid = rec.ident("referral_id")
        known = self.referrals.get(rid)
        if rid and self._duplicate(rec, "referral_id", rid, known.line if known else None):
            return None
        given_eid = rec.raw("enquiry_id")
        eid = rec.ident("enquiry_id", required=False)
        enquiry = self.enquiries.get(eid) if eid else None
        if eid and enquiry is None and self.enquiries_file not in self.cut_short:
            rec.error(
                "enquiry_id",
                f"no enquiry {eid!r} in {self.enquiries_file}; expected an enquiry_id of that "
                "file, or blank for a re-referral",
            )
        ref = rec.ident("child_ref")
        la = rec.code("local_authority", self.councils, "council")
        cohort = rec.code("cohort", self.cohorts)
        dob = rec.date("date_of_birth")
        funding = rec.code("funding", self.fundings)
        day = rec.date("referral_date")
        status = rec.code("status", self.statuses)
        end = rec.date("end_date", required=False)
        raw_end, raw_reason = rec.raw("end_date"), rec.raw("closure_reason")
        if status == "live" and raw_end:
            rec.error(
                "end_date",
                f"must be blank while the status is live; found {shown(raw_end, quoted=False)}",
            )
        elif status and status != "live" and not raw_end:
            rec.error("end_date", f"is blank; expected the date support ended ({status})")
        if day and end and end < day:
            rec.error(
                "end_date", f"{end} is before the referral date {day}; expected on or after it"
            )
        if day and day < self.contract.start:
            rec.error(
                "referral_date",
                f"{day} is before the programme start {self.contract.start}; "
                "expected on or after it",
            )
        if day and not self.contract.referral_period_open_on(day):
            rec.error("referral_date", referral_after_period(day, self.contract))
        gf = self.contract.guaranteed_funding
        if funding == "guaranteed" and day and not gf.available_on(day):
            rec.error(
                "funding",
                f"is guaranteed, but guaranteed funding starts on {gf.start} ([guaranteed_funding] "
                f"from) and the referral date is {day}; expected sib",
            )
        reason: str | None = None
        if status == "closed_early":
            if raw_reason:
                reason = rec.code("closure_reason", self.reasons, "closure reason")
            else:
                rec.error(
                    "closure_reason",
                    "is blank; expected one of "
                    + ", ".join(self.reasons.values())
                    + " for a closed_early referral",
                )
        elif raw_reason and status:
            rec.error(
                "closure_reason",
                f"must be blank unless the status is closed_early; found {shown(raw_reason)} "
                f"with status {status}",
            )
        if day and dob and dob > day:
            rec.error(
                "date_of_birth", f"{dob} is after the referral date {day}; expected on or before it"
            )
        if enquiry is not None:
            if day and enquiry.date and day < enquiry.date:
                rec.error(
                    "referral_date",
                    f"{day} is before the date {enquiry.date} of enquiry {eid}; "
                    "expected on or after it",
                )
            if ref and enquiry.child_ref and ref != enquiry.child_ref:
                rec.error(
                    "child_ref",
                    f"{ref!r} differs from the child {enquiry.child_ref!r} of enquiry {eid}; "
                    "expected the same child",
                )
            if enquiry.decision and enquiry.decision != "progressed":
                rec.warn(
                    "enquiry_id",
                    f"enquiry {eid} is {enquiry.decision}; expected a progressed enquiry",
                )
            if cohort and dob and enquiry.date and cohort != enquiry.cohort and dob <= enquiry.date:
                self._eligible(rec, cohort, dob, enquiry.date, "enquiry date")
        elif not given_eid and cohort and dob and day and dob <= day:
            self._eligible(rec, cohort, dob, day, "re-referral date")
        self._child(rec, ref, dob)
        if rid:
            self.referrals[rid] = _Referral(rec.line, day)
        if rec.bad or not la or not cohort or not dob or not funding or not day or not status:
            return None
        return ReferralRow(
            rid, eid or None, ref, la, cohort, dob, funding, day, status, end, reason
        )

    # -- outcome periods ----------------------------------------------------------------------
    def period(self, rec: Record) -> PeriodRow | None:
        rid = rec.ident("referral_id")
        referral = self.referrals.get(rid)
        if rid and referral is None and self.referrals_file not in self.cut_short:
            rec.error(
                "referral_id",
                f"no referral {rid!r} in {self.referrals_file}; expected a referral_id of "
                "that file",
            )
        start = rec.date("start_date")
        end = rec.date("end_date", required=False)
        if start and end and end < start:
            rec.error(
                "end_date", f"{end} is before the start date {start}; expected on or after it"
            )
            return None
        if start and referral is not None and referral.date and start < referral.date:
            rec.error(
                "start_date",
                f"{start} is before the referral date {referral.date} of referral {rid}; "
                "expected on or after it",
            )
        if rid and start:
            self.periods.setdefault(rid, []).append((start, end, rec.line))
        if rec.bad or not start:
            return None
        return PeriodRow(rid, start, end)

    def overlaps(self, out: Problems, file: str) -> None:
        """Report each period that starts before an earlier period of its referral ends."""
        for rid, spans in self.periods.items():
            if len(spans) < 2:
                continue
            spans.sort(key=lambda s: (s[0], s[2]))
            reach = spans[0]
            for span in spans[1:]:
                start, end, line = span
                if reach[1] is None or start < reach[1]:
                    until = "continuing" if reach[1] is None else f"to {reach[1]}"
                    out.error(
                        file,
                        line,
                        "start_date",
                        f"period from {start} overlaps the period from {reach[0]} {until} "
                        f"(line {reach[2]}) of referral {rid}; expected periods of one "
                        "referral not to overlap",
                    )
                if reach[1] is not None and (end is None or end > reach[1]):
                    reach = span
