"""Disposals under the retention schedule: requested by one administrator, approved (and
carried out) by another; each is its own certificate (what, how many, when, who approved)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stars.domain.governance.retention import KINDS


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting a second administrator's approval"
    CARRIED_OUT = "carried_out", "Approved and carried out"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Disposal(models.Model):
    kind = models.CharField(max_length=32, choices=list(KINDS.items()))
    programme = models.ForeignKey(
        "partnership.Programme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the programme whose records these are (none: a service without programmes)",
    )
    programme_name = models.CharField(max_length=200, blank=True, help_text="its name, as it was")
    as_of = models.DateField(help_text="the day of the retention review the request came from")
    rule = models.CharField(max_length=300, help_text="the schedule's rule, as it was")
    keys = models.JSONField(default=list, help_text="the records to dispose of, by their ids")
    count = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    removed = models.JSONField(default=dict, blank=True, help_text="what was removed: counts")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind"],
                condition=models.Q(status="requested"),
                name="one_request_per_programme_and_kind_awaiting_approval",
            )
        ]

    def __str__(self) -> str:
        return f"disposal {self.pk}: {self.count} {self.kind}"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


class DisposedRecord(models.Model):
    """A record disposed of (anonymised, its personal data gone): never due again."""

    disposal = models.ForeignKey(Disposal, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(max_length=32)
    object_pk = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_pk"], name="disposed_once")]


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "UK GDPR 6(1)(e) public task; 9(2)(h) health or social care"
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR 6(1)(c) legal obligation"
    CONTRACT = "contract", "UK GDPR 6(1)(b) contract"
    LEGITIMATE_INTERESTS = "legitimate_interests", "UK GDPR 6(1)(f) legitimate interests"
    CONSENT = "consent", "UK GDPR 6(1)(a) consent"


class DataSharingAgreement(models.Model):
    """An agreement under which a council's data is held: the register of processing."""

    council = models.ForeignKey(
        "partnership.Council", on_delete=models.PROTECT, related_name="agreements"
    )
    title = models.CharField(max_length=200)
    parties = models.TextField(help_text="the organisations party to it, one a line")
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices)
    purpose = models.TextField()
    start = models.DateField()
    review = models.DateField()
    end = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["council__name", "-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start"))
                & models.Q(review__gte=models.F("start"))
                & models.Q(review__lte=models.F("end")),
                name="agreement_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title
