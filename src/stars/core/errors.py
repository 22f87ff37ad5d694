"""The one error a service raises when a rule refuses a step.

Every app's service error (``PipelineError``, ``CaseError``, ``ClaimError``, ``UserError``)
is a :class:`RuleError`: a message for the person, and the form field to correct when there
is one. Pages put it on that field with ``stars.core.forms.run_step``; the API answers 422
with both; the CLI prints the message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone


class RuleError(ValueError):
    """A rule refuses the step; ``field`` names the form field to correct (None: the step
    as a whole) and ``message`` says what is wrong, as a sentence ("Select the phase"), or
    as a predicate about ``field`` ("must be today or in the past") that a form puts the
    field's name before. Nothing has been written.

    ``problems`` lists every (field, message) found when the rules check several at once
    (an enquiry's), the first being ``field`` and ``message``."""

    def __init__(
        self,
        field: str | None,
        message: str,
        problems: Sequence[tuple[str | None, str]] = (),
    ) -> None:
        self.field = field
        self.message = message
        self.problems = list(problems) or [(field, message)]
        super().__init__(f"{field}: {message}" if field else message)


def check_happened(on: dt.date, field: str, error: type[RuleError] = RuleError) -> None:
    """What is recorded has happened: a date after today (the service's own day) is refused
    on ``field``, as ``error`` (the app's own :class:`RuleError`)."""
    if on > timezone.localdate():
        raise error(field, "must be today or in the past")


class MigrationRefused(Exception):
    """A migration cannot be applied to the data as it is; the message (one line) names the
    records in the way and how to clean them. Nothing has been changed (the migration's
    transaction is undone); the command stops with the message."""
