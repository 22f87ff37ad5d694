"""Programmes, councils, the outcomes contracts and the people who use the system."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from stars.core.history import History
from stars.core.programmes import ProgrammeChoice, programme_active
from stars.core.roles import Role


class Council(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            # codes are case-insensitive on input: two councils may not differ only in case
            models.UniqueConstraint(Lower("code"), name="council_code_unique_any_case"),
        ]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """One outcomes programme: its contract, councils, cohorts (in the contract), provider
    and investors. The service holds several; every enquiry, referral and claim belongs to
    one, and ids are unique within a programme."""

    code = models.SlugField(max_length=40, unique=True, help_text="[programme] code")
    name = models.CharField(max_length=200)
    local_authorities = models.ManyToManyField(Council, related_name="programmes", blank=True)
    provider = models.CharField(max_length=200, blank=True)
    investors = models.JSONField(default=list, blank=True, help_text="investors' names")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return self.name

    def choice(self) -> ProgrammeChoice:
        return ProgrammeChoice(self.pk, self.code, self.name)


class SeveralProgrammes(LookupError):
    """A record was made without saying its programme while the service holds several."""


def programme_default() -> int | None:
    """The programme of a new record made without one: the active programme, else the
    service's only programme."""
    active = programme_active()
    if active is not None:
        return active.id
    ids = list(Programme.objects.values_list("pk", flat=True)[:2])
    if len(ids) > 1:
        raise SeveralProgrammes("the service holds several programmes: say which")
    return ids[0] if ids else None


class Contract(models.Model):
    """An outcomes contract's terms, kept as the TOML text they were loaded from."""

    programme = models.ForeignKey(
        Programme, null=True, on_delete=models.PROTECT, related_name="contracts"
    )
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=500, help_text="file the terms were loaded from")
    terms = models.TextField(help_text="the contract TOML (tracker-format.md)")
    active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(active=True),
                name="one_active_contract_per_programme",
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.KEY_WORKER)
    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    programmes = models.ManyToManyField(
        Programme, related_name="users", blank=True, help_text="the programmes they work in"
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

    def programme_options(self) -> list[ProgrammeChoice] | None:
        """The programmes this user works in, by name (None: the service holds none yet).
        In a service with one programme, everyone works in it."""
        mine = [p.choice() for p in self.programmes.order_by("name", "code")]
        if mine:
            return mine
        every = list(Programme.objects.order_by("name", "code")[:2])
        if not every:
            return None
        return [every[0].choice()] if len(every) == 1 else []
