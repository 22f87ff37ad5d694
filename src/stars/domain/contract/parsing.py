"""Reading a contract: the TOML of docs/tracker-format.md into ``stars.domain.contract.terms``.

Money is read as ``Decimal`` straight from the TOML text, so ``0.1`` is exactly one tenth.
Every error names the file, the line and column, and the key at fault (the line of the key,
or of the table that lacks it: ``stars.domain.toml_positions``). Each cohort may name its
payment design (``payment_design``: one of ``stars.domain.contract.terms.PAYMENT_DESIGNS``,
by default ``weekly_after_proving``); a design's own keys are read here too
(docs/adding-a-payment-design.md).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from stars.domain.contract.terms import (
    DEFAULT_DESIGN,
    MEETING_EVERY_WEEKS,
    MEETING_EVERY_WEEKS_MAX,
    OUTCOMES,
    PAYMENT_DESIGNS,
    SAVING_KINDS,
    Cohort,
    Contract,
    ContractYear,
    EligibilityRule,
    GuaranteedFunding,
    Investment,
    LocalAuthority,
    Milestone,
    OutcomeFund,
    Variation,
    design_keys,
)
from stars.domain.toml_positions import decode_error_position, key_position, toml_loads
from stars.domain.vocabulary import CLOSURE_REASONS, INTERVENTIONS


class ContractError(ValueError):
    """A contract file is missing a key or has a malformed value:
    ``FILE:LINE: column C: KEY: message``, the line and column of the key (or of the table
    that lacks it) once :meth:`located` in the contract's text."""

    def __init__(
        self, file: str, key: str, message: str, line: int | None = None, column: int = 1
    ) -> None:
        self.file, self.key, self.message = file, key, message
        self.line, self.column = line, column
        where = f"{file}:{line}: column {column}" if line is not None else file
        super().__init__(f"{where}: {key}: {message}")

    def located(self, text: str) -> ContractError:
        """This error at its key's line and column in the contract's ``text``."""
        if self.line is not None:
            return self
        found = key_position(text, self.key)
        if found is None:
            return self
        return ContractError(self.file, self.key, self.message, *found)


# What the records keep of a contract's text: names up to 200 characters; codes of
# letters, digits, - and _ (a council's code is in addresses), as long as their columns allow
NAME_LENGTH = 200
COUNCIL_CODE_LENGTH = 40
COHORT_CODE_LENGTH = 8
REASON_CODE_LENGTH = 40
INTERVENTION_CODE_LENGTH = 20
PROGRAMME_CODE_LENGTH = 40
ONS_CODE_LENGTH = 9  # E06000015
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# the contract's tables (docs/tracker-format.md, docs/contract-variations.md)
TABLES = (
    "programme",
    "outcome_fund",
    "local_authority",
    "cohort",
    "guaranteed_funding",
    "contract_year",
    "investment",
    "variation",
    "intervention",
)


