"""Demo outcome claims for the programme already loaded (called by ``stars demo``).

Each council's claims run month by month from the first referral to the month before the
demo census date, through the same services as the pages: the provider prepares and submits,
the council's commissioner approves. The last month shows each stage of the cycle: Derby's
is submitted with one line disputed, Nottingham's is submitted and awaits review,
Nottinghamshire's is a draft.

Each step is dated as it would have been in the programme's life, never after the moment of
loading: a month's claim is prepared and submitted on the 7th of the next month and approved
on the 21st (a dispute too), so the claims approved by a quarter's end are paid by then (the
investor's figures are as of a quarter that has ended).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from stars.core.roles import Role
from stars.demo.programme import DEMO_AS_OF
from stars.domain.calendar import month_start, next_month
from stars.finance.services import claim_approve, claim_dispute_line, claim_prepare, claim_submit
from stars.partnership.models import Council, User
from stars.partnership.selectors import programme_councils
from stars.referrals.models import Referral

LAST = {"derby": "disputed", "nottingham": "submitted"}  # any other council: a draft
SUBMITTED_ON = 7  # day of the month after the claim's month
APPROVED_ON = 21
DISPUTE = (
    "The placement ended on 14 October (social worker's note of 16 October); weeks after "
    "that date are not sustained. Please prepare again from the corrected period."
)


def load_demo(
    *, seed: int, console: Any, last_months: int | None = None, as_of: Any = DEMO_AS_OF
) -> None:
    """Every council's claims from its first month, or only for the ``last_months`` months
    before the census (a large programme's load test: each month's claim of 30,000
    referrals takes a while to prepare)."""
    first = Referral.objects.order_by("referral_date").values_list("referral_date", flat=True)
    if not first:
        return
    months = []
    month = month_start(first[0])
    while next_month(month) <= month_start(as_of):
        months.append(month)
        month = next_month(month)
    if last_months is not None:
        months = months[-last_months:]
    councils = list(programme_councils(Council.objects.order_by("code")))
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Preparing monthly claims", total=len(councils) * len(months))
        for council in councils:
            _claims(council, months)
            progress.update(task, advance=len(months))


@transaction.atomic
def _claims(council: Council, months: list[Any]) -> None:
    provider = User.objects.filter(role=Role.PROVIDER_MANAGER).order_by("pk").first()
    commissioner = (
        User.objects.filter(role=Role.COMMISSIONER, council=council).order_by("pk").first()
    )
    if provider is None or commissioner is None or not months:
        return
    for month in months[:-1]:
        submitted, approved = _when(month, SUBMITTED_ON), _when(month, APPROVED_ON)
        claim = claim_prepare(council=council, month=month, by=provider, at=submitted)
        claim = claim_submit(claim=claim, by=provider, at=submitted)
        claim_approve(claim=claim, by=commissioner, at=approved)
    submitted = _when(months[-1], SUBMITTED_ON)
    last = claim_prepare(council=council, month=months[-1], by=provider, at=submitted)
    stage = LAST.get(council.code, "draft")
    if stage == "draft":
        return
    last = claim_submit(claim=last, by=provider, at=submitted)
    line = last.lines.order_by("-amount").first()
    if stage == "disputed" and line is not None:
        reason, at = DISPUTE, _when(months[-1], APPROVED_ON)
        claim_dispute_line(line=line, by=commissioner, reason=reason, at=at)


def _when(month: dt.date, day: int) -> dt.datetime:
    """That day of the month after ``month`` at ten in the morning, or now if that is still
    to come (a step is never dated after it was taken)."""
    moment = dt.datetime.combine(next_month(month).replace(day=day), dt.time(10))
    return min(timezone.make_aware(moment), timezone.now())
