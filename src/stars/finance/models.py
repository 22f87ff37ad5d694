"""Outcome claims: what a council is asked to pay for a month, line by line.

An approved claim is locked: later corrections to the records never rewrite it; they come
through as adjustment lines on the next claim (``stars.domain.outcomes.claims``). Amounts are
whole pence, what the engine's running figures add to the penny (docs/decisions/0017); the
columns keep six decimal places, as claims prepared before that did.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stars.core.programmes import ProgrammeManager
from stars.domain.outcomes.claims import paid_weekly, weeks_shown
from stars.domain.references import claim_reference
from stars.partnership.models import Council, Programme, programme_default
from stars.referrals.models import Referral

EXACT = {"max_digits": 20, "decimal_places": 6}


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the council"
    APPROVED = "approved", "Approved"
    DISPUTED = "disputed", "Disputed"


class LineKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome payment"
    GUARANTEED_FEE = "guaranteed_fee", "Guaranteed-funding fee"
    ADJUSTMENT = "adjustment", "Adjustment"
    MILESTONE = "milestone", "Milestone payment"
    OVER_MAXIMUM = "over_maximum", "Over the maximum outcome payment"


class Component(models.TextChoices):
    OUTCOME = "outcome", "Outcome payment"
    GUARANTEED_FEE = "guaranteed_fee", "Guaranteed-funding fee"


class OutcomeClaim(models.Model):
    programme = models.ForeignKey(
        Programme,
        null=True,
        default=programme_default,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="claims")
    month = models.DateField(help_text="first day of the month claimed for")
    status = models.CharField(max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    contract_name = models.CharField(max_length=200, blank=True)
    lcf_share = models.DecimalField(max_digits=8, decimal_places=6, default=0)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()
    objects = ProgrammeManager()

    class Meta:
        ordering = ["-month", "council__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "council", "month"],
                name="one_claim_per_programme_council_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.council_id} {self.month:%Y-%m}"

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def reference(self) -> str:
        """How the claim is named to users (docs/identifiers.md): CLAIM-DERBY-2024-10."""
        return claim_reference(self.council.code, self.month)

    @property
    def locked(self) -> bool:
        return self.status == ClaimStatus.APPROVED


FUND_EXACT = {"max_digits": 32, "decimal_places": 12}  # a share (6 places) × an amount (6)


class ClaimPartManager(ProgrammeManager):
    path = "claim__programme_id"  # a claim's lines and funds belong to its programme


class ClaimFund(models.Model):
    """What one outcome fund meets of a claim's outcome payments (its share, until its cap
    over all claims, in the order claims were prepared), worked out when it is prepared."""

    claim = models.ForeignKey(OutcomeClaim, on_delete=models.CASCADE, related_name="funds")
    name = models.CharField(max_length=200)
    share = models.DecimalField(max_digits=8, decimal_places=6)
    cap = models.DecimalField(**EXACT, null=True, blank=True)
    amount = models.DecimalField(**FUND_EXACT)
    objects = ClaimPartManager()

    class Meta:
        ordering = ["claim_id", "id"]

    def __str__(self) -> str:
        return f"{self.claim} {self.name}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(OutcomeClaim, on_delete=models.CASCADE, related_name="lines")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="claim_lines")
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    component = models.CharField(max_length=16, choices=Component.choices)
    payable_weeks = models.IntegerField(default=0)
    rate = models.DecimalField(**EXACT, default=0)
    amount = models.DecimalField(**EXACT)
    rule = models.TextField()
    disputed = models.BooleanField(default=False)
    dispute_reason = models.TextField(blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    disputed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()
    objects = ClaimPartManager()

    class Meta:
        ordering = ["claim_id", "id"]
        indexes = [models.Index(fields=["referral", "component"])]

    def __str__(self) -> str:
        return f"{self.claim} {self.referral_id} {self.kind}"

    @property
    def weekly(self) -> bool:
        """Paid by the week: its payable weeks and weekly rate mean something."""
        return paid_weekly(self.kind, self.component, self.rate)

    @property
    def weeks_shown(self) -> int | str:
        """Its payable weeks as pages and documents show them ("Not weekly" for a fee)."""
        return weeks_shown(self.kind, self.component, self.rate, self.payable_weeks)

    @property
    def rate_shown(self) -> Decimal | None:
        """Its weekly rate as pages and documents show it: none (a blank cell, never 0.00)
        for a line not paid by the week."""
        return self.rate if self.weekly else None