class _Reader:
    """Typed access to a TOML table that names the file and key in every error."""

    def __init__(
        self,
        file: str,
        table: Mapping[str, Any],
        prefix: str,
        readers: list[_Reader] | None = None,
    ) -> None:
        self.file, self.table, self.prefix = file, table, prefix
        # the keys asked for, and every reader of the file (for unknown_keys)
        self.asked: set[str] = set()
        self.readers = readers if readers is not None else []
        self.readers.append(self)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def unknown_keys(self) -> None:
        """Refuse a key no reader of the file asked for (a misspelt optional key would
        otherwise be dropped without a word, and its term with it)."""
        for reader in self.readers:
            for name in reader.table:
                if name in reader.asked:
                    continue
                known = sorted(reader.asked)
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                where = reader.prefix or "the contract"
                raise ContractError(
                    self.file,
                    reader.key(name),
                    f"is not a key of {where}; {hint}expected one of {', '.join(known)}",
                )

    def _get(self, name: str, required: bool) -> Any:
        self.asked.add(name)
        if name not in self.table:
            if required:
                unread = [k for k in self.table if k not in self.asked]
                close = difflib.get_close_matches(name, unread, n=1, cutoff=0.8)
                hint = f" (the table has {close[0]!r}: is it misspelt?)" if close else ""
                raise ContractError(self.file, self.key(name), "is missing" + hint)
            return None
        return self.table[name]

    def text(self, name: str, max_length: int = NAME_LENGTH) -> str:
        v = self._get(name, True)
        if not isinstance(v, str) or not v.strip():
            raise ContractError(self.file, self.key(name), f"expected text, found {v!r}")
        return _bounded(self.file, self.key(name), v.strip(), max_length)

    def code(self, name: str, max_length: int) -> str:
        return _code(self.file, self.key(name), self.text(name, max_length), max_length)

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

    def design(self, name: str) -> str:
        """A payment design's name (one of PAYMENT_DESIGNS); the default if absent."""
        v = self._get(name, False)
        if v is None:
            return DEFAULT_DESIGN
        if not isinstance(v, str) or v.strip().lower() not in PAYMENT_DESIGNS:
            known = ", ".join(repr(d) for d in PAYMENT_DESIGNS)
            raise ContractError(self.file, self.key(name), f"expected one of {known}, found {v!r}")
        return v.strip().lower()

    def share(self, name: str, required: bool = True) -> Decimal | None:
        """A share from 0 to 1."""
        v = self.money(name, required)
        if v is not None and v > 1:
            raise ContractError(self.file, self.key(name), f"is a share from 0 to 1, found {v}")
        return v

    def choice(self, name: str, choices: tuple[str, ...]) -> str | None:
        """One of ``choices`` (case-insensitive), or None if absent."""
        v = self._get(name, False)
        if v is None:
            return None
        if not isinstance(v, str) or v.strip().lower() not in choices:
            known = ", ".join(repr(c) for c in choices)
            raise ContractError(self.file, self.key(name), f"expected one of {known}, found {v!r}")
        return v.strip().lower()

    def has(self, name: str) -> bool:
        self.asked.add(name)
        return name in self.table

    def tables(self, name: str, required: bool = True) -> list[_Reader]:
        if not required and name not in self.table:
            return []
        v = self._get(name, True)
        if not isinstance(v, list) or not v or not all(isinstance(t, dict) for t in v):
            raise ContractError(
                self.file, self.key(name), "expected one or more [[" + name + "]] tables"
            )
        return [
            _Reader(self.file, t, f"{self.key(name)}[{i}]", self.readers) for i, t in enumerate(v)
        ]

    def table_(self, name: str) -> _Reader:
        v = self._get(name, True)
        if not isinstance(v, dict):
            raise ContractError(self.file, self.key(name), "expected a [" + name + "] table")
        return _Reader(self.file, v, self.key(name), self.readers)


def _bounded(file: str, key: str, value: str, max_length: int) -> str:
    """``value`` if it is plain text of at most ``max_length`` characters."""
    if len(value) > max_length:
        raise ContractError(
            file, key, f"is {len(value):,} characters long; expected at most {max_length}"
        )
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise ContractError(
            file, key, f"{value!r} holds the control character {bad!r}; expected plain text"
        )
    return value


def _code(file: str, key: str, value: str, max_length: int) -> str:
    if not CODE.fullmatch(value):
        raise ContractError(
            file,
            key,
            f"{value!r} is not a code; expected 1 to {max_length} letters, digits, - and _, "
            "starting with a letter or digit",
        )
    return value


def parse_contract(text: str, file: str = "contract.toml", *, stored: bool = False) -> Contract:
    """Read a contract from TOML text; ``ContractError`` names the file, the line and column
    and the key at fault, a key the contract format does not have included. ``stored``: the
    text of a contract already loaded, read back (a key it holds that an earlier version let
    through is left alone, so the programme stays readable)."""
    try:
        return _contract(text, file, stored)
    except ContractError as exc:
        raise exc.located(text) from exc.__cause__


