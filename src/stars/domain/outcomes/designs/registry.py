"""Every payment design a contract may name, by name; a cohort's design.

The names a contract may use are ``stars.domain.contract.terms.PAYMENT_DESIGNS`` (the
contract is read without the designs); ``DESIGNS`` has one implementation for each of them
(``tests/domain/test_payment_seam.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Mapping

from stars.domain.contract.terms import DEFAULT_DESIGN, Contract
from stars.domain.outcomes.designs.base import PaymentDesign
from stars.domain.outcomes.designs.milestones import ContinuousMilestones
from stars.domain.outcomes.designs.weekly import WeeklyAfterProving

DESIGNS: Mapping[str, PaymentDesign] = {
    design.name: design
    for design in (
        WeeklyAfterProving(),  # one line per design
        ContinuousMilestones(),
    )
}
DEFAULT = DEFAULT_DESIGN  # a cohort that names none; also a cohort the contract lacks


def design_for(contract: Contract, cohort: str) -> PaymentDesign:
    """The payment design of a cohort (the default one for a cohort the contract lacks)."""
    try:
        name = contract.cohort(cohort).payment_design
    except KeyError:
        name = DEFAULT
    return DESIGNS[name]


def designs_of(contract: Contract) -> dict[str, tuple[str, ...]]:
    """The designs the contract's cohorts use, each with its cohorts' codes."""
    out: dict[str, tuple[str, ...]] = {}
    for c in contract.cohorts:
        out[c.payment_design] = (*out.get(c.payment_design, ()), c.code)
    return out
