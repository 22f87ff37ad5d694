"""The explanation of one referral's weeks, payments and savings, from the engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stars.domain.engine import Explanation, explain_referral
from stars.partnership.selectors import contract_current
from stars.referrals.models import Referral


def explanation_for(referral: Referral, as_of: dt.date | None = None) -> Explanation:
    from django.utils import timezone

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