def _contract(text: str, file: str, stored: bool) -> Contract:
    try:
        data = toml_loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line, column, message = decode_error_position(exc)
        raise ContractError(file, "(syntax)", message, line, column) from exc
    root = _Reader(file, data, "")
    # the tables first, so a misspelt table is named as such, not as what it left missing
    root.asked.update(TABLES)
    if not stored:
        root.unknown_keys()
    prog = root.table_("programme")
    start = prog.date("start")
    assert start is not None
    referral_period_end = prog.date("referral_period_end")
    assert referral_period_end is not None
    programme_weeks = prog.integer("programme_weeks")
    if programme_weeks < 1:
        raise ContractError(file, prog.key("programme_weeks"), "must be at least 1")
    funds = _outcome_funds(file, root)
    if funds and prog.has("lcf_share"):
        raise ContractError(
            file,
            prog.key("lcf_share"),
            "give either lcf_share or [[outcome_fund]] tables, not both (lcf_share = x means "
            "one fund, the Life Chances Fund, with share x and no cap)",
        )
    if funds:
        lcf_share = sum((f.share for f in funds), Decimal(0))
    else:
        share = prog.share("lcf_share")
        assert share is not None
        lcf_share = share

    las: list[LocalAuthority] = []
    for t in root.tables("local_authority"):
        las.append(
            LocalAuthority(
                t.code("code", COUNCIL_CODE_LENGTH),
                t.text("name"),
                t.integer("minimum_referrals"),
                t.money("maximum_outcome_payment", False),
                t.code("ons_code", ONS_CODE_LENGTH) if t.has("ons_code") else "",
            )
        )
    _unique(file, "local_authority", "code", [la.code for la in las])

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
        _unique(file, t.key("eligibility"), "from", [str(r.start) for r in rules])
        design = t.design("payment_design")
        if not stored:
            _only_design_keys(file, t, design)
        milestones = _milestones(file, t, design, programme_weeks)
        # weekly_after_proving's keys (a milestones cohort needs neither)
        weekly = design == "weekly_after_proving"
        payment = t.money("weekly_outcome_payment", weekly) or Decimal(0)
        saving = t.money("weekly_saving")
        assert saving is not None
        cohorts.append(
            Cohort(
                code=t.code("code", COHORT_CODE_LENGTH),
                name=t.text("name"),
                proving_weeks=t.integer("proving_weeks", weekly),
                weekly_outcome_payment=payment,
                weekly_saving=saving,
                saving_kind=kind,
                minimum_referrals=t.integer("minimum_referrals"),
                eligibility=tuple(sorted(rules, key=lambda r: r.start)),
                payment_design=design,
                milestones=milestones,
                max_payment_per_referral=t.money("max_payment_per_referral", False),
                outcome=t.choice("outcome", OUTCOMES),
            )
        )
    _unique(file, "cohort", "code", [c.code for c in cohorts])

    gf = root.table_("guaranteed_funding")
    fee = gf.money("weekly_fee")
    assert fee is not None
    years = [
        ContractYear(t.integer("year"), t.integer("minimum_referrals"))
        for t in root.tables("contract_year")
    ]
    _unique(file, "contract_year", "year", [str(y.year) for y in years])

    reasons = prog._get("closure_reasons", False)
    if reasons is not None and (
        not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons)
    ):
        raise ContractError(file, prog.key("closure_reasons"), "expected a list of codes")
    for i, reason in enumerate(reasons or ()):
        key = f"{prog.key('closure_reasons')}[{i}]"
        _code(file, key, _bounded(file, key, reason, REASON_CODE_LENGTH), REASON_CODE_LENGTH)

    interventions = _interventions(file, root)
    code = prog.code("code", PROGRAMME_CODE_LENGTH) if prog.has("code") else ""
    variations = _variations(root, start, tuple(cohorts))
    contract = Contract(
        variations=variations,
        name=prog.text("name"),
        code=code,
        provider=prog.text("provider") if prog.has("provider") else "",
        investor=prog.text("investor") if prog.has("investor") else "",
        outcome_funds=funds,
        investment=_investment(root),
        start=start,
        referral_period_end=referral_period_end,
        programme_weeks=programme_weeks,
        lcf_share=lcf_share,
        shortfall_penalty_per_referral=prog.money("shortfall_penalty_per_referral", False)
        or Decimal(0),
        local_authorities=tuple(las),
        cohorts=tuple(cohorts),
        guaranteed_funding=GuaranteedFunding(
            gf.integer("minimum_weeks"), fee, gf.date("from", False)
        ),
        contract_years=tuple(sorted(years, key=lambda y: y.year)),
        consent_call_start=prog.date("consent_call_start", False),
        maximum_outcome_payment=prog.money("maximum_outcome_payment", False),
        stuck_after_working_days=prog.integer("stuck_after_working_days", False, 10),
        closure_reasons=tuple(r.lower() for r in reasons) if reasons else CLOSURE_REASONS,
        interventions=interventions or INTERVENTIONS,
        progress_meeting_chair=prog.text("progress_meeting_chair")
        if prog.has("progress_meeting_chair")
        else "",
        progress_meeting_every_weeks=_meeting_weeks(prog),
    )
    if not stored:
        root.unknown_keys()
    return contract


