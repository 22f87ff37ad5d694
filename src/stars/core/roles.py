"""The roles of STARS users. What each role may open, and which records it sees there, is
the role policy (``access-policy.toml`` beside this file, read by ``stars.core.permissions``)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SPOC = "spoc", "Council single point of contact"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER_MANAGER = "provider_manager", "Provider manager"
    KEY_WORKER = "key_worker", "Key worker"
    INVESTOR = "investor", "Investor"
    EVALUATOR = "evaluator", "Evaluator"
    ADMIN = "admin", "Administrator"


COUNCIL_ROLES = frozenset({Role.SPOC, Role.COMMISSIONER})  # these users belong to a council
