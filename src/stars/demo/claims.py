"""Demo outcome claims for the programme already loaded (called by ``stars demo``).

Each council's claims run month by month from the first referral to the month before the
demo census date, through the same services as the pages: the provider prepares and submits,
the council's commissioner approves. The last month shows each stage of the cycle: Derby's
is submitted with one line disputed, Nottingham's is submitted and awaits review,
Nottinghamshire's is a draft.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rich.progress import Progress

from stars.core.roles import Role
from stars.demo.programme import DEMO_AS_OF
from stars.domain.calendar import month_start, next_month
from stars.finance.services import claim_approve, claim_dispute_line, claim_prepare, claim_submit
from stars.partnership.models import Council, User
from stars.partnership.selectors import programme_councils
from stars.referrals.models import Referral

LAST = {"derby": "disputed", "nottingham": "submitted"}  # any other council: a draft
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
        claim = claim_submit(
            claim=claim_prepare(council=council, month=month, by=provider), by=provider
        )
        claim_approve(claim=claim, by=commissioner)
    last = claim_prepare(council=council, month=months[-1], by=provider)
    stage = LAST.get(council.code, "draft")
    if stage == "draft":
        return
    last = claim_submit(claim=last, by=provider)
    line = last.lines.order_by("-amount").first()
    if stage == "disputed" and line is not None:
        claim_dispute_line(line=line, by=commissioner, reason=DISPUTE)
