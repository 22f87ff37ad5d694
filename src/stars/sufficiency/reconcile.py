"""A council checks its invoice: claimed weeks of linked referrals against its SSDA903
episodes (rules in ``stars.domain.outcomes.reconciliation``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stars.cases.explain import explanation_for
from stars.domain.calendar import month_label
from stars.domain.outcomes.reconciliation import (
    Discrepancy,
    Stake,
    at_stake,
    claim_weeks,
    episodes_of,
    paid_for,
    reconcile,
    total_at_stake,
)
from stars.domain.spreadsheet_text import csv_bytes
from stars.domain.sufficiency.figures import without_short_breaks
from stars.domain.sufficiency.ssda903 import RECONCILIATION_COLUMNS, year_end
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral
from stars.sufficiency.models import ChildLink
from stars.sufficiency.services import council_returns, council_years


@dataclass(frozen=True)
class Finding:
    referral: Referral
    child_id: str
    discrepancy: Discrepancy
    stake: Stake  # the claimed weeks the discrepancy touches and what was paid for them

    @property
    def claims(self) -> list[tuple[str, str]]:
        """("YYYY-MM", "August 2022") of each claim month that paid for a week it touches."""
        return [(m, month_label(dt.date.fromisoformat(f"{m}-01"))) for m in self.stake.months]


def checked_against() -> str:
    """What each cohort of the contract in force is paid for, in words."""
    return paid_for([(c.code, c.outcome) for c in contract_current().cohorts])


def council_reconciliation(council: Council, as_of: dt.date) -> dict[str, Any]:
    merged = council_returns(council, RECONCILIATION_COLUMNS)  # only what it reads
    frame = without_short_breaks(merged.episodes) if merged is not None else None
    known = set(merged.headers["CHILD"].to_list()) if merged is not None else set()
    # the records say nothing after the last 31 March loaded
    last_day = year_end(council_years(council)[-1]) if merged is not None else None
    records_until = last_day + dt.timedelta(days=1) if last_day else None
    links = ChildLink.objects.filter(referral__council=council).select_related("referral")
    findings: list[Finding] = []
    missing: list[ChildLink] = []
    total = Decimal(0)
    for link in links.order_by("referral__referral_id"):
        if frame is None or link.council_child_id not in known:
            missing.append(link)
            continue
        e = explanation_for(link.referral, as_of)
        weeks = claim_weeks(e.outcome)
        found = reconcile(
            e.checked_against,
            e.counted_days,
            episodes_of(frame, link.council_child_id),
            records_until=records_until,
        )
        findings += [
            Finding(link.referral, link.council_child_id, d, at_stake(d, weeks)) for d in found
        ]
        total += total_at_stake(found, weeks)  # a week two findings touch counts once
    unlinked = (
        Referral.objects.filter(council=council, referral_date__lte=as_of)
        .exclude(council_link__isnull=False)
        .count()
    )
    return {
        "council": council,
        "as_of": as_of,
        "checked_against": checked_against(),
        "has_returns": merged is not None,
        "records_last_day": last_day,
        "findings": findings,
        "missing": missing,
        "linked": links.count(),
        "unlinked": unlinked,
        "total_claimed": total,
    }


def findings_csv(context: dict[str, Any]) -> bytes:
    return csv_bytes(
        [
            "referral_id",
            "council_child_id",
            "cohort",
            "first_day",
            "last_day",
            "days",
            "weeks",
            "claimed_weeks",
            "paid_weeks",
            "placement",
            "place_code",
            "rule",
            "finding",
            "claimed",
            "claim_months",
        ],
        [
            [
                f.referral.referral_id,
                f.child_id,
                f.referral.cohort,
                f.discrepancy.start,
                f.discrepancy.last_day,
                f.discrepancy.days,
                f.discrepancy.weeks,
                f.stake.weeks,
                f.stake.paid_weeks,
                f.discrepancy.group or "not looked after",
                f.discrepancy.place or "",
                f.discrepancy.rule,
                f.discrepancy.description,
                f.stake.amount,
                " ".join(f.stake.months),
            ]
            for f in context["findings"]
        ],
    )
