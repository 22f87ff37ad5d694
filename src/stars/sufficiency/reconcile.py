"""A council checks its invoice: claimed weeks of linked referrals against its SSDA903
episodes (rules in ``stars.domain.reconciliation``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from stars.domain.reconciliation import Discrepancy, Episode, reconcile
from stars.domain.sufficiency import without_short_breaks
from stars.partnership.models import Council
from stars.referrals.models import Referral
from stars.sufficiency.models import ChildLink
from stars.sufficiency.services import council_returns


@dataclass(frozen=True)
class Finding:
    referral: Referral
    child_id: str
    discrepancy: Discrepancy
    up_to: Decimal  # whole weeks affected x the cohort's weekly outcome payment

    @property
    def month(self) -> str:
        return f"{self.discrepancy.start:%Y-%m}"


def _episodes(frame: pl.DataFrame, child: str) -> list[Episode]:
    rows = frame.filter(pl.col("CHILD") == child).select("DECOM", "DEC", "PLACE", "GROUP")
    return [Episode(a, b, p or "", g or "other") for a, b, p, g in rows.iter_rows()]


def council_reconciliation(council: Council, as_of: dt.date) -> dict[str, Any]:
    from stars.reports.explain import explanation_for

    merged = council_returns(council)
    frame = without_short_breaks(merged.episodes) if merged is not None else None
    known = set(merged.headers["CHILD"].to_list()) if merged is not None else set()
    links = ChildLink.objects.filter(referral__council=council).select_related("referral")
    findings: list[Finding] = []
    missing: list[ChildLink] = []
    for link in links.order_by("referral__referral_id"):
        if frame is None or link.council_child_id not in known:
            missing.append(link)
            continue
        e = explanation_for(link.referral, as_of)
        claimed = [(p.counted_from, p.counted_until) for p in e.periods if p.days > 0]
        for d in reconcile(e.cohort, claimed, _episodes(frame, link.council_child_id)):
            findings.append(
                Finding(link.referral, link.council_child_id, d, d.weeks * e.weekly_rate)
            )
    unlinked = (
        Referral.objects.filter(council=council, referral_date__lte=as_of)
        .exclude(council_link__isnull=False)
        .count()
    )
    return {
        "council": council,
        "as_of": as_of,
        "has_returns": merged is not None,
        "findings": findings,
        "missing": missing,
        "linked": links.count(),
        "unlinked": unlinked,
        "total_up_to": sum((f.up_to for f in findings), Decimal(0)),
    }


def findings_csv(context: dict[str, Any]) -> str:
    from stars.reports.exports import csv_text

    return csv_text(
        [
            "referral_id",
            "council_child_id",
            "cohort",
            "first_day",
            "last_day",
            "days",
            "weeks",
            "placement",
            "place_code",
            "rule",
            "finding",
            "claimed_up_to",
            "claim_month",
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
                f.discrepancy.group or "not looked after",
                f.discrepancy.place or "",
                f.discrepancy.rule,
                f.discrepancy.description,
                f.up_to,
                f.month,
            ]
            for f in context["findings"]
        ],
    )
