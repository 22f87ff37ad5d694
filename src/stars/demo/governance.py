"""The demo's records of processing: one data-sharing agreement per council (synthetic)."""

from __future__ import annotations

import datetime as dt

from rich.console import Console

from stars.governance.models import DataSharingAgreement, LawfulBasis
from stars.partnership.models import Council


def load_demo(*, console: Console) -> None:
    """An agreement per council, from the contract's signing to two years after referrals
    end, its review due in September 2025: the demo shows the warning of a review overdue."""
    for council in Council.objects.order_by("name"):
        DataSharingAgreement.objects.create(
            council=council,
            title=f"STARS data-sharing agreement: {council.name}",
            parties=f"{council.name}\nThe provider (synthetic)\nThe evaluator (synthetic)",
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            purpose="Referral, support and outcome payments of the programme; its evaluation.",
            start=dt.date(2020, 9, 1),
            review=dt.date(2025, 9, 1),
            end=dt.date(2027, 3, 31),
        )
    console.log(f"{Council.objects.count()} data-sharing agreements")
