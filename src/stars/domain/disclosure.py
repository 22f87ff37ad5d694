"""What may be published of small numbers: counts from 1 to 4 are shown as "c", as DfE does.

A breakdown is suppressed as a whole (``suppress_group``) so that no hidden count can be
worked out from the total and the counts shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

SUPPRESSED = "c"
SUPPRESS_BELOW = 5
K = TypeVar("K")


def suppress(count: int, below: int = SUPPRESS_BELOW) -> int | str:
    """A count as published: 1 to ``below - 1`` shown as "c" (as DfE does); 0 stays 0."""
    return SUPPRESSED if 0 < count < below else count


def is_small(count: int, below: int = SUPPRESS_BELOW) -> bool:
    return 0 < count < below


def suppress_group(
    counts: Mapping[K, int], below: int = SUPPRESS_BELOW
) -> tuple[dict[K, int | str], int | str]:
    """The counts of one breakdown and their total, as published: small counts shown as "c"
    and, when only one count would be hidden, the smallest other non-zero count hidden too,
    so that no hidden count is the total less the counts shown (secondary suppression, as
    DfE does). When nothing else can be hidden, the total is hidden instead."""
    cells: dict[K, int | str] = {k: suppress(v, below) for k, v in counts.items()}
    total: int | str = suppress(sum(counts.values()), below)
    hidden = [k for k, v in cells.items() if v == SUPPRESSED]
    if len(hidden) == 1:
        others = [k for k, v in counts.items() if k not in hidden and v > 0]
        if others:
            cells[min(others, key=lambda k: counts[k])] = SUPPRESSED
        else:
            total = SUPPRESSED
    return cells, total
