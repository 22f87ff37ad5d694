"""Writes of the partnership: load a contract, create users."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from stars.core.errors import RuleError
from stars.core.roles import COUNCIL_ROLES, Role
from stars.domain.contract.parsing import parse_contract
from stars.domain.contract.terms import Contract as ContractTerms
from stars.partnership.models import Contract, Council, User


@transaction.atomic
def contract_load(*, text: str, source: str) -> ContractTerms:
    """Make these terms the active contract and make sure its councils exist.

    Raises ``ContractError`` (naming file and key) before anything is written.
    """
    terms = parse_contract(text, source)
    Contract.objects.filter(active=True).exclude(terms=text).update(active=False)
    row = Contract.objects.filter(active=True).first()
    if row is None:
        Contract.objects.create(name=terms.name, source=source, terms=text, active=True)
    for la in terms.local_authorities:
        Council.objects.update_or_create(code=la.code, defaults={"name": la.name})
    return terms


def contract_load_file(*, path: Path) -> ContractTerms:
    return contract_load(text=path.read_text(encoding="utf-8"), source=str(path))


class UserError(RuleError):
    """A user cannot be created as asked (unknown role or council, name taken)."""


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    council: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    if role not in Role.values:
        raise UserError(None, f"unknown role {role!r}; expected one of {', '.join(Role.values)}")
    council_obj = None
    if council:
        council_obj = Council.objects.filter(code=council.lower()).first()
        if council_obj is None:
            codes = ", ".join(Council.objects.values_list("code", flat=True)) or "none loaded"
            raise UserError(None, f"unknown council {council!r}; expected one of: {codes}")
    if role in COUNCIL_ROLES and council_obj is None:
        raise UserError(None, f"the {role} role needs --council")
    if User.objects.filter(username=username).exists():
        raise UserError(None, f"a user called {username!r} already exists")
    user = User(
        username=username,
        role=role,
        council=council_obj,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user
