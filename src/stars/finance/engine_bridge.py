"""The one door from the finance app to the outcomes engine.

Frames are read from the database by ``stars.tracker.selectors.programme_frames`` (the
tracker's columns); every week and pound comes from ``stars.domain.outcomes.engine``.
Nothing here re-implements a rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from stars.core.permissions import Scope
from stars.domain.calendar import quarter_of, quarters_between
from stars.domain.contract.terms import Contract
from stars.domain.evaluation.report import Counted, evaluation_counted, published_over_time
from stars.domain.money import Money
from stars.domain.outcomes.designs.base import OUTCOME, Payment
from stars.domain.outcomes.engine import (
    ReferralPayment,
    money_by_group,
    outcome_payments_as_of,
    referral_figures,
)
from stars.domain.outcomes.explanation import explain_referral
from stars.partnership.selectors import contract_current
from stars.tracker.selectors import programme_figures, programme_frames, report_inputs

Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]


def council_scope(code: str) -> Scope:
    return Scope(frozenset({code}), None, True, True)


def frames_for(scope: Scope | None, *, restricted: bool = True) -> Frames:
    """(enquiries, referrals, periods) of the councils in ``scope`` (None: all); without
    restricted children's records when ``restricted`` is False (for exports)."""
    return programme_frames(scope, restricted=restricted)


def payments_between(
    contract: Contract, *, council: str, start: dt.date, end: dt.date
) -> tuple[dict[str, ReferralPayment], dict[str, ReferralPayment]]:
    """Per referral of ``council``: what it had earned as of ``start`` and as of ``end``."""
    _, referrals, periods = frames_for(council_scope(council))
    return (
        outcome_payments_as_of(contract, referrals, periods, start),
        outcome_payments_as_of(contract, referrals, periods, end),
    )


def dated_outcome_payments(
    contract: Contract, *, council: str, referral_ids: list[str], as_of: dt.date
) -> dict[str, tuple[Payment, ...]]:
    """Per referral of ``council`` asked for: the dated outcome payments its design gave it
    by ``as_of`` (a milestone's name, day and amount), as its explanation states them."""
    if not referral_ids:
        return {}
    _, referrals, periods = frames_for(council_scope(council))
    wanted = pl.col("referral_id").is_in(referral_ids)
    spans: dict[str, list[dict[str, dt.date | None]]] = {}
    for p in periods.filter(wanted).iter_rows(named=True):
        spans.setdefault(p["referral_id"], []).append(
            {"start_date": p["start_date"], "end_date": p["end_date"]}
        )
    out: dict[str, tuple[Payment, ...]] = {}
    for row in referrals.filter(wanted).iter_rows(named=True):
        rid = row["referral_id"]
        e = explain_referral(contract, row, spans.get(rid, []), as_of)
        out[rid] = tuple(p for p in e.outcome.payments if p.kind == OUTCOME)
    return out


def payments_as_of(
    contract: Contract, *, council: str | None, as_of: dt.date
) -> dict[str, ReferralPayment]:
    """Per referral (of one council, or of the programme): what it has earned by ``as_of``."""
    _, referrals, periods = frames_for(council_scope(council) if council else None)
    return outcome_payments_as_of(contract, referrals, periods, as_of)


def programme_money_for(
    contract: Contract, scope: Scope | None, as_of: dt.date
) -> dict[tuple[str, str], Money] | None:
    """The whole programme's money per (council, cohort) as of a date, earned, when a report
    of ``scope`` covers part of it and the contract sets a maximum outcome payment or caps
    an outcome fund: each counts every council's outcome payments (``payable_money``, the
    report's fund contributions). None otherwise."""
    if scope is None or not (contract.has_maxima or any(f.cap is not None for f in contract.funds)):
        return None
    if scope.programme_wide and not scope.own_caseload_only:
        return None
    _, referrals, periods = frames_for(None)
    return money_by_group(contract, referral_figures(contract, referrals, periods, as_of))


def evaluation_counted_for(scope: Scope | None, as_of: dt.date, *, arrow: bool = False) -> Counted:
    """The evaluation report of the records in ``scope`` as of a date, exact, with what its
    publication needs (``stars.domain.evaluation.report.evaluation_counted``), worked out
    once per version of the records, scope and date (``stars.core.cache``): the board card,
    the evaluation report published quarter after quarter and the investor view each read
    every quarter's end since the programme's first, the same reports. ``arrow``: see
    ``stars.tracker.selectors.report_frames``."""

    def count() -> Counted:
        enquiries, referrals, periods = report_inputs(scope, as_of, arrow=arrow)
        contract = contract_current()
        programme = programme_money_for(contract, scope, as_of)  # for the contract's maximum
        return evaluation_counted(
            contract, enquiries, referrals, periods, as_of, programme=programme
        )

    return programme_figures("evaluation_counted", scope, (as_of,), count)


def published_dates(start: dt.date, as_of: dt.date) -> list[dt.date]:
    """The days a report published quarter after quarter is as of, up to ``as_of``: every
    quarter's end from the quarter holding the programme's ``start``, then ``as_of``."""
    ends = [q.end for q in quarters_between(start, quarter_of(as_of))[::-1] if q.end < as_of]
    return [*ends, as_of]


def published_evaluation_for(
    scope: Scope | None, as_of: dt.date, *, first: dt.date | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The evaluation report of ``scope`` as of every day of ``published_dates`` from the
    programme's start (or ``first``, if earlier; oldest first, the last as of ``as_of``):
    each exact, and as a role that sees figures only is given it, quarter after quarter by
    ``stars.domain.evaluation.report.published_over_time``, so that no count changes by 1
    to 4 from one quarter to the next (decision 0018)."""
    start = contract_current().start
    days = published_dates(min(start, first or start), as_of)
    series = [evaluation_counted_for(scope, day) for day in days]
    return list(zip([c.report for c in series], published_over_time(series), strict=True))
