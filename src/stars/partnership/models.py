"""Councils, the outcomes contract and the people who use the system."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from stars.core.history import History
from stars.core.roles import Role


class Council(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """An outcomes contract's terms, kept as the TOML text they were loaded from."""

    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500, help_text="file the terms were loaded from")
    terms = models.TextField(help_text="the contract TOML (tracker-format.md)")
    active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_contract"
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.KEY_WORKER)
    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    history = History(excluded_fields=["last_login", "password"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["spoc", "commissioner"])
                | models.Q(council__isnull=False),
                name="council_roles_have_a_council",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
