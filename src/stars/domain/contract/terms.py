"""Contract terms as data: the TOML of tracker-format.md read into frozen domain objects.

Every figure of a contract (councils, cohorts, rates, savings, targets, effective-dated
eligibility) comes from the contract file; none is written in code. Money is read as
``Decimal`` straight from the TOML text, so ``0.1`` is exactly one tenth.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SAVING_KINDS = ("cashable", "avoided")
DEFAULT_CLOSURE_REASONS = (
    "consent_withdrawn",
    "placement_breakdown",
    "care_plan_change",
    "entered_care",
    "increased_risk",
    "other",
)


class ContractError(ValueError):
    """A contract file is missing a key or has a malformed value."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        super().__init__(f"{file}: {key}: {message}")


@dataclass(frozen=True)
class EligibilityRule:
    """Ages (whole years on the enquiry date, inclusive) in force from a date."""

    start: dt.date
    min_age: int
    max_age: int


@dataclass(frozen=True)
class Eligibility:
    """The answer to "is this child eligible for cohort X on date D", with the reason."""

    eligible: bool
    reason: str
    age: int | None
    rule: EligibilityRule | None


@dataclass(frozen=True)
class Cohort:
    code: str
    name: str
    proving_weeks: int
    weekly_outcome_payment: Decimal
    weekly_saving: Decimal
    saving_kind: str
    minimum_referrals: int
    eligibility: tuple[EligibilityRule, ...]

    def rule_on(self, on: dt.date) -> EligibilityRule | None:
        """The eligibility rule in force on a date (the latest one that has started)."""
        in_force = [r for r in self.eligibility if r.start <= on]
        return max(in_force, key=lambda r: r.start) if in_force else None


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    minimum_referrals: int


@dataclass(frozen=True)
class GuaranteedFunding:
    minimum_weeks: int
    weekly_fee: Decimal

    @property
    def fee(self) -> Decimal:
        """What a guaranteed-funding referral earns once it has started."""
        return self.weekly_fee * self.minimum_weeks


@dataclass(frozen=True)
class ContractYear:
    year: int
    minimum_referrals: int


