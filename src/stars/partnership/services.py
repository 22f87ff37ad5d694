"""Writes of the partnership: load a contract, create users."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from stars.core.audit import record_access
from stars.core.errors import RuleError
from stars.core.roles import COUNCIL_ROLES, Role
from stars.domain.contract.parsing import ContractError, parse_contract
from stars.domain.contract.terms import Contract as ContractTerms
from stars.partnership.models import Contract, Council, Programme, User
from stars.partnership.selectors import council_named


@transaction.atomic
def contract_load(*, text: str, source: str) -> ContractTerms:
    """Make these terms the active contract of the programme they name (``[programme]
    code``, created if new, its name updated) and make sure its councils exist and belong
    to it. The first programme of a service takes every user already there.

    Councils are shared by every programme and their codes are unique in any case: a
    council the contract names by an existing code (in any case) under the same name is
    that council; under another name, ``ContractError`` refuses the contract.

    Raises ``ContractError`` (naming file and key) before anything is written.
    """
    terms = parse_contract(text, source)
    contract_councils_check(terms, text, source)
    programme = programme_save(terms)
    contracts = Contract.objects.filter(programme=programme, active=True)
    contracts.exclude(terms=text).update(active=False)
    if not contracts.exists():
        Contract.objects.create(
            programme=programme, name=terms.name, source=source, terms=text, active=True
        )
    for la in terms.local_authorities:
        council = council_named(la.code) or Council.objects.create(code=la.code, name=la.name)
        programme.local_authorities.add(council)
    return terms


def contract_councils_check(terms: ContractTerms, text: str, source: str) -> None:
    """Refuse (``ContractError``, at the council's code in ``text``) a contract that gives a
    council already held (its code in any case) another name: councils are shared by every
    programme, so loading it would rename another programme's council. ``contract_load``
    checks it; an import checks it first too, to refuse before reading its other files."""
    for i, la in enumerate(terms.local_authorities):
        held = council_named(la.code)
        if held is None or held.name == la.name:
            continue
        raise ContractError(
            source,
            f"local_authority[{i}].code",
            f"the council {held.code!r} is already held, named {held.name!r}, and this "
            f"contract names it {la.name!r}; councils are shared by every programme, "
            "so give it the same name (or another code)",
        ).located(text)


def programme_save(terms: ContractTerms) -> Programme:
    """The programme a contract names, created or updated as the contract says (its name,
    provider and investor)."""
    first = not Programme.objects.exists()
    # the provider and investor, when the contract names them ([programme] provider,
    # investor); a contract that names none leaves what the record holds
    defaults: dict[str, Any] = {"name": terms.name}
    if terms.provider:
        defaults["provider"] = terms.provider
    if terms.investor:
        defaults["investors"] = [terms.investor]
    programme, _ = Programme.objects.update_or_create(code=terms.programme_code, defaults=defaults)
    if first:
        for user in User.objects.filter(programmes__isnull=True):
            user.programmes.add(programme)
    return programme


def programme_join(*, user: Any, code: str) -> None:
    """``user`` works in the programme ``code`` too (the administrator whose upload made it)."""
    user.programmes.add(Programme.objects.get(code=code))


def contract_load_file(*, path: Path) -> ContractTerms:
    return contract_load(text=path.read_text(encoding="utf-8"), source=str(path))


class UserError(RuleError):
    """A user cannot be created as asked (unknown role or council, name taken)."""


# Councils and programmes come from a programme's contract, loaded with its tracker.
NOTHING_LOADED = (
    "no programme is loaded yet: load the programme's tracker first (signed in as an "
    "administrator, at Upload a tracker, /uploads/tracker/, or with stars import-tracker), "
    "which makes the programme and the councils its contract names, then create the user"
)


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    council: str | None = None,
    programmes: list[str] | None = None,
    first_name: str = "",
    last_name: str = "",
    actor: str = "",
) -> User:
    """A new user. ``actor``: who creates it when no STARS user does (a `stars` command:
    ``stars.core.audit.command_actor``), recorded in the audit with the user's role, council
    and programmes, and as the reason of the user's first history row."""
    if role not in Role.values:
        raise UserError(None, f"unknown role {role!r}; expected one of {', '.join(Role.values)}")
    council_obj = None
    if council and role not in COUNCIL_ROLES:
        # kept, it would be ignored by every page and read in the audit as a council's user
        roles = " and ".join(sorted(COUNCIL_ROLES))
        raise UserError(
            None, f"the {role} role takes no --council (only {roles} users belong to a council)"
        )
    if council:
        council_obj = council_named(council)
        if council_obj is None:
            codes = ", ".join(Council.objects.values_list("code", flat=True))
            if not codes:
                raise UserError(None, f"unknown council {council!r}: {NOTHING_LOADED}")
            raise UserError(None, f"unknown council {council!r}; expected one of: {codes}")
    if programmes:
        chosen = list(Programme.objects.filter(code__in=[p.lower() for p in programmes]))
        missing = sorted({p.lower() for p in programmes} - {p.code for p in chosen})
        if missing:
            codes = ", ".join(Programme.objects.values_list("code", flat=True))
            if not codes:
                raise UserError(None, f"unknown programme {missing[0]!r}: {NOTHING_LOADED}")
            raise UserError(None, f"unknown programme {missing[0]!r}; expected one of: {codes}")
    else:  # the service's only programme (none yet: they join the first one loaded)
        chosen = list(Programme.objects.all()[:2])
        if len(chosen) > 1:
            codes = ", ".join(Programme.objects.values_list("code", flat=True))
            raise UserError(None, f"say which programmes with --programme (one of: {codes})")
    if council_obj is not None and chosen:
        outside = [
            p.code for p in chosen if not p.local_authorities.filter(pk=council_obj.pk).exists()
        ]
        if outside:
            raise UserError(
                None, f"the council {council_obj.code!r} is not in the programme {outside[0]!r}"
            )
    if role in COUNCIL_ROLES and council_obj is None:
        raise UserError(None, f"the {role} role needs --council")
    taken = User.objects.filter(username__iexact=username).values_list("username", flat=True)
    if taken:
        # told apart by case alone, "Admin" and "admin" would read as one person in the
        # audit and the access review
        same = "" if taken[0] == username else " (user names differing in case only are one)"
        raise UserError("username", f"a user called {taken[0]!r} already exists{same}")
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
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise UserError(field, " ".join(messages)) from exc
    if actor:
        user._change_reason = f"created by {actor}"  # type: ignore[attr-defined]
    user.save()
    user.programmes.set(chosen)
    if actor:
        where = f", council {council_obj.code}" if council_obj else ""
        within = ", ".join(p.code for p in chosen) or "none yet"
        record_access(
            user=None,
            actor=actor,
            action="create",
            object_type="user",
            object_id=str(user.pk),
            detail=f"{username}: role {role}{where}, programmes {within}",
        )
    return user
