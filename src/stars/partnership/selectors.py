"""Reads of the partnership: the contract in force, the councils a user may see."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import QuerySet

from stars.core.permissions import scope_of
from stars.core.roles import Role
from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import Contract as ContractTerms
from stars.partnership.models import Contract, Council, User


class NoContract(LookupError):
    """No contract has been loaded yet."""


@lru_cache(maxsize=8)
def _parse(text: str, source: str) -> ContractTerms:
    return parse_contract(text, source)


def contract_current() -> ContractTerms:
    """The terms of the active contract (parsed once per version of its text)."""
    row = Contract.objects.filter(active=True).only("terms", "source").first()
    if row is None:
        raise NoContract("no contract is loaded: run `stars demo` or `stars import-tracker`")
    return _parse(row.terms, row.source)


def contract_or_none() -> ContractTerms | None:
    try:
        return contract_current()
    except NoContract:
        return None


def councils_in_scope(user: Any) -> QuerySet[Council]:
    """The councils whose records the user works with (all of them for programme-wide
    roles), by name."""
    return scope_of(user).within_councils(Council.objects.order_by("name"), "code")


def key_workers() -> QuerySet[Any]:
    """Active key workers, by name: whom a case can be allocated to."""
    return User.objects.filter(role=Role.KEY_WORKER, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def key_worker_choices() -> list[tuple[str, str]]:
    """(id, name) of each active key worker, for a select."""
    return [(str(u.pk), u.get_full_name() or u.username) for u in key_workers()]


def users_with_role(role: str, council: Any = None) -> QuerySet[Any]:
    """Active users of a role (of one council, if given): whom an event concerns."""
    qs = User.objects.filter(role=role, is_active=True)
    if council is not None:
        qs = qs.filter(council=council)
    return qs
