"""Reads of the partnership: the programmes, the contract in force in the programme worked
in, the councils a user may see."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.models import QuerySet

from stars.core.permissions import scope_of
from stars.core.programmes import ProgrammeChoice, programme_active
from stars.core.roles import Role
from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import Contract as ContractTerms
from stars.partnership.models import Contract, Council, Programme, User


class NoContract(LookupError):
    """No contract has been loaded yet."""


@lru_cache(maxsize=8)
def _parse(text: str, source: str) -> ContractTerms:
    return parse_contract(text, source, stored=True)


class ProgrammeUnknown(LookupError):
    """No programme has that code, or several programmes and none was named."""


# What a command says when the service holds no programme, and so no council, yet.
NO_PROGRAMME = "the service holds none yet; load one with `stars import-tracker` (or `stars demo`)"


def programme_codes() -> list[str]:
    return list(Programme.objects.order_by("code").values_list("code", flat=True))


def programmes_all() -> list[ProgrammeChoice]:
    """Every programme of the service, by code (what a job for all of them works through)."""
    return [p.choice() for p in Programme.objects.order_by("code")]


def programme_choose(code: str | None) -> ProgrammeChoice | None:
    """The programme a command works in: the one named (case-insensitive), else the
    service's only one (None when it holds none yet). ``ProgrammeUnknown`` lists the codes
    when the code is unknown, or when the service holds several and none was named."""
    codes = programme_codes()
    if code is None:
        if len(codes) > 1:
            raise ProgrammeUnknown(
                f"the service holds several programmes: name one with --programme "
                f"(one of: {', '.join(codes)})"
            )
        if not codes:
            return None
        code = codes[0]
    row = Programme.objects.filter(code__iexact=code.strip()).first()
    if row is None:
        if not codes:
            raise ProgrammeUnknown(f"--programme {code!r}: no such programme: {NO_PROGRAMME}")
        known = ", ".join(codes)
        raise ProgrammeUnknown(f"--programme {code!r}: no such programme (one of: {known})")
    return row.choice()


def programme_parties(programme_id: int | None) -> dict[str, Any]:
    """A programme's provider and investors as its record holds them (filled from the
    contract's ``[programme] provider`` and ``investor`` on import)."""
    row = Programme.objects.filter(pk=programme_id).values("provider", "investors").first()
    return row or {"provider": "", "investors": []}


def contract_current() -> ContractTerms:
    """The terms of the active contract of the programme worked in (parsed once per
    version of its text)."""
    row = contract_row()
    return _parse(row.terms, row.source)


def contract_row() -> Contract:
    """The active contract of the programme worked in, as stored (``NoContract`` when none
    is loaded, or when several programmes hold one and none is worked in)."""
    qs = Contract.objects.filter(active=True)
    active = programme_active()
    if active is not None:
        qs = qs.filter(programme_id=active.id)
    rows = list(qs[:2])
    if not rows:
        raise NoContract("no contract is loaded: run `stars demo` or `stars import-tracker`")
    if len(rows) > 1:
        raise NoContract(
            "the service holds several programmes: name one "
            f"(one of: {', '.join(programme_codes())})"
        )
    return rows[0]


def contract_or_none() -> ContractTerms | None:
    try:
        return contract_current()
    except NoContract:
        return None


def councils_in_scope(user: Any) -> QuerySet[Council]:
    """The councils whose records the user works with (all of them for programme-wide
    roles), by name."""
    return programme_councils(
        scope_of(user).within_councils(Council.objects.order_by("name"), "code")
    )


def council_named(code: str, qs: QuerySet[Council] | None = None) -> Council | None:
    """The council a typed code names, in any case: codes are case-insensitive on input
    (docs/tracker-format.md), while a contract may spell one with capitals (``NorthBay``),
    which the council keeps. A council spelt exactly so comes first."""
    code = code.strip()
    found = list((Council.objects.all() if qs is None else qs).filter(code__iexact=code))
    return next((c for c in found if c.code == code), found[0] if found else None)


def programme_councils(qs: QuerySet[Council]) -> QuerySet[Council]:
    """Councils of the programme worked in (every council when not narrowed to one)."""
    active = programme_active()
    return qs if active is None else qs.filter(programmes=active.id)


def _programme_users(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Users who work in the programme worked in (every user when not narrowed to one)."""
    active = programme_active()
    return qs if active is None else qs.filter(programmes=active.id)


def key_workers() -> QuerySet[Any]:
    """Active key workers of the programme worked in, by name: whom a case can be
    allocated to."""
    return _programme_users(User.objects.filter(role=Role.KEY_WORKER, is_active=True)).order_by(
        "first_name", "last_name", "username"
    )


def key_worker_choices() -> list[tuple[str, str]]:
    """(id, name) of each active key worker, for a select."""
    return [(str(u.pk), u.get_full_name() or u.username) for u in key_workers()]


def users_with_role(role: str, council: Any = None) -> QuerySet[Any]:
    """Active users of a role who work in the programme worked in (of one council, if
    given): whom an event concerns."""
    qs = _programme_users(User.objects.filter(role=role, is_active=True))
    if council is not None:
        qs = qs.filter(council=council)
    return qs
