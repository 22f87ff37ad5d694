"""SSDA903 code lists and the placement-group mapping, kept as data.

Code lists follow DfE's SSDA903 guidance (children looked after return) as known to the
project; they are data so a new collection year is an amendment, not new code: add a
``CodeChange`` to ``CODE_CHANGES`` (year = the collection year, ending 31 March YYYY), the way
DfE's validator builds each year's rule set from the previous one. Verify against the year's
published guidance before relying on a list for a statutory return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

BASE_CODES: Mapping[str, frozenset[str]] = {
    # Type of placement.
    "PLACE": frozenset(
        {
            "A3",
            "A4",
            "A5",
            "A6",  # placed for adoption
            "H5",  # semi-independent / supported accommodation
            "K1",  # secure children's home
            "K2",  # children's home
            "P1",  # placed with own parent(s) or other person with parental responsibility
            "P2",  # independent living (flat, lodgings, bedsit, B&B, with friends)
            "P3",  # residential employment
            "R1",  # residential care home
            "R2",  # NHS / health trust establishment
            "R3",  # family centre or mother and baby unit
            "R5",  # young offender institution or prison
            "S1",  # residential school
            "T0",
            "T1",
            "T2",
            "T3",
            "T4",  # temporary placements
            "U1",
            "U2",
            "U3",  # foster placement with relative or friend (kinship)
            "U4",
            "U5",
            "U6",  # foster placement with other foster carer
            "Z1",  # other placements
        }
    ),  # fmt: skip
    # Legal status.
    "LS": frozenset({"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}),
    # Reason for new episode: S started; L legal status only; P placement and carer;
    # T placement, same carer; B legal status + placement and carer; U legal status +
    # placement, same carer.
    "RNE": frozenset({"S", "L", "P", "T", "B", "U"}),
    # Category of need N1 (abuse or neglect) .. N9 (cases other than children in need).
    "CIN": frozenset({f"N{i}" for i in range(1, 10)}),
    # Reason episode ceased (X1: episode ends and a new one begins the same day).
    "REC": frozenset(
        {
            "X1",
            "E11",
            "E12",
            "E2",
            "E3",
            "E4A",
            "E4B",
            "E13",
            "E41",
            "E45",
            "E46",
            "E47",
            "E48",
            "E5",
            "E6",
            "E7",
            "E9",
            "E14",
            "E15",
            "E16",
            "E17",
            "E8",
        }
    ),  # fmt: skip
    "PLACE_PROVIDER": frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"}),
    "REASON_PLACE_CHANGE": frozenset(
        {
            "CARPL",
            "CLOSE",
            "ALLEG",
            "STAND",
            "APPRR",
            "CREQB",
            "CREQO",
            "CHILD",
            "LAREQ",
            "PLACE",
            "CUSTOD",
            "OTHER",
        }
    ),  # fmt: skip
    "SEX": frozenset({"1", "2"}),
    "ETHNIC": frozenset(
        {
            "WBRI",
            "WIRI",
            "WOTH",
            "WIRT",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "REFU",
            "NOBT",
        }
    ),  # fmt: skip
}


@dataclass(frozen=True)
class CodeChange:
    """From collection ``year`` on, ``column`` gains ``added`` and loses ``removed``."""

    year: int
    column: str
    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    note: str = ""


CODE_CHANGES: tuple[CodeChange, ...] = (
    CodeChange(
        2024,
        "PLACE",
        added=frozenset({"Q1", "Q2"}),
        note="Q1/Q2 accepted from 2023-24; meaning to confirm against DfE guidance "
        "(mapped to 'other' until confirmed).",
    ),
)


def code_lists(collection_year: int) -> dict[str, frozenset[str]]:
    """The valid codes of each coded column for the return ending 31 March ``collection_year``."""
    lists = dict(BASE_CODES)
    for change in sorted(CODE_CHANGES, key=lambda c: c.year):
        if change.year <= collection_year:
            lists[change.column] = (lists[change.column] | change.added) - change.removed
    return lists


# --- placement groups -------------------------------------------------------------------------

KINSHIP = "kinship fostering"
INHOUSE_FOSTERING = "in-house fostering"
AGENCY_FOSTERING = "agency fostering"
INHOUSE_RESIDENTIAL = "in-house residential"
EXTERNAL_RESIDENTIAL = "external residential"
#: Foster and residential placements whose PLACE_PROVIDER is blank: neither in-house nor
#: external is known, so they are counted apart, never guessed as external.
FOSTERING_PROVIDER_NOT_RECORDED = "fostering, provider not recorded"
RESIDENTIAL_PROVIDER_NOT_RECORDED = "residential, provider not recorded"
WITH_PARENTS = "placed with parents"
SUPPORTED = "supported / 16+"
SECURE = "secure"
ADOPTION = "adoption"
OTHER = "other"

PLACEMENT_GROUPS: tuple[str, ...] = (
    KINSHIP,
    INHOUSE_FOSTERING,
    AGENCY_FOSTERING,
    INHOUSE_RESIDENTIAL,
    EXTERNAL_RESIDENTIAL,
    FOSTERING_PROVIDER_NOT_RECORDED,
    RESIDENTIAL_PROVIDER_NOT_RECORDED,
    WITH_PARENTS,
    SUPPORTED,
    SECURE,
    ADOPTION,
    OTHER,  # last: what no other group takes
)

#: Providers counted as the council's own ("in-house"): PR1 own provision and PR2 another
#: council's provision (public, council-run). PR0 parent, PR3 other public, PR4 private and
#: PR5 voluntary are "agency" / "external"; a blank provider is "provider not recorded".
INHOUSE_PROVIDERS: frozenset[str] = frozenset({"PR1", "PR2"})

#: PLACE -> group whatever the provider.
PLACE_GROUP_FIXED: Mapping[str, str] = {
    "U1": KINSHIP,
    "U2": KINSHIP,
    "U3": KINSHIP,
    "P1": WITH_PARENTS,
    "H5": SUPPORTED,
    "P2": SUPPORTED,
    "P3": SUPPORTED,
    "K1": SECURE,
    "R5": SECURE,
    "A3": ADOPTION,  # placed for adoption: with consent, with the current foster carer
    "A4": ADOPTION,  # with consent, not with the current foster carer
    "A5": ADOPTION,  # under a placement order, with the current foster carer
    "A6": ADOPTION,  # under a placement order, not with the current foster carer
}

_FOSTERING = (INHOUSE_FOSTERING, AGENCY_FOSTERING, FOSTERING_PROVIDER_NOT_RECORDED)
_RESIDENTIAL = (INHOUSE_RESIDENTIAL, EXTERNAL_RESIDENTIAL, RESIDENTIAL_PROVIDER_NOT_RECORDED)

#: PLACE -> (group if in-house provider, group if another provider, group if none recorded).
PLACE_GROUP_BY_PROVIDER: Mapping[str, tuple[str, str, str]] = {
    "U4": _FOSTERING,
    "U5": _FOSTERING,
    "U6": _FOSTERING,
    "K2": _RESIDENTIAL,
    "R1": _RESIDENTIAL,
    "S1": _RESIDENTIAL,
}
#: The groups of placements split by provider whose provider is not recorded.
PROVIDER_NOT_RECORDED: frozenset[str] = frozenset(
    {FOSTERING_PROVIDER_NOT_RECORDED, RESIDENTIAL_PROVIDER_NOT_RECORDED}
)
# Everything else (R2 health, R3 family centre / mother and baby, T0-T4 temporary, Z1,
# Q1/Q2, unknown codes) -> OTHER.


def placement_group(place: str, provider: str | None) -> str:
    """The placement group of one episode (see the mapping tables above); a blank provider
    (None or spaces) is not recorded."""
    fixed = PLACE_GROUP_FIXED.get(place)
    if fixed is not None:
        return fixed
    groups = PLACE_GROUP_BY_PROVIDER.get(place)
    if groups is None:
        return OTHER
    provider = (provider or "").strip()
    if not provider:
        return groups[2]
    return groups[0] if provider in INHOUSE_PROVIDERS else groups[1]


#: Legal statuses of short-break care, excluded from children-looked-after counts.
SHORT_BREAK_LS: frozenset[str] = frozenset({"V3", "V4"})
#: RNE codes that start a new placement (everything but a legal-status-only change "L").
NEW_PLACEMENT_RNE: frozenset[str] = frozenset({"S", "P", "T", "B", "U"})
