"""What happens on a case: the periods its outcome (placement or home) was sustained."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from stars.referrals.models import Referral


class OutcomePeriod(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="periods")
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="exclusive; blank while it continues"
    )
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral_id", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="period_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.start_date} to {self.end_date or 'now'}"