VARIATION_KEYS = (
    "from",
    "reason",
    "cohort",
    "weekly_outcome_payment",
    "weekly_saving",
    "milestones",
    "guaranteed_weekly_fee",
)


def _variations(
    root: _Reader, start: dt.date, cohorts: tuple[Cohort, ...]
) -> tuple[Variation, ...]:
    """The ``[[variation]]`` tables (contract variations), in date order; an error names
    the variation's key (``variation[2].from``), and so its line."""
    file = root.file
    by_code = {c.code.lower(): c for c in cohorts}
    out: list[Variation] = []
    for t in root.tables("variation", required=False):

        def fail(key: str, message: str, t: _Reader = t) -> ContractError:
            return ContractError(file, t.key(key), message)

        for key in t.table:
            if key not in VARIATION_KEYS:
                known = ", ".join(VARIATION_KEYS)
                raise fail(key, f"is not a key of a variation; expected one of {known}")
        from_ = t.date("from")
        assert from_ is not None
        if from_ < start:
            raise fail("from", f"{from_} is before the programme's start {start}")
        reason = t.text("reason")
        cohort: Cohort | None = None
        if t.has("cohort"):
            code = t.text("cohort", COHORT_CODE_LENGTH)
            cohort = by_code.get(code.lower())
            if cohort is None:
                known = ", ".join(c.code for c in cohorts)
                raise fail("cohort", f"the contract has no cohort {code!r} (cohorts: {known})")
        milestones = _varied_milestones(t, cohort, cohorts, fail)
        v = Variation(
            start=from_,
            reason=reason,
            cohort=cohort.code if cohort else None,
            weekly_outcome_payment=t.money("weekly_outcome_payment", False),
            weekly_saving=t.money("weekly_saving", False),
            guaranteed_weekly_fee=t.money("guaranteed_weekly_fee", False),
            milestones=milestones,
        )
        if not v.changes:
            raise fail(
                "from", "changes no term; give at least one of " + ", ".join(VARIATION_KEYS[3:])
            )
        if cohort is not None and v.guaranteed_weekly_fee is not None:
            raise fail(
                "guaranteed_weekly_fee",
                "guaranteed funding is the same for every cohort; give it in a variation "
                "without a cohort",
            )
        if (
            cohort is not None
            and v.weekly_outcome_payment is not None
            and cohort.payment_design != "weekly_after_proving"
        ):
            raise fail(
                "weekly_outcome_payment",
                f"cohort {cohort.code} is paid {cohort.payment_design!r}, not by the week",
            )
        for earlier in out:
            same = earlier.start == v.start and (
                earlier.cohort is None or v.cohort is None or earlier.cohort == v.cohort
            )
            both = {k for k, _ in earlier.changes} & {k for k, _ in v.changes}
            if same and both:
                whom = f"cohort {v.cohort}" if v.cohort else "every cohort"
                raise fail(
                    "from",
                    f"a variation from {v.start} already changes {', '.join(sorted(both))} "
                    f"for {whom}; give each change once",
                )
        out.append(v)
    return tuple(sorted(out, key=lambda v: v.start))


def _varied_milestones(
    t: _Reader,
    cohort: Cohort | None,
    cohorts: tuple[Cohort, ...],
    fail: Callable[[str, str], ContractError],
) -> tuple[tuple[str, Decimal], ...]:
    """A variation's ``milestones = { name = payment, ... }``: each name a milestone of its
    cohort (or, for every cohort, of some cohort)."""
    if not t.has("milestones"):
        return ()
    table = t.table_("milestones")
    known = {m.name for c in (cohorts if cohort is None else (cohort,)) for m in c.milestones}
    out: list[tuple[str, Decimal]] = []
    for name in table.table:
        if name not in known:
            whose = f"cohort {cohort.code}" if cohort else "any cohort"
            names = ", ".join(sorted(known)) or "none"
            raise fail(
                f"milestones.{name}",
                f"{whose} has no milestone {name!r} (milestones: {names})",
            )
        pay = table.money(name)
        assert pay is not None
        out.append((name, pay))
    return tuple(out)


def _investment(root: _Reader) -> Investment | None:
    """The ``[investment]`` table, if the contract gives the investor's terms."""
    if not root.has("investment"):
        return None
    t = root.table_("investment")
    committed = t.money("committed")
    weekly = t.money("weekly_cost_per_referral")
    assert committed is not None and weekly is not None
    return Investment(
        committed=committed,
        weekly_cost_per_referral=weekly,
        monthly_fixed_cost=t.money("monthly_fixed_cost", False) or Decimal(0),
        return_cap_multiple=t.money("return_cap_multiple", False),
    )


