"""Money, investor and evaluator figures, all from the outcomes engine (no rule re-done here).

Every function takes the scope it may read (``None``: the whole programme) and reads the
frames through ``engine_bridge``; money stays ``Decimal`` until a template shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings

from stars.core.permissions import Scope
from stars.core.programmes import ProgrammeChoice, programme_use
from stars.domain.calendar import age_on, month_label, months_between
from stars.domain.contract.terms import Contract
from stars.domain.disclosure import (
    SUPPRESSED,
    pseudonym,
    published_amount,
    why_hidden,
)
from stars.domain.money import ZERO, Money, MoneyNames, capped_split, funds_named
from stars.domain.outcomes.claims import payable_money
from stars.domain.outcomes.engine import (
    money_by_dates_and_group,
    money_by_group,
    referral_figures,
)
from stars.domain.simulation.records import records_as_of
from stars.domain.vocabulary import label
from stars.finance.engine_bridge import frames_for, published_evaluation_for
from stars.partnership.selectors import contract_or_none, programme_parties

NEAR_CAP = Decimal("0.8")  # warn when payments reach this share of the maximum


@dataclass(frozen=True)
class MoneyRow(MoneyNames):
    """One row of the money tables: exact figures of a council, a cohort or a month."""

    label: str
    money: Money
    on: dt.date | None = None  # a month's row: the day its figures are as of

    @property
    def above_maximum(self) -> Decimal:
        """Outcome payments earned above a maximum outcome payment, not payable."""
        return self.money.above_maximum

    @property
    def paid(self) -> Decimal:
        return self.money.paid

    @property
    def cashable_savings(self) -> Decimal:
        return self.money.cashable_savings

    @property
    def cost_avoidance(self) -> Decimal:
        return self.money.cost_avoidance

    @property
    def net_cash_saving(self) -> Decimal:
        return self.money.net_cash_saving


def _sum(groups: dict[tuple[str, str], Money], keep: Any) -> Money:
    total = Money()
    for key, m in groups.items():
        if keep(key):
            total = total + m
    return total


def money_at(contract: Contract, frames: tuple[pl.DataFrame, ...], as_of: dt.date) -> Money:
    """The money of the whole programme's ``frames`` as of a date: outcome payments what the
    contract pays, within each maximum, and what was earned above one apart."""
    _, referrals, periods = frames
    groups = money_by_group(contract, referral_figures(contract, referrals, periods, as_of))
    return _sum(payable_money(contract, groups), lambda k: True)


def _groups_at(
    contract: Contract, frames: tuple[pl.DataFrame, ...], as_of: dt.date
) -> dict[tuple[str, str], Money]:
    _, referrals, periods = frames
    return money_by_group(contract, referral_figures(contract, referrals, periods, as_of))


def money_overview(contract: Contract, scope: Scope | None, as_of: dt.date) -> dict[str, Any]:
    """Totals, by council, by cohort and month by month (cumulative), as of a date.

    Outcome payments are what the contract pays, within each maximum outcome payment
    (``payable_money``; the contract's counts every council, in scope or not), and what was
    earned above a maximum is a figure of its own (``above_maximum``)."""
    frames = frames_for(scope)
    _, referrals, periods = frames
    capped_funds = any(f.cap is not None for f in contract.funds)
    # the whole programme's money, when the scope is part of it and a maximum or a capped
    # outcome fund counts every council's outcome payments
    whole = (
        frames_for(None) if scope is not None and (capped_funds or contract.has_maxima) else None
    )
    programme = (
        None if whole is None else payable_money(contract, _groups_at(contract, whole, as_of))
    )
    groups = payable_money(contract, _groups_at(contract, frames, as_of), programme)
    councils = scope.council_codes(contract.council_codes) if scope else contract.council_codes
    by_council = [
        MoneyRow(contract.local_authority(c).name, _sum(groups, lambda k, c=c: k[0] == c))
        for c in councils
    ]
    by_cohort = [
        MoneyRow(f"{c.code}: {c.name}", _sum(groups, lambda k, c=c: k[1] == c.code))
        for c in contract.cohorts
    ]
    points = [m for m in months_between(contract.start, as_of) if contract.start < m <= as_of]
    if not points or points[-1] != as_of:
        points.append(as_of)
    # the programme's figures month by month: for a capped fund, or when a maximum binds
    # as of the last date (earlier, less was earned, so none binds when this one does not)
    binds = programme is not None and any(m.above_maximum for m in programme.values())
    programme_months = (
        None
        if whole is None or not (capped_funds or binds)
        else [
            payable_money(contract, g)
            for g in money_by_dates_and_group(contract, whole[1], whole[2], points)
        ]
    )
    by_month = [
        _sum(
            payable_money(contract, g, None if programme_months is None else programme_months[i]),
            lambda k: True,
        )
        for i, g in enumerate(money_by_dates_and_group(contract, referrals, periods, points))
    ]
    if scope is None:  # the whole programme: each date's funds, each up to its cap
        by_month = [
            replace(
                m,
                fund_contributions=sum(
                    contract.fund_contributions(m.outcome_payments).values(), Decimal(0)
                ),
            )
            for m in by_month
        ]
    elif capped_funds and programme_months is not None:
        # a capped fund's total on each date is the programme's: the councils in scope
        # meet their part of it, split as on the council rows below (capped_split)
        by_month = [
            replace(m, fund_contributions=part)
            for m, part in zip(
                by_month, _month_fund_parts(contract, councils, programme_months), strict=True
            )
        ]
    months = [
        MoneyRow(month_label(m), money, on=m) for m, money in zip(points, by_month, strict=True)
    ]
    # the outcome funds' shares, each up to its cap: a capped fund's programme total shared
    # between the councils in proportion to their outcome payments (capped_split); the
    # total, the councils in scope's; the cohorts share that total the same way
    total_money = _sum(groups, lambda k: True)
    funds = _fund_parts(contract, groups if programme is None else programme, councils)
    by_council = [
        MoneyRow(r.label, replace(r.money, fund_contributions=sum(parts.values(), Decimal(0))))
        for r, parts in zip(by_council, _council_funds(funds, councils), strict=True)
    ]
    totals = {name: sum(parts.values(), Decimal(0)) for name, parts in funds.items()}
    shared = [Decimal(0)] * len(by_cohort)
    for f in contract.funds:
        parts = capped_split(
            totals[f.name], [f.share * r.money.outcome_payments for r in by_cohort]
        )
        shared = [a + b for a, b in zip(shared, parts, strict=True)]
    by_cohort = [
        MoneyRow(r.label, replace(r.money, fund_contributions=part))
        for r, part in zip(by_cohort, shared, strict=True)
    ]
    total = MoneyRow(
        "Total", replace(total_money, fund_contributions=sum(totals.values(), Decimal(0)))
    )
    return {
        "total": total,
        "funds": totals,
        "funds_named": funds_named(list(totals)),  # "Council cost after the ..."
        "by_council": by_council,
        "by_cohort": by_cohort,
        "by_month": months,
        # whether any row holds outcome payments earned above a maximum (their own column)
        "above": any(r.above_maximum for r in [*by_council, *by_cohort, *months]),
    }


def _fund_parts(
    contract: Contract,
    groups: dict[tuple[str, str], Money],
    councils: Sequence[str],
) -> dict[str, dict[str, Decimal]]:
    """Per outcome fund, what it meets of each council's outcome payments (of ``councils``,
    those in scope): its share, and for a capped fund its capped programme total split
    between every council of the programme in proportion to their outcome payments
    (``groups``: the whole programme's when a fund is capped)."""
    capped = any(f.cap is not None for f in contract.funds)
    every = list(contract.council_codes) if capped else list(councils)
    outcome = [_sum(groups, lambda k, c=c: k[0] == c).outcome_payments for c in every]
    programme = sum(outcome, Decimal(0))
    out: dict[str, dict[str, Decimal]] = {}
    for f in contract.funds:
        uncapped = [f.share * o for o in outcome]
        parts = capped_split(f.contribution(programme), uncapped) if capped else uncapped
        mine = set(councils)
        out[f.name] = {c: p for c, p in zip(every, parts, strict=True) if c in mine}
    return out


def _month_fund_parts(
    contract: Contract,
    councils: Sequence[str],
    programme_months: Sequence[dict[tuple[str, str], Money]],
) -> list[Decimal]:
    """On each date, what the outcome funds meet of the outcome payments of ``councils``:
    each fund's programme total to that date (capped) split between every council of the
    programme in proportion to their outcome payments, as ``_fund_parts`` does for one date
    (``programme_months``: the whole programme's money on each date)."""
    every = list(contract.council_codes)
    mine = set(councils)
    out = []
    for groups in programme_months:
        outcome = [_sum(groups, lambda k, c=c: k[0] == c).outcome_payments for c in every]
        programme = sum(outcome, Decimal(0))
        part = Decimal(0)
        for f in contract.funds:
            uncapped = [f.share * o for o in outcome]
            parts = capped_split(f.contribution(programme), uncapped)
            part += sum((p for c, p in zip(every, parts, strict=True) if c in mine), Decimal(0))
        out.append(part)
    return out


def _council_funds(
    funds: dict[str, dict[str, Decimal]], councils: Sequence[str]
) -> list[dict[str, Decimal]]:
    """Per council (in order), what each fund meets of its outcome payments."""
    return [{name: parts[c] for name, parts in funds.items()} for c in councils]


def cap_position(contract: Contract, as_of: dt.date) -> dict[str, Any] | None:
    """The programme's outcome payments (guaranteed-funding fees apart) against the
    contract's maximum outcome payment: those earned, those payable (within every maximum,
    ``payable_money``), what is left under it, and what was earned above a maximum, which
    is not payable (claims do not pay it: ``stars.domain.outcomes.claims.within_maxima``)."""
    cap = contract.maximum_outcome_payment
    if not cap:
        return None
    money = money_at(contract, frames_for(None), as_of)
    paid = money.outcome_payments  # payable, fees apart
    used = paid / cap
    return {
        "cap": cap,
        "earned": money.earned_outcome_payments,
        "paid": paid,
        "used": used,
        "near": used >= NEAR_CAP,
        "left": max(cap - paid, ZERO),
        "over": money.above_maximum,
    }


def investor_overview(contract: Contract, as_of: dt.date) -> dict[str, Any]:
    """The whole programme in aggregate: payments to date and projected, referrals against
    targets and closures, small counts suppressed. No child-level row leaves here."""
    frames = frames_for(None)
    to_date = money_at(contract, frames, as_of)
    horizon = as_of + dt.timedelta(weeks=contract.programme_weeks, days=1)
    # what the cases live on the day would earn if their placements held: worked out from
    # the records as they stood that day (a later referral, or a later end, is not known)
    known = records_as_of(*frames, as_of)
    projected = money_at(contract, (known.enquiries, known.referrals, known.periods), horizon)
    # the counts as the evaluation report publishes them quarter after quarter from the
    # programme's first (decision 0018): each breakdown adds up to a published total, small
    # counts hidden, and those within 4 of what the quarter before published; money that
    # is a price times a hidden count (guaranteed-funding fees; a milestone cohort's
    # payments) hidden with it
    report, published = published_evaluation_for(None, as_of)[-1]
    refs, cases, shown = published["referrals"], published["cases"], published["finance"]
    total = refs["total"]
    by_cohort, by_council, by_year = (
        refs[k] for k in ("by_cohort", "by_local_authority", "by_contract_year")
    )
    status, reasons = cases["status"], cases["closure_reasons"]
    fees = published_amount(
        to_date.guaranteed_funding_payments, [shown["guaranteed_funding_payments"]]
    )
    outcome = published_amount(to_date.outcome_payments, [shown["outcome_payments"]])
    paid = published_amount(to_date.paid, [fees, outcome])
    return {
        "to_date": MoneyRow("To date", to_date),
        "projected": MoneyRow("Projected", projected),
        "paid": paid,
        "outcome_payments": outcome,
        "guaranteed_fees": fees,
        # with the projected total, it would be what is earned to date
        "from_live": published_amount(projected.paid - to_date.paid, [paid]),
        # above a maximum the payable payments are the maximum, printed in the contract: what
        # was earned above it is hidden where they are (decision 0018)
        "above_maximum": published_amount(to_date.above_maximum, [outcome]),
        "cap": contract.maximum_outcome_payment,
        "referrals_total": total,
        # why the total is hidden, if it is: too few, or to protect a breakdown
        "referrals_total_hidden": (
            why_hidden(report["referrals"]["total"]) if total == SUPPRESSED else ""
        ),
        "minimum_total": contract.minimum_referrals,
        "by_cohort": [
            (f"{c.code}: {c.name}", c.minimum_referrals, by_cohort[c.code])
            for c in contract.cohorts
        ],
        "by_council": [
            (la.name, la.minimum_referrals, by_council[la.code])
            for la in contract.local_authorities
        ],
        "by_year": [(y, contract.minimum_for_year(int(y)), n) for y, n in by_year.items()],
        "status": [(label(s), n) for s, n in status.items()],
        "reasons": [(label(r), n) for r, n in reasons.items()],
        # shown only when the counts it is worked out from are (stars.domain.disclosure)
        "closed_early_rate": cases["closed_early_rate"],
    }


def investor_portfolio(programmes: list[ProgrammeChoice], as_of: dt.date) -> dict[str, Any]:
    """Each programme's aggregate figures side by side (those of ``investor_overview``,
    small counts suppressed), with the money added up across them."""
    rows = []
    for choice in programmes:
        with programme_use(choice):
            contract = contract_or_none()
            if contract is None:  # a programme whose contract is not loaded yet
                continue
            o = investor_overview(contract, as_of)
        rows.append(
            {
                "programme": choice,
                **programme_parties(choice.id),
                "contract": contract.name,
                "referrals_total": o["referrals_total"],
                "minimum_total": o["minimum_total"],
                "closed_early_rate": o["closed_early_rate"],
                "paid": o["paid"],
                "earned": o["to_date"].paid,
                "outcome_payments": o["outcome_payments"],
                "above_maximum": o["above_maximum"],
                "guaranteed_fees": o["guaranteed_fees"],
                "projected": o["projected"].paid,
                "cap": o["cap"],
            }
        )
    return {
        "rows": rows,
        # less the programmes shown, the sum would be a hidden programme's
        "paid": published_amount(
            sum((r["earned"] for r in rows), Decimal(0)), [r["paid"] for r in rows]
        ),
        "projected": sum((r["projected"] for r in rows), Decimal(0)),
    }


EXTRACT_COLUMNS = [
    "referral",
    "child",
    "council",
    "cohort",
    "funding",
    "age_band",
    "re_referral",
    "enquiry_month",
    "referral_month",
    "end_month",
    "status",
    "closure_reason",
    "sustained_weeks",
    "payable_weeks",
]
AGE_BANDS = ((0, 4, "0-4"), (5, 9, "5-9"), (10, 12, "10-12"), (13, 15, "13-15"), (16, 200, "16+"))


def age_band(age: int) -> str:
    for lo, hi, band in AGE_BANDS:
        if lo <= age <= hi:
            return band
    return ""


def _month(d: dt.date | None) -> str:
    return f"{d:%Y-%m}" if d else ""


def evaluator_rows(
    contract: Contract, scope: Scope | None, as_of: dt.date, *, recipient: str
) -> list[list[Any]]:
    """One pseudonymised row per referral existing on ``as_of``, for ``recipient``.

    Referrals and children appear under the recipient's own keyed pseudonyms
    (``stars.domain.disclosure``), never under an id printed elsewhere. Dates are months
    (YYYY-MM); the date of birth becomes an age band at referral and is not written; names
    are never read. Statuses are as of the date (tracker rules). Rows run by month of
    referral and, within a month, by pseudonym: never by day or id.
    """
    key = settings.STARS_PSEUDONYM_KEY
    enquiries, referrals, periods = frames_for(scope, restricted=False)  # restricted: left out
    figures = referral_figures(contract, referrals, periods, as_of).join(
        enquiries.select("enquiry_id", "enquiry_date"), on="enquiry_id", how="left"
    )
    rows = []
    for r in figures.iter_rows(named=True):
        ended = r["status_as_of"] != "live"
        enquired = r["enquiry_date"]
        rows.append(
            [
                pseudonym(key=key, recipient=recipient, kind="referral", value=r["referral_id"]),
                pseudonym(key=key, recipient=recipient, kind="child", value=r["child_ref"]),
                r["local_authority"],
                r["cohort"],
                r["funding"],
                age_band(age_on(r["date_of_birth"], r["referral_date"])),
                "yes" if r["enquiry_id"] is None else "no",
                _month(enquired if enquired and enquired <= as_of else None),
                _month(r["referral_date"]),
                _month(r["end_date"] if ended else None),
                r["status_as_of"],
                r["closure_reason_as_of"] or "",
                int(r["sustained_weeks"]),
                int(r["payable_weeks"]),
            ]
        )
    # by month of referral, then by pseudonym: an order by day or by id would tell the
    # days the months hide and link each row to the referral id printed on claims
    rows.sort(key=lambda row: (row[8], row[0]))
    return rows
