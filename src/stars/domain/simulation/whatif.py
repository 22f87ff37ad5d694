"""What-ifs: the contract's terms or the fitted assumptions changed by ``key=value`` settings.

A setting names what it changes by its place in the contract file or the assumptions:

- ``cohort.<code>.<field>=value``: any term of a cohort (``weekly_outcome_payment``,
  ``proving_weeks``, ``weekly_saving``, ``payment_design``, ``minimum_referrals``...);
  a term that is a list of named items (a milestone design's milestones) continues with the
  item's name: ``cohort.<code>.<list>.<name>.<field>=value``;
- ``local_authority.<code>.minimum_referrals=value``;
- ``programme.<field>=value`` (``lcf_share``, ``shortfall_penalty_per_referral``,
  ``programme_weeks``, ``referral_period_end``...), ``guaranteed_funding.<field>=value``;
- ``referral_rate=x`` and ``closure_rate=x``: multiply the fitted rates (1 = as fitted);
- ``cohort_mix.<code>=share``: that cohort's share of new enquiries (the others keep their
  proportions in the rest).

The simulator prices through the payment seam with the changed contract, so a what-if of a
price, proving weeks, a milestone or the payment design itself needs no code of its own. A
value is read as the type of the term it replaces; anything unknown is refused with the
setting at fault.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from stars.domain.contract.terms import DESIGN_TERMS, PAYMENT_DESIGNS, Contract
from stars.domain.simulation.fit import Assumptions

MULTIPLIERS = ("referral_rate", "closure_rate")


class WhatIfError(ValueError):
    """A setting that cannot be applied, with the setting in the message."""


def _changes(name: str, value: Any) -> dict[str, Any]:
    return {name: value}


def _convert(setting: str, current: Any, text: str) -> Any:
    try:
        if isinstance(current, bool):
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if isinstance(current, int):
            return int(text)
        if isinstance(current, Decimal) or current is None:
            value = Decimal(text)
            if not value.is_finite():
                raise InvalidOperation(text)
            return value
        if isinstance(current, float):
            return float(text)
        if isinstance(current, dt.date):
            return dt.date.fromisoformat(text)
        if isinstance(current, str):
            return text
    except (ValueError, InvalidOperation):
        kind = type(current).__name__ if current is not None else "number"
        raise WhatIfError(f"{setting}: {text!r} is not a valid {kind}") from None
    raise WhatIfError(f"{setting}: this term cannot be set")


def _number(setting: str, name: str, value: Any) -> Any:
    """A number a contract may hold: never negative (a price, weeks, a minimum), and a
    share at most 1, as the contract file is read."""
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        if value < 0:
            raise WhatIfError(f"{setting}: must not be negative, found {value}")
        if name.endswith("share") and value > 1:
            raise WhatIfError(f"{setting}: is a share from 0 to 1, found {value}")
    return value


def _replace(obj: Any, path: list[str], setting: str, text: str) -> Any:
    """``obj`` (a frozen dataclass) with the term at ``path`` set from ``text``."""
    if not path:
        raise WhatIfError(f"{setting}: name a term")
    names = {f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")}
    head, rest = path[0], path[1:]
    if head not in names:
        raise WhatIfError(f"{setting}: no term {head!r} (terms: {', '.join(sorted(names))})")
    current = getattr(obj, head)
    if isinstance(current, tuple) and current and dataclasses.is_dataclass(current[0]):
        if not rest:
            raise WhatIfError(f"{setting}: name one of {head} by its name")
        items = list(current)
        for i, item in enumerate(items):
            if str(getattr(item, "name", getattr(item, "code", ""))) == rest[0]:
                items[i] = _replace(item, rest[1:], setting, text)
                return dataclasses.replace(obj, **_changes(head, tuple(items)))
        raise WhatIfError(f"{setting}: no {head} named {rest[0]!r}")
    if dataclasses.is_dataclass(current) and not isinstance(current, type):
        return dataclasses.replace(obj, **_changes(head, _replace(current, rest, setting, text)))
    if rest:
        raise WhatIfError(f"{setting}: {head} has no parts")
    value = _number(setting, head, _convert(setting, current, text))
    if head == "payment_design" and value not in PAYMENT_DESIGNS:
        raise WhatIfError(
            f"{setting}: unknown payment design {value!r} (designs: {', '.join(PAYMENT_DESIGNS)})"
        )
    return dataclasses.replace(obj, **_changes(head, value))


def _in_list(
    contract: Contract, field: str, code: str, rest: list[str], setting: str, text: str
) -> Contract:
    items = list(getattr(contract, field))
    for i, item in enumerate(items):
        if item.code.lower() == code.lower():
            items[i] = _replace(item, rest, setting, text)
            return dataclasses.replace(contract, **_changes(field, tuple(items)))
    codes = ", ".join(item.code for item in items)
    raise WhatIfError(f"{setting}: the contract has no {field[:-1]} {code!r} ({codes})")


def _check_design_term(contract: Contract, code: str, term: str, setting: str) -> None:
    """Refuse a term of another payment design than the cohort's: set, it would change
    nothing (a milestones cohort's ``proving_weeks``), and the run would not say so."""
    cohort = contract.canonical_cohort(code)
    if cohort is None:
        return  # _in_list names the cohort that is not there
    design = contract.cohort(cohort).payment_design
    for other, terms in DESIGN_TERMS.items():
        if other != design and term in terms and term not in DESIGN_TERMS.get(design, ()):
            raise WhatIfError(
                f"{setting}: cohort {cohort} is paid by {design!r}, which does not use "
                f"{term}, so it would change nothing; to price the cohort by {other!r}, "
                f"set cohort.{cohort}.payment_design={other} before it"
            )


def parse_setting(setting: str) -> tuple[list[str], str]:
    key, sep, value = setting.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise WhatIfError(f"{setting}: expected key=value")
    return key.strip().split("."), value.strip()


def examples(contract: Contract) -> str:
    """Settings that work on this contract, for a form's hint: its own cohorts' codes, and a
    term each cohort's payment design has (a weekly payment, or a milestone's payment)."""
    shown = []
    for c in contract.cohorts[:2]:
        if c.milestones:
            m = c.milestones[-1]
            shown.append(f"cohort.{c.code}.milestones.{m.name}.payment={m.payment * 2:g}")
        else:
            shown.append(
                f"cohort.{c.code}.weekly_outcome_payment={c.weekly_outcome_payment + 50:g}"
            )
    if contract.cohorts and not contract.cohorts[0].milestones:
        shown.append(f"cohort.{contract.cohorts[0].code}.proving_weeks=10")
    shown += ["programme.lcf_share=0.3"] if not contract.outcome_funds else []
    shown += ["referral_rate=1.2", "closure_rate=0.8"]
    if len(contract.cohorts) > 1:
        shown.append(f"cohort_mix.{contract.cohorts[-1].code}=0.5")
    return ", ".join(shown)


def apply(
    contract: Contract, assumptions: Assumptions, settings: Sequence[str]
) -> tuple[Contract, Assumptions]:
    """The contract and assumptions with every setting applied, in order."""
    for setting in settings:
        path, text = parse_setting(setting)
        head = path[0]
        if head in MULTIPLIERS and len(path) == 1:
            value = float(_convert(setting, 1.0, text))
            if value < 0:
                raise WhatIfError(f"{setting}: a rate multiplier cannot be negative")
            assumptions = dataclasses.replace(assumptions, **_changes(head, value))
        elif head == "cohort_mix" and len(path) == 2:
            code = contract.canonical_cohort(path[1])
            if code is None:
                raise WhatIfError(f"{setting}: the contract has no cohort {path[1]!r}")
            share = float(_convert(setting, 1.0, text))
            if not 0 <= share <= 1:
                raise WhatIfError(f"{setting}: a share is between 0 and 1")
            others = {c: s for c, s in assumptions.cohort_share.items() if c != code}
            rest = sum(others.values())
            mix = {
                c: (share if c == code else (1 - share) * (s / rest if rest else 1 / len(others)))
                for c, s in assumptions.cohort_share.items()
            }
            assumptions = dataclasses.replace(assumptions, cohort_share=mix)
        elif head == "cohort" and len(path) >= 3:
            _check_design_term(contract, path[1], path[2], setting)
            contract = _in_list(contract, "cohorts", path[1], path[2:], setting, text)
        elif head == "local_authority" and len(path) >= 3:
            contract = _in_list(contract, "local_authorities", path[1], path[2:], setting, text)
        elif head == "programme" and len(path) == 2:
            if path[1] in ("cohorts", "local_authorities", "guaranteed_funding"):
                raise WhatIfError(f"{setting}: set {path[1]} by its own key")
            if path[1] == "lcf_share" and contract.outcome_funds:
                names = ", ".join(f.name for f in contract.outcome_funds)
                raise WhatIfError(
                    f"{setting}: the contract's outcome funds are [[outcome_fund]] tables "
                    f"({names}), which lcf_share does not change"
                )
            contract = _replace(contract, path[1:], setting, text)
        elif head == "guaranteed_funding" and len(path) == 2:
            contract = _replace(contract, path, setting, text)
        else:
            raise WhatIfError(
                f"{setting}: unknown setting (cohort.<code>.<term>, local_authority.<code>."
                "<term>, programme.<term>, guaranteed_funding.<term>, referral_rate, "
                "closure_rate, cohort_mix.<code>)"
            )
    return contract, assumptions