@dataclass(frozen=True)
class Contract:
    name: str
    start: dt.date
    referral_period_end: dt.date
    programme_weeks: int
    lcf_share: Decimal
    shortfall_penalty_per_referral: Decimal
    local_authorities: tuple[LocalAuthority, ...]
    cohorts: tuple[Cohort, ...]
    guaranteed_funding: GuaranteedFunding
    contract_years: tuple[ContractYear, ...]
    consent_call_start: dt.date | None = None
    maximum_outcome_payment: Decimal | None = None
    stuck_after_working_days: int = 10
    closure_reasons: tuple[str, ...] = DEFAULT_CLOSURE_REASONS
    _cohort_index: Mapping[str, Cohort] = field(default_factory=dict, repr=False, compare=False)
    _la_index: Mapping[str, LocalAuthority] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cohort_index", {c.code.lower(): c for c in self.cohorts})
        object.__setattr__(
            self, "_la_index", {la.code.lower(): la for la in self.local_authorities}
        )

    # -- look-ups -------------------------------------------------------------------------
    @property
    def cohort_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.cohorts)

    @property
    def council_codes(self) -> tuple[str, ...]:
        return tuple(la.code for la in self.local_authorities)

    def cohort(self, code: str) -> Cohort:
        """The cohort of a code (case-insensitive); KeyError if the contract has none."""
        return self._cohort_index[code.lower()]

    def local_authority(self, code: str) -> LocalAuthority:
        return self._la_index[code.lower()]

    def canonical_cohort(self, code: str) -> str | None:
        c = self._cohort_index.get(code.strip().lower())
        return c.code if c else None

    def canonical_council(self, code: str) -> str | None:
        la = self._la_index.get(code.strip().lower())
        return la.code if la else None

    # -- dates ----------------------------------------------------------------------------
    def contract_year(self, on: dt.date) -> int:
        """Contract year of a date: 1 from ``start``, 12 months each (0 or less before it)."""
        months = (on.year - self.start.year) * 12 + (on.month - self.start.month)
        if on.day < self.start.day:
            months -= 1
        return months // 12 + 1

    def year_start(self, year: int) -> dt.date:
        return add_months(self.start, 12 * (year - 1))

    def years_started(self, as_of: dt.date) -> list[int]:
        """Every contract year that has started by ``as_of``, even past the year table."""
        last = self.contract_year(as_of)
        return list(range(1, last + 1)) if last >= 1 else []

    def minimum_for_year(self, year: int) -> int:
        for cy in self.contract_years:
            if cy.year == year:
                return cy.minimum_referrals
        return 0

    def consent_call_required(self, enquiry_date: dt.date) -> bool:
        return self.consent_call_start is not None and enquiry_date >= self.consent_call_start

    # -- eligibility ----------------------------------------------------------------------
    def eligibility(self, cohort: str, date_of_birth: dt.date, on: dt.date) -> Eligibility:
        """Is a child born on ``date_of_birth`` eligible for ``cohort`` on ``on``, and why."""
        c = self._cohort_index.get(cohort.strip().lower())
        if c is None:
            return Eligibility(False, f"the contract has no cohort {cohort!r}", None, None)
        if date_of_birth > on:
            return Eligibility(False, "the date of birth is after the enquiry date", None, None)
        age = age_on(date_of_birth, on)
        rule = c.rule_on(on)
        if rule is None:
            return Eligibility(
                False, f"no eligibility rule for cohort {c.code} is in force on {on}", age, None
            )
        if age < rule.min_age:
            why = f"aged {age}, under the minimum age {rule.min_age} for cohort {c.code}"
            return Eligibility(False, f"{why} (rule from {rule.start})", age, rule)
        if age > rule.max_age:
            why = f"aged {age}, over the maximum age {rule.max_age} for cohort {c.code}"
            return Eligibility(False, f"{why} (rule from {rule.start})", age, rule)
        return Eligibility(
            True,
            f"aged {age}, within {rule.min_age}-{rule.max_age} for cohort {c.code} "
            f"(rule from {rule.start})",
            age,
            rule,
        )


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date (a 29 February birthday falls on 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    last = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(d.day, last))


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


# -- loading ------------------------------------------------------------------------------


class _Reader:
    """Typed access to a TOML table that names the file and key in every error."""

    def __init__(self, file: str, table: Mapping[str, Any], prefix: str) -> None:
        self.file, self.table, self.prefix = file, table, prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.table:
            if required:
                raise ContractError(self.file, self.key(name), "is missing")
            return None
        return self.table[name]

    def text(self, name: str) -> str:
        v = self._get(name, True)
        if not isinstance(v, str) or not v.strip():
            raise ContractError(self.file, self.key(name), f"expected text, found {v!r}")
        return v.strip()

    def date(self, name: str, required: bool = True) -> dt.date | None:
        v = self._get(name, required)
        if v is None:
            return None
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            raise ContractError(
                self.file, self.key(name), f"expected a date like 2020-09-01, found {v!r}"
            )
        return v

    def integer(self, name: str, required: bool = True, default: int = 0) -> int:
        v = self._get(name, required)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ContractError(
                self.file, self.key(name), f"expected a whole number 0 or more, found {v!r}"
            )
        return v

    def money(self, name: str, required: bool = True) -> Decimal | None:
        v = self._get(name, required)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | Decimal):
            raise ContractError(self.file, self.key(name), f"expected a number, found {v!r}")
        d = Decimal(v)
        if d < 0:
            raise ContractError(self.file, self.key(name), f"must not be negative, found {v}")
        return d

    def tables(self, name: str) -> list[_Reader]:
        v = self._get(name, True)
        if not isinstance(v, list) or not v or not all(isinstance(t, dict) for t in v):
            raise ContractError(
                self.file, self.key(name), "expected one or more [[" + name + "]] tables"
            )
        return [_Reader(self.file, t, f"{self.key(name)}[{i}]") for i, t in enumerate(v)]

    def table_(self, name: str) -> _Reader:
        v = self._get(name, True)
        if not isinstance(v, dict):
            raise ContractError(self.file, self.key(name), "expected a [" + name + "] table")
        return _Reader(self.file, v, self.key(name))


