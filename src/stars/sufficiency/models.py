"""A council's SSDA903 returns, kept as the files DfE's layout gives (one header and one
episodes file per collection year). The dashboard's figures are computed from them by
``stars.domain.sufficiency.figures``; keeping the files keeps nothing lost and every figure
traceable to the rows behind it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from stars.partnership.models import Council


class ReturnKind(models.TextChoices):
    HEADER = "header", "Header"
    EPISODES = "episodes", "Episodes"


class SufficiencyReturn(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="returns")
    collection_year = models.PositiveIntegerField(help_text="the year ending 31 March")
    kind = models.CharField(max_length=16, choices=ReturnKind.choices)
    file_name = models.CharField(max_length=300)
    text = models.TextField()
    # the rows as parsed and checked at import (``stored_rows``): the pages read these, a
    # column at a time, and never parse the text again
    frame = models.BinaryField()
    rows = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["text", "frame"])

    class Meta:
        ordering = ["council", "collection_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "collection_year", "kind"], name="one_return_file_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.council_id} {self.collection_year} {self.kind}"


class ChildLink(models.Model):
    """A referral linked to the council's own identifier of the child (SSDA903 CHILD), so
    that claimed weeks can be checked against where the child lived. Only the council's
    users see it."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="council_link"
    )
    council_child_id = models.CharField(max_length=40)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.referral_id} -> {self.council_child_id}"
