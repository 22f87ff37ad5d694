"""Writes of the finance app: prepare, submit, approve and dispute outcome claims.

A council's claims go month by month. A claim is built from the engine (through
``engine_bridge``) by ``stars.domain.outcomes.claims.claim_lines``: this month's payable weeks and
fees, plus adjustment lines that reconcile every earlier claim with what the records say
now. Claims before it must be approved first, so the approved claims up to any month
always add up to the engine's figure at that month's end, to the penny.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from stars.core.errors import RuleError
from stars.core.permissions import may_act_for
from stars.core.roles import Role
from stars.domain.calendar import month_label, month_start, next_month
from stars.domain.contract.terms import Contract
from stars.domain.outcomes.claims import (
    GUARANTEED_FEE,
    Claimed,
    FundShare,
    Maximum,
    claim_lines,
    fund_shares,
    milestone_referrals,
    outcome_of,
    within_maxima,
)
from stars.finance import engine_bridge
from stars.finance.models import EXACT, FUND_EXACT, ClaimFund, ClaimLine, ClaimStatus, OutcomeClaim
from stars.notifications.services import notify
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current, users_with_role
from stars.referrals.models import Referral

_STEP = Decimal(1).scaleb(-EXACT["decimal_places"])
_FUND_STEP = Decimal(1).scaleb(-FUND_EXACT["decimal_places"])


class ClaimError(RuleError):
    """A claim step that the rules refuse, with a message for the page."""


def _check_exact(amount: Decimal) -> Decimal:
    if amount != amount.quantize(_STEP):
        raise ClaimError(None, f"The amount {amount} has more decimals than a claim line keeps")
    return amount


def _maxima(contract: Contract, council: Council, claim: OutcomeClaim) -> list[Maximum]:
    """The maxima the claim comes under: the contract's maximum outcome payment (every
    council's claims) and the council's own, if it has one, each with what every other
    claim under it pays. Guaranteed-funding fees are not outcome payments: they do not
    count."""
    others = ClaimLine.objects.exclude(claim=claim).exclude(component=GUARANTEED_FEE)
    out = []
    if contract.maximum_outcome_payment is not None:
        everyone = sum(others.values_list("amount", flat=True), Decimal(0))
        what = "the contract's maximum outcome payment"
        out.append(Maximum(contract.maximum_outcome_payment, everyone, what))
    try:
        own = contract.local_authority(council.code).maximum_outcome_payment
    except KeyError:
        own = None
    if own is not None:
        mine = others.filter(claim__council=council).values_list("amount", flat=True)
        out.append(Maximum(own, sum(mine, Decimal(0)), f"{council.name}'s maximum"))
    return out


def _fund_shares(contract: Contract, claim: OutcomeClaim, outcome: Decimal) -> list[FundShare]:
    """Each outcome fund's part of the claim, after what it met of every other claim and
    their outcome payments (its running share is taken to the penny)."""
    paid: dict[str, Decimal] = {}
    for name, amount in ClaimFund.objects.exclude(claim=claim).values_list("name", "amount"):
        paid[name] = paid.get(name, Decimal(0)) + amount
    others = ClaimLine.objects.exclude(claim=claim).exclude(component=GUARANTEED_FEE)
    before = sum(others.values_list("amount", flat=True), Decimal(0))
    shares = list(fund_shares(contract.funds, outcome, paid, before))
    for f in shares:
        if f.share != f.share.quantize(Decimal("0.000001")) or f.amount != f.amount.quantize(
            _FUND_STEP
        ):
            raise ClaimError(None, f"The share of {f.name} has more decimals than a claim keeps")
    return shares


def _claimed_before(council: Council, month: dt.date) -> dict[str, Claimed]:
    """What earlier claims of the council hold, per referral (summed exactly in Python)."""
    out: dict[str, Claimed] = {}
    rows = ClaimLine.objects.filter(claim__council=council, claim__month__lt=month).values_list(
        "referral__referral_id", "component", "payable_weeks", "amount", "kind"
    )
    for rid, component, weeks, amount, kind in rows.iterator():
        out[rid] = out.get(rid, Claimed()).add(component, weeks, amount, kind)
    return out


@transaction.atomic
def claim_prepare(
    *,
    council: Council,
    month: dt.date,
    by: Any,
    today: dt.date | None = None,
    at: dt.datetime | None = None,
) -> OutcomeClaim:
    """Prepare (or refresh) the council's claim for ``month`` from the engine.

    Refused when the month has not ended, when an earlier claim is not yet approved, or
    when this claim has been submitted or approved (an approved claim is never rewritten).
    Outcome payments that would pass the contract's maximum outcome payment or the
    council's are held back (``within_maxima``); fees are claimed in full. The outcome
    funds' parts are worked out here on what is paid, claims taken in the order they are
    prepared.

    ``at``: when it is prepared (now, unless a past step is recorded as it happened, as the
    demo's programme does); the claim, its lines and their history carry that time.
    """
    at = at or timezone.now()
    month = month_start(month)
    after = next_month(month)
    today = today or timezone.localdate(at)
    if after > today:
        raise ClaimError("month", f"{month_label(month)} has not ended yet")
    open_earlier = (
        OutcomeClaim.objects.filter(council=council, month__lt=month)
        .exclude(status=ClaimStatus.APPROVED)
        .order_by("month")
        .first()
    )
    if open_earlier is not None:
        raise ClaimError(
            "month",
            f"The claim for {month_label(open_earlier.month)} is "
            f"{open_earlier.get_status_display().lower()}: it must be approved before a "
            "later month is claimed",
        )
    claim, created = OutcomeClaim.objects.select_for_update().get_or_create(
        council=council, month=month
    )
    if created:  # its history starts when it is first prepared
        claim.history.update(history_date=at)
    if claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED):
        raise ClaimError(
            None,
            f"The claim for {month_label(month)} is {claim.get_status_display().lower()}; "
            "it cannot be prepared again",
        )
    contract = contract_current()
    start, end = engine_bridge.payments_between(
        contract, council=council.code, start=month, end=after
    )
    claimed = _claimed_before(council, month)
    milestones = engine_bridge.dated_outcome_payments(
        contract,
        council=council.code,
        referral_ids=milestone_referrals(start, end, claimed),
        as_of=after,
    )
    specs = claim_lines(month=month, start=start, end=end, claimed=claimed, milestones=milestones)
    specs = within_maxima(specs, claimed, _maxima(contract, council, claim))
    referrals = {  # ids are unique within the programme worked in
        r.referral_id: r
        for r in Referral.objects.filter(referral_id__in={s.referral_id for s in specs})
    }
    claim.lines.all().delete()
    bulk_create_with_history(
        [
            ClaimLine(
                claim=claim,
                referral=referrals[s.referral_id],
                kind=s.kind,
                component=s.component,
                payable_weeks=s.payable_weeks,
                rate=_check_exact(s.rate),
                amount=_check_exact(s.amount),
                rule=s.rule,
            )
            for s in specs
        ],
        ClaimLine,
        default_date=at,
    )
    # replaced, never updated in place: funds have no history, so their row count and last
    # id are their version, which the cached claim totals are keyed by (CLAIM_PARTS)
    claim.funds.all().delete()
    ClaimFund.objects.bulk_create(
        ClaimFund(claim=claim, name=f.name, share=f.share, cap=f.cap, amount=f.amount)
        for f in _fund_shares(contract, claim, outcome_of(specs))
    )
    claim.status = ClaimStatus.DRAFT
    claim.contract_name = contract.name
    claim.lcf_share = contract.lcf_share
    claim.prepared_by = by if getattr(by, "pk", None) else None
    claim.prepared_at = at
    claim.submitted_by = claim.approved_by = None
    claim.submitted_at = claim.approved_at = None
    _save_at(claim, at)
    return claim


@transaction.atomic
def claim_submit(*, claim: OutcomeClaim, by: Any, at: dt.datetime | None = None) -> OutcomeClaim:
    """Send a draft claim to the council for review (``at``: when, now unless given)."""
    at = at or timezone.now()
    claim = OutcomeClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.DRAFT:
        raise ClaimError(
            None,
            "Only a draft claim can be submitted; this one is "
            f"{claim.get_status_display().lower()}",
        )
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_by = by
    claim.submitted_at = at
    _save_at(claim, at)
    _tell(
        "claim_submitted",
        claim,
        users_with_role(Role.COMMISSIONER, claim.council),
        "submitted for your approval",
    )
    return claim


def _save_at(record: OutcomeClaim | ClaimLine, at: dt.datetime) -> None:
    """Save a claim or line with its change history dated ``at``, the step's time."""
    record._history_date = at  # type: ignore[union-attr]
    record.save()


def _tell(event: str, claim: OutcomeClaim, users: Any, what: str, body: str = "") -> None:
    """Tell the users concerned about a claim's step (notifications, by their choices)."""
    notify(
        event,
        users=users,
        title=f"Claim for {claim.council.name}, {month_label(claim.month)}: {what} "
        f"({claim.reference})",
        body=body,
        url=reverse("claim_detail", args=[claim.council.code, claim.month_key]),
    )


def _check_commissioner(claim: OutcomeClaim, by: Any, page: str) -> None:
    if not may_act_for(by, page, claim.council.code):
        raise ClaimError(None, "Only a commissioner of the council can review its claims")


@transaction.atomic
def claim_approve(
    *,
    claim: OutcomeClaim,
    by: Any,
    prepared_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> OutcomeClaim:
    """The council's commissioner approves a submitted claim; it is locked from then on.

    ``prepared_at``: when the claim the commissioner saw was prepared; if it has been
    prepared again since, its figures may differ from those seen, and it is refused.
    ``at``: when it is approved, now unless given."""
    at = at or timezone.now()
    _check_commissioner(claim, by, "claim_approve")
    claim = OutcomeClaim.objects.select_for_update().get(pk=claim.pk)
    if prepared_at is not None and claim.prepared_at != prepared_at:
        raise ClaimError(
            None,
            "The claim was prepared again after you opened it: check its figures on the "
            "claim's page, then approve it",
        )
    if claim.status != ClaimStatus.SUBMITTED:
        raise ClaimError(
            None,
            f"Only a submitted claim can be approved; this one is "
            f"{claim.get_status_display().lower()}",
        )
    if claim.lines.filter(disputed=True).exists():
        raise ClaimError(None, "A claim with disputed lines cannot be approved")
    claim.status = ClaimStatus.APPROVED
    claim.approved_by = by
    claim.approved_at = at
    _save_at(claim, at)
    _tell("claim_approved", claim, users_with_role(Role.PROVIDER_MANAGER), "approved")
    return claim


@transaction.atomic
def claim_dispute_line(
    *, line: ClaimLine, by: Any, reason: str, at: dt.datetime | None = None
) -> ClaimLine:
    """The commissioner disputes one line of a submitted claim, saying why (``at``: when,
    now unless given).

    The claim becomes disputed; the provider prepares it again (from corrected records)
    and resubmits it.
    """
    at = at or timezone.now()
    claim = OutcomeClaim.objects.select_for_update().get(pk=line.claim_id)
    _check_commissioner(claim, by, "claim_dispute")
    reason = reason.strip()
    if not reason:
        raise ClaimError("reason", "Say why the line is disputed")
    if claim.status not in (ClaimStatus.SUBMITTED, ClaimStatus.DISPUTED):
        raise ClaimError(
            None,
            f"Only a submitted claim can be disputed; this one is "
            f"{claim.get_status_display().lower()}",
        )
    line = ClaimLine.objects.get(pk=line.pk)
    line.disputed = True
    line.dispute_reason = reason
    line.disputed_by = by
    line.disputed_at = at
    _save_at(line, at)
    claim.status = ClaimStatus.DISPUTED
    _save_at(claim, at)
    _tell(
        "claim_disputed",
        claim,
        users_with_role(Role.PROVIDER_MANAGER),
        f"line for {line.referral.referral_id} disputed",
        reason,
    )
    return line
