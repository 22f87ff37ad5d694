"""The explanation of one referral's weeks, payments and savings, from the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from stars.core.templatetags.stars_format import money
from stars.domain.calendar import long_date
from stars.domain.outcomes.explanation import Explanation, explain_referral
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral


def explanation_for(referral: Referral, as_of: dt.date | None = None) -> Explanation:
    row: dict[str, Any] = {
        "referral_id": referral.referral_id,
        "cohort": referral.cohort,
        "funding": referral.funding,
        "referral_date": referral.referral_date,
        "status": referral.status,
        "end_date": referral.end_date,
    }
    periods = list(referral.periods.values("start_date", "end_date"))
    return explain_referral(contract_current(), row, periods, as_of or timezone.localdate())


def explanation_text(e: Explanation) -> str:
    """The explanation as plain text for the terminal."""
    lines = [
        f"Referral {e.referral_id} as of {long_date(e.as_of)} ({e.status_as_of})",
        f"Window: {e.window_counted} ({e.window_rule})",
    ]
    for p in e.periods:
        lines.append(f"  period {p.recorded}: {p.rule}")
    lines += [
        f"Sustained weeks: {e.sustained_weeks}",
        *([f"Proving weeks: {e.proving_weeks} ({e.proving_rule})"] if e.pays_for_weeks else []),
        *(
            [
                f"Payable weeks: {e.payable_weeks} x {money(e.weekly_rate)} = "
                f"{money(e.outcome_payment)}"
            ]
            if e.priced_by_the_week
            else [
                *(
                    [f"Payable weeks: {e.payable_weeks} ({e.payable_rule})"]
                    if e.pays_for_weeks
                    else []
                ),
                *(f"{label}: {value} ({rule})" for label, value, rule in e.outcome.details),
                f"Outcome payment: {money(e.outcome_payment)} ({e.payment_rule})",
            ]
        ),
        f"Guaranteed-funding fee: {money(e.guaranteed_fee)} ({e.fee_rule})",
        f"Savings ({e.saving_kind}): {e.sustained_weeks} x {money(e.weekly_saving)} = "
        f"{money(e.savings)}"
        if e.saving_by_the_week
        else f"Savings ({e.saving_kind}): {money(e.savings)} ({e.savings_rule})",
    ]
    return "\n".join(lines)