def parse_contract(text: str, file: str = "contract.toml") -> Contract:
    """Read a contract from TOML text; ``ContractError`` names the file and key at fault."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ContractError(file, "(syntax)", str(exc)) from exc
    root = _Reader(file, data, "")
    prog = root.table_("programme")
    start = prog.date("start")
    assert start is not None
    referral_period_end = prog.date("referral_period_end")
    assert referral_period_end is not None
    programme_weeks = prog.integer("programme_weeks")
    if programme_weeks < 1:
        raise ContractError(file, prog.key("programme_weeks"), "must be at least 1")
    lcf_share = prog.money("lcf_share")
    assert lcf_share is not None
    if lcf_share > 1:
        raise ContractError(
            file, prog.key("lcf_share"), f"is a share from 0 to 1, found {lcf_share}"
        )

    las: list[LocalAuthority] = []
    for t in root.tables("local_authority"):
        las.append(LocalAuthority(t.text("code"), t.text("name"), t.integer("minimum_referrals")))
    _unique(file, "local_authority", [la.code for la in las])

    cohorts: list[Cohort] = []
    for t in root.tables("cohort"):
        kind = t.text("saving_kind").lower()
        if kind not in SAVING_KINDS:
            raise ContractError(
                file, t.key("saving_kind"), f"expected 'cashable' or 'avoided', found {kind!r}"
            )
        rules = []
        for r in t.tables("eligibility"):
            from_ = r.date("from")
            assert from_ is not None
            lo, hi = r.integer("min_age"), r.integer("max_age")
            if lo > hi:
                raise ContractError(file, r.key("min_age"), f"{lo} is above max_age {hi}")
            rules.append(EligibilityRule(from_, lo, hi))
        _unique(file, t.key("eligibility") + ".from", [str(r.start) for r in rules])
        payment = t.money("weekly_outcome_payment")
        saving = t.money("weekly_saving")
        assert payment is not None and saving is not None
        cohorts.append(
            Cohort(
                code=t.text("code"),
                name=t.text("name"),
                proving_weeks=t.integer("proving_weeks"),
                weekly_outcome_payment=payment,
                weekly_saving=saving,
                saving_kind=kind,
                minimum_referrals=t.integer("minimum_referrals"),
                eligibility=tuple(sorted(rules, key=lambda r: r.start)),
            )
        )
    _unique(file, "cohort", [c.code for c in cohorts])

    gf = root.table_("guaranteed_funding")
    fee = gf.money("weekly_fee")
    assert fee is not None
    years = [
        ContractYear(t.integer("year"), t.integer("minimum_referrals"))
        for t in root.tables("contract_year")
    ]
    _unique(file, "contract_year", [str(y.year) for y in years])

    reasons = prog._get("closure_reasons", False)
    if reasons is not None and (
        not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons)
    ):
        raise ContractError(file, prog.key("closure_reasons"), "expected a list of codes")

    return Contract(
        name=prog.text("name"),
        start=start,
        referral_period_end=referral_period_end,
        programme_weeks=programme_weeks,
        lcf_share=lcf_share,
        shortfall_penalty_per_referral=prog.money("shortfall_penalty_per_referral", False)
        or Decimal(0),
        local_authorities=tuple(las),
        cohorts=tuple(cohorts),
        guaranteed_funding=GuaranteedFunding(gf.integer("minimum_weeks"), fee),
        contract_years=tuple(sorted(years, key=lambda y: y.year)),
        consent_call_start=prog.date("consent_call_start", False),
        maximum_outcome_payment=prog.money("maximum_outcome_payment", False),
        stuck_after_working_days=prog.integer("stuck_after_working_days", False, 10),
        closure_reasons=tuple(r.lower() for r in reasons) if reasons else DEFAULT_CLOSURE_REASONS,
    )


def _unique(file: str, key: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for c in codes:
        if c.lower() in seen:
            raise ContractError(file, key, f"{c!r} appears more than once")
        seen.add(c.lower())
