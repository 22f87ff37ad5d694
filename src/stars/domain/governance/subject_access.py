"""Subject access: which third parties a child's records name, to redact before release.

A child's records name other people: the team around the child (carers, parents, workers),
the social worker, the people a consent call spoke to, carer households, and, in free text,
sometimes another child. The law lets the programme withhold third parties' data from a
subject access response, so each is listed where it was found, for a person to decide.
Nothing here redacts: a list is a proposal, not a judgement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ThirdParty:
    name: str  # as written in the record
    who: str  # what they are to the child: "Foster carer", "Another child (C-123)"...
    where: str  # the record and field it is in: "referral R000005, team"


def _mentions(text: str, name: str) -> bool:
    """``name`` written in ``text`` as whole words, whatever the case and spacing."""
    words = [re.escape(w) for w in name.split()]
    if not words:
        return False
    return re.search(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", text, re.IGNORECASE) is not None


def third_parties(
    *,
    named: Iterable[tuple[str, str, str]],
    free_text: Iterable[tuple[str, str]],
    other_children: Iterable[tuple[str, str]],
    subject_names: Iterable[str] = (),
) -> list[ThirdParty]:
    """Every third party the records name, once per place, sorted by name.

    ``named``: (name, who, where) of people recorded by name (team members, social workers);
    ``free_text``: (where, text) of every free-text field; ``other_children``: (child
    reference, full name) of the programme's other children, looked for in the free text;
    ``subject_names``: the child's own names, never listed.
    """
    own = {n.strip().casefold() for n in subject_names if n.strip()}
    found: set[ThirdParty] = set()
    for name, who, where in named:
        if name.strip() and name.strip().casefold() not in own:
            found.add(ThirdParty(name.strip(), who, where))
    texts = [(where, text) for where, text in free_text if text.strip()]
    for ref, full_name in other_children:
        if not full_name.strip() or full_name.strip().casefold() in own:
            continue
        for where, text in texts:
            if _mentions(text, full_name):
                found.add(ThirdParty(full_name.strip(), f"Another child ({ref})", where))
    return sorted(found)
