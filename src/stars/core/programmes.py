"""The programme a request or command works in: the service holds several programmes and
every enquiry, referral and claim belongs to one.

Which programme a user works in is decided with their scope, in ``stars.core.permissions``
(``programme_enter``); this module only holds the choice for the duration of a request or
command, and the manager that narrows every query of programme records to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class ProgrammeChoice:
    """One programme a user may work in (the header's switcher lists them)."""

    id: int
    code: str
    name: str


# No programme of the service: a user who belongs to none sees no records at all.
NO_PROGRAMME = ProgrammeChoice(0, "", "")
SESSION_KEY = "stars_programme"
_active: ContextVar[ProgrammeChoice | None] = ContextVar("stars_programme", default=None)


def programme_active() -> ProgrammeChoice | None:
    """The programme the current request or command works in (None: not narrowed)."""
    return _active.get()


@contextmanager
def programme_use(choice: ProgrammeChoice | None) -> Iterator[ProgrammeChoice | None]:
    """Work inside one programme for the duration of the block."""
    token = _active.set(choice)
    try:
        yield choice
    finally:
        _active.reset(token)


def programme_set(choice: ProgrammeChoice | None) -> None:
    """Work inside one programme until the request ends (the API's operations, which check
    the user inside the operation; :func:`programme_middleware` clears it around each
    request)."""
    _active.set(choice)


def programme_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """No request starts, or leaves its thread, inside a programme."""

    def middleware(request: HttpRequest) -> Any:
        with programme_use(None):
            return get_response(request)

    return middleware


class ProgrammeManager(models.Manager[Any]):
    """The default manager of a model whose records belong to a programme (a
    ``programme`` foreign key; a subclass names another ``path`` to one): its queries see
    the active programme's records only."""

    path = "programme_id"

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        choice = _active.get()
        return qs if choice is None else qs.filter(**{self.path: choice.id})
