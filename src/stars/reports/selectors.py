"""Reads for the board report card's data-quality checks, narrowed to the user's councils.

The checks count records (they show no row), so a council user's scope narrows them to
their councils and programme-wide roles count the whole programme."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from stars.core.permissions import Scope
from stars.domain.calendar import Quarter
from stars.finance.models import ClaimStatus, OutcomeClaim
from stars.referrals.models import Enquiry, Referral


@dataclass(frozen=True)
class QuarterRecords:
    referrals: QuerySet[Referral]  # accepted by the quarter's end
    enquiries: QuerySet[Enquiry]  # received by the quarter's end
    approved_claims: QuerySet[OutcomeClaim]  # approved, for months up to the quarter's end


def quarter_records(*, scope: Scope | None, quarter: Quarter) -> QuarterRecords:
    """The records of the councils in ``scope`` (None: every council) as of ``quarter``."""
    refs = Referral.objects.filter(referral_date__lte=quarter.end)
    enquiries = Enquiry.objects.filter(enquiry_date__lte=quarter.end)
    claims = OutcomeClaim.objects.filter(
        status=ClaimStatus.APPROVED, month__lt=quarter.next().start
    )
    if scope is not None:
        refs = scope.within_councils(refs)
        enquiries = scope.within_councils(enquiries)
        claims = scope.within_councils(claims)
    return QuarterRecords(refs, enquiries, claims)
