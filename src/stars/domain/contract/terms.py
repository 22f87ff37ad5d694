"""Contract terms as frozen domain objects: councils, cohorts, rates, targets, eligibility.

Every figure of a contract (councils, cohorts, rates, savings, targets, effective-dated
eligibility) comes from the contract file (``stars.domain.contract.parsing``); none is
written in code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from stars.domain.calendar import add_months, age_on
from stars.domain.vocabulary import CLOSURE_REASONS, INTERVENTIONS, label

SAVING_KINDS = ("cashable", "avoided")
# The payment designs a cohort may name (``payment_design``): each is one module of
# ``stars.domain.outcomes.designs``, registered there (docs/adding-a-payment-design.md)
PAYMENT_DESIGNS = ("weekly_after_proving", "continuous_milestones")
DEFAULT_DESIGN = "weekly_after_proving"  # a cohort that names none
# The cohort terms each payment design prices by; another design's cohort may carry them
# (a what-if may switch its design) but they change none of its figures
DESIGN_TERMS = {
    "weekly_after_proving": ("proving_weeks", "weekly_outcome_payment"),
    "continuous_milestones": ("milestones",),
}
# A term's key in a contract's ``[[cohort]]`` where it is spelt otherwise than the term
# (a cohort's milestones are its ``[[cohort.milestone]]`` tables)
TERM_KEYS = {"milestones": "milestone"}


def design_keys(design: str) -> tuple[str, ...]:
    """The ``[[cohort]]`` keys of a contract that ``design`` prices by (``DESIGN_TERMS``, as
    a contract spells them): a cohort of another design has no use for them."""
    return tuple(TERM_KEYS.get(term, term) for term in DESIGN_TERMS[design])


# How often a case's progress meetings are due, in weeks, when the contract does not say
# ([programme] progress_meeting_every_weeks); a contract may say 1 to 52
MEETING_EVERY_WEEKS = 6
MEETING_EVERY_WEEKS_MAX = 52
LIFE_CHANCES_FUND = "Life Chances Fund"  # the one fund of a contract that gives ``lcf_share``
# What a cohort's sustained weeks are a record of (``outcome``): what reconciliation checks a
# claimed day against in the council's SSDA903 episodes (stars.domain.outcomes.reconciliation)
OUTCOMES = ("foster_placement", "at_home", "out_of_care")


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
class Milestone:
    """A payment earned once per referral when one unbroken run of sustained days lasts
    ``continuous_weeks`` whole weeks (0: its first sustained day)."""

    name: str
    continuous_weeks: int
    payment: Decimal

    @property
    def days(self) -> int:
        """The days one unbroken run must last to earn it (at least one)."""
        return max(1, 7 * self.continuous_weeks)


@dataclass(frozen=True)
class OutcomeFund:
    """A top-up fund paying ``share`` of every outcome payment, never more than ``cap``."""

    name: str
    share: Decimal
    cap: Decimal | None = None

    def contribution(self, outcome_payments: Decimal) -> Decimal:
        """What it pays of outcome payments to date: its share, capped."""
        amount = outcome_payments * self.share
        return amount if self.cap is None else min(amount, self.cap)


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
    payment_design: str = DEFAULT_DESIGN  # one of PAYMENT_DESIGNS
    # continuous_milestones: in the order of their continuous weeks
    milestones: tuple[Milestone, ...] = ()
    max_payment_per_referral: Decimal | None = None  # cap on one referral's outcome payments
    outcome: str | None = None  # one of OUTCOMES: what reconciliation checks; None: nothing

    def rule_on(self, on: dt.date) -> EligibilityRule | None:
        """The eligibility rule in force on a date (the latest one that has started)."""
        in_force = [r for r in self.eligibility if r.start <= on]
        return max(in_force, key=lambda r: r.start) if in_force else None


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    minimum_referrals: int
    # the most the council's claims may hold in outcome payments (fees apart), if any
    maximum_outcome_payment: Decimal | None = None
    ons_code: str = ""  # the council's ONS area code (E06000015), for open data


@dataclass(frozen=True)
class GuaranteedFunding:
    minimum_weeks: int
    weekly_fee: Decimal
    # the first referral date guaranteed funding is available for ([guaranteed_funding]
    # from; DN2's from April 2021): a referral dated before it cannot be a guaranteed one
    start: dt.date | None = None

    @property
    def fee(self) -> Decimal:
        """What a guaranteed-funding referral earns once it has started."""
        return self.weekly_fee * self.minimum_weeks

    def available_on(self, referral_date: dt.date) -> bool:
        """Can a referral dated ``referral_date`` be a guaranteed-funding one?"""
        return self.start is None or referral_date >= self.start


@dataclass(frozen=True)
class Investment:
    """The social investor's terms: it pays the provider's delivery costs up front and is
    paid the outcome payments and guaranteed-funding fees (``[investment]``)."""

    committed: Decimal  # the most the investor will have put in at any time
    weekly_cost_per_referral: Decimal  # delivery cost of each week a referral is supported
    monthly_fixed_cost: Decimal = Decimal(0)  # team and overheads, each month to the end
    return_cap_multiple: Decimal | None = None  # the investor keeps at most this × its costs


@dataclass(frozen=True)
class Variation:
    """A contract variation (``[[variation]]``): new terms in force from a date, for one
    cohort or (``cohort`` None) every cohort, with the reason (indexation, a deed).

    A figure is priced with the terms in force on the day it was earned: a sustained week
    on its last day, a milestone on the day its run reaches its length, a
    guaranteed-funding fee on the referral date (``Contract.terms_on``).
    """

    start: dt.date
    reason: str
    cohort: str | None = None
    weekly_outcome_payment: Decimal | None = None
    weekly_saving: Decimal | None = None
    guaranteed_weekly_fee: Decimal | None = None
    milestones: tuple[tuple[str, Decimal], ...] = ()  # (milestone name, new payment)

    def applies_to(self, cohort: str) -> bool:
        return self.cohort is None or self.cohort.lower() == cohort.lower()

    @property
    def changes(self) -> tuple[tuple[str, Decimal], ...]:
        """What it changes, as (term, new value), in the order of the contract keys."""
        out: list[tuple[str, Decimal]] = []
        for name in ("weekly_outcome_payment", "weekly_saving"):
            value = getattr(self, name)
            if value is not None:
                out.append((name, value))
        out += [(f"milestone {name!r} payment", pay) for name, pay in self.milestones]
        if self.guaranteed_weekly_fee is not None:
            out.append(("guaranteed_funding weekly_fee", self.guaranteed_weekly_fee))
        return tuple(out)


@dataclass(frozen=True)
class VariationEntry:
    """One line of the log of contract variations: the variation and each term it changed,
    as (what, value the day before, value from its date)."""

    variation: Variation
    changes: tuple[tuple[str, Decimal, Decimal], ...]


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
    closure_reasons: tuple[str, ...] = CLOSURE_REASONS
    # [[outcome_fund]]; none given: one fund, the Life Chances Fund, paying ``lcf_share``
    outcome_funds: tuple[OutcomeFund, ...] = ()
    code: str = ""  # [programme] code, for a service holding several programmes
    provider: str = ""  # [programme] provider: the organisation that delivers the service
    investor: str = ""  # [programme] investor: the social investor paying up front
    investment: Investment | None = None  # [investment]: the investor's terms, if given
    # [[variation]]: dated changes of terms, in date order (none: the terms never change)
    variations: tuple[Variation, ...] = ()
    # [[intervention]]: what a case may record, as (code, label), in the order forms list them
    interventions: tuple[tuple[str, str], ...] = INTERVENTIONS
    # [programme] progress_meeting_chair: who chairs a case's progress meetings, if it says
    progress_meeting_chair: str = ""
    # [programme] progress_meeting_every_weeks: a case's progress meetings are due this often
    progress_meeting_every_weeks: int = MEETING_EVERY_WEEKS
    _cohort_index: Mapping[str, Cohort] = field(default_factory=dict, repr=False, compare=False)
    _la_index: Mapping[str, LocalAuthority] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cohort_index", {c.code.lower(): c for c in self.cohorts})
        object.__setattr__(
            self, "_la_index", {la.code.lower(): la for la in self.local_authorities}
        )

    @property
    def has_maxima(self) -> bool:
        """Whether it sets any maximum outcome payment: its own or a council's."""
        return self.maximum_outcome_payment is not None or any(
            la.maximum_outcome_payment is not None for la in self.local_authorities
        )

    # -- outcome funds --------------------------------------------------------------------
    @property
    def funds(self) -> tuple[OutcomeFund, ...]:
        """The outcome funds: ``[[outcome_fund]]``, or the Life Chances Fund's ``lcf_share``."""
        return self.outcome_funds or (OutcomeFund(LIFE_CHANCES_FUND, self.lcf_share),)

    def fund_contributions(self, outcome_payments: Decimal) -> dict[str, Decimal]:
        """What each fund pays of the outcome payments to date (its share, up to its cap)."""
        return {f.name: f.contribution(outcome_payments) for f in self.funds}

    # -- dated terms (contract variations) ----------------------------------------------
    @property
    def variation_dates(self) -> tuple[dt.date, ...]:
        """Every date from which some variation is in force, in order (none: fixed terms).
        The terms in force change only on these days: version 0 of the terms runs until
        the first, version i from the i-th (``terms_on``)."""
        return tuple(sorted({v.start for v in self.variations}))

    def terms_on(self, cohort: str, on: dt.date) -> Cohort:
        """The cohort's terms in force on a date: its terms as written, with every variation
        for it (or every cohort) from that date or before applied in date order.
        KeyError if the contract has no such cohort."""
        c = self.cohort(cohort)
        for v in self.variations:
            if v.start > on or not v.applies_to(c.code):
                continue
            if v.weekly_outcome_payment is not None:
                c = replace(c, weekly_outcome_payment=v.weekly_outcome_payment)
            if v.weekly_saving is not None:
                c = replace(c, weekly_saving=v.weekly_saving)
            if v.milestones:
                pays = dict(v.milestones)
                c = replace(
                    c,
                    milestones=tuple(
                        replace(m, payment=pays.get(m.name, m.payment)) for m in c.milestones
                    ),
                )
        return c

    def guaranteed_funding_on(self, on: dt.date) -> GuaranteedFunding:
        """The guaranteed-funding terms in force on a date (its weekly fee as varied)."""
        gf = self.guaranteed_funding
        for v in self.variations:
            if v.start <= on and v.guaranteed_weekly_fee is not None:
                gf = replace(gf, weekly_fee=v.guaranteed_weekly_fee)
        return gf

    def variation_log(self) -> list[VariationEntry]:
        """The log of contract variations in date order, each change with the value in
        force the day before and the new one (a change for every cohort: one per cohort
        it changes)."""
        out: list[VariationEntry] = []
        for v in self.variations:
            before = v.start - dt.timedelta(days=1)
            changes: list[tuple[str, Decimal, Decimal]] = []
            whom = [c for c in self.cohorts if v.applies_to(c.code)]
            for c in whom:
                was, now = self.terms_on(c.code, before), self.terms_on(c.code, v.start)
                label = "" if v.cohort else f"cohort {c.code}: "
                for term in ("weekly_outcome_payment", "weekly_saving"):
                    if getattr(v, term) is not None and not (
                        term == "weekly_outcome_payment"
                        and c.payment_design != "weekly_after_proving"
                    ):
                        changes.append(
                            (label + term.replace("_", " "), getattr(was, term), getattr(now, term))
                        )
                new = {m.name: m.payment for m in now.milestones}
                for m in was.milestones:
                    if m.name in dict(v.milestones):
                        changes.append((f"{label}milestone {m.name}", m.payment, new[m.name]))
            if v.guaranteed_weekly_fee is not None:
                changes.append(
                    (
                        "guaranteed-funding weekly fee",
                        self.guaranteed_funding_on(before).weekly_fee,
                        v.guaranteed_weekly_fee,
                    )
                )
            out.append(VariationEntry(v, tuple(changes)))
        return out

    def variations_for(self, cohort: str) -> tuple[Variation, ...]:
        """The variations that change a cohort's terms (its own and every cohort's)."""
        return tuple(v for v in self.variations if v.applies_to(cohort))

    # -- look-ups -------------------------------------------------------------------------
    @property
    def programme_code(self) -> str:
        """The programme's code: ``[programme] code``, else its name in lower case with a
        ``-`` for every run of other characters (``STARS`` is ``stars``)."""
        if self.code:
            return self.code.lower()
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:40] or "programme"

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
        """Contract year of a date: 1 from ``start``, 12 months each (0 or less before it):
        the last year whose ``year_start`` is on or before it."""
        months = (on.year - self.start.year) * 12 + (on.month - self.start.month)
        # the start's day in the date's month, clamped as add_months clamps it (a start on
        # 29 February: the years of a common year start on the 28th)
        if on.day < add_months(self.start, months).day:
            months -= 1
        return months // 12 + 1

    def year_start(self, year: int) -> dt.date:
        return add_months(self.start, 12 * (year - 1))

    def year_end(self, year: int) -> dt.date:
        """The last day of a contract year: the day before the next one starts."""
        return self.year_start(year + 1) - dt.timedelta(days=1)

    def years_started(self, as_of: dt.date) -> list[int]:
        """Every contract year that has started by ``as_of``, even past the year table."""
        last = self.contract_year(as_of)
        return list(range(1, last + 1)) if last >= 1 else []

    @property
    def minimum_referrals(self) -> int:
        """The contract's minimum number of referrals: its contract years' minimums added up
        (DN2 STARS: 55 + 55 + 51 + 51 = 212). Cohort and council minimums are breakdowns and
        need not add up to it."""
        return sum(cy.minimum_referrals for cy in self.contract_years)

    def minimum_for_year(self, year: int) -> int:
        for cy in self.contract_years:
            if cy.year == year:
                return cy.minimum_referrals
        return 0

    def referral_period_open_on(self, day: dt.date) -> bool:
        """Can a referral be made on ``day``: is it on or before ``referral_period_end``, the
        last day of the contract's referral period? The contract pays only for referrals made
        within it, so one dated after it is refused everywhere a referral arrives (the pages,
        the API, the tracker import) and an enquiry dated after it cannot become one
        (docs/decisions/0013-referrals-after-the-referral-period.md)."""
        return day <= self.referral_period_end

    def intervention_label(self, code: str) -> str:
        """An intervention's label: the contract's, else (a kind recorded before the contract
        stopped listing it) the service's one set of labels."""
        return dict(self.interventions).get(code) or label(code)

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