def _interventions(file: str, root: _Reader) -> tuple[tuple[str, str], ...]:
    """The ``[[intervention]]`` tables, as (code, name) in the order given (none: an empty
    tuple, for the service's default list); a code is lower-cased, as stored on a case."""
    out: list[tuple[str, str]] = []
    for t in root.tables("intervention", required=False):
        out.append((t.code("code", INTERVENTION_CODE_LENGTH), t.text("name")))
    _unique(file, "intervention", "code", [c for c, _ in out])
    return tuple((code.lower(), name) for code, name in out)


def _outcome_funds(file: str, root: _Reader) -> tuple[OutcomeFund, ...]:
    """``[[outcome_fund]]`` tables (none: an empty tuple); their shares add up to 1 at most."""
    funds: list[OutcomeFund] = []
    for t in root.tables("outcome_fund", required=False):
        share = t.share("share")
        assert share is not None
        funds.append(OutcomeFund(t.text("name"), share, t.money("cap", False)))
    _unique(file, "outcome_fund", "name", [f.name for f in funds])
    total = sum((f.share for f in funds), Decimal(0))
    if total > 1:
        raise ContractError(
            file, "outcome_fund", f"the funds' shares add up to {total}; expected at most 1"
        )
    return tuple(funds)


def _meeting_weeks(prog: _Reader) -> int:
    """``[programme] progress_meeting_every_weeks``: whole weeks from 1 to 52 (none: the
    default, ``MEETING_EVERY_WEEKS``)."""
    name = "progress_meeting_every_weeks"
    v = prog._get(name, False)
    if v is None:
        return MEETING_EVERY_WEEKS
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MEETING_EVERY_WEEKS_MAX:
        raise ContractError(
            prog.file,
            prog.key(name),
            f"expected a whole number of weeks from 1 to {MEETING_EVERY_WEEKS_MAX}, found "
            + (repr(v) if isinstance(v, str) else str(v).lower()),
        )
    return v


def _only_design_keys(file: str, cohort: _Reader, design: str) -> None:
    """Refuse a key of another payment design than the cohort's (``proving_weeks`` on a
    cohort paid for milestones): it would change none of the cohort's figures, while whoever
    wrote it would think it applied."""
    own = design_keys(design)
    for other in PAYMENT_DESIGNS:
        for key in design_keys(other):
            if key in cohort.table and key not in own:
                raise ContractError(
                    file,
                    cohort.key(key),
                    f"payment_design = {design!r} does not use {key}, so it would change "
                    f"nothing; remove it (that design uses {', '.join(own)})",
                )


def _milestones(
    file: str, cohort: _Reader, design: str, programme_weeks: int
) -> tuple[Milestone, ...]:
    """A ``continuous_milestones`` cohort's ``[[cohort.milestone]]`` tables, in the order of
    their continuous weeks; another design's cohort has none. A milestone longer than
    ``programme_weeks`` is refused: a referral's weeks count only within that many weeks of
    its referral date, so no run could ever reach it."""
    if design != "continuous_milestones":
        return ()  # its [[cohort.milestone]] tables are refused by _only_design_keys
    out: list[Milestone] = []
    for m in cohort.tables("milestone"):
        payment = m.money("payment")
        assert payment is not None
        weeks = m.integer("continuous_weeks")
        if weeks > programme_weeks:
            raise ContractError(
                file,
                m.key("continuous_weeks"),
                f"{weeks} weeks can never be reached: a referral's weeks count only within "
                f"programme_weeks = {programme_weeks} weeks of its referral date; expected "
                f"at most {programme_weeks}",
            )
        out.append(Milestone(m.text("name"), weeks, payment))
    _unique(file, cohort.key("milestone"), "name", [m.name for m in out])
    return tuple(sorted(out, key=lambda m: m.days))


def _unique(file: str, tables: str, key: str, codes: list[str]) -> None:
    """Refuse a code given twice (in any case) as ``key`` of the ``tables``, naming the
    second (``cohort[2].code``)."""
    seen: set[str] = set()
    for i, c in enumerate(codes):
        if c.lower() in seen:
            raise ContractError(file, f"{tables}[{i}].{key}", f"{c!r} appears more than once")
        seen.add(c.lower())
