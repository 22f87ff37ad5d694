"""The access review: which reads of children's records look unusual, from the access log.

Every rule names what it found and for whom; a finding is a question for a person, not a
verdict (a manager covering a colleague's caseload reads outside their own for a reason).

- **outside council**: a council user (SPOC, commissioner) read a record of another council;
  scope should make this impossible, so even one is listed;
- **outside caseload**: a key worker read records not on their caseload;
- **many records**: a user read more distinct children's records in the month than the
  threshold;
- **odd hours**: reads at night (from 20:00 to 07:00) or at a weekend, in local time.

Reads are of one child's record each. A claim's page, dispute form or document shows a line
per referral but is a read of the claim, not of each child (the children it showed are
linked to its entry for subject access): it is not a ``Read``, so a finance user's claim of
200 lines counts toward no rule (``docs/decisions/0006-claims-in-the-access-log.md``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

COUNCIL_ROLES = ("spoc", "commissioner")
KEY_WORKER = "key_worker"


@dataclass(frozen=True)
class Read:
    """One access-log row about a child's record, with what the review needs to know."""

    username: str
    role: str
    user_council: str | None  # the user's council (council roles), else None
    at: dt.datetime  # local time
    record: str  # "referral R000005", "enquiry E000012"...
    record_council: str | None  # None when the record is gone
    key_worker: str | None = None  # the username of the record's key worker, if any


@dataclass(frozen=True)
class Thresholds:
    outside_council: int = 1
    outside_caseload: int = 5
    many_records: int = 150
    odd_hours: int = 1
    day_starts: dt.time = dt.time(7, 0)
    day_ends: dt.time = dt.time(20, 0)


@dataclass(frozen=True)
class Finding:
    username: str
    role: str
    rule: str
    label: str
    count: int  # distinct records (reads, for odd hours)
    examples: tuple[str, ...]  # up to five records or times

    @property
    def described(self) -> str:
        return f"{self.count} {self.label}"


RULES = {
    "outside_council": "records of another council read",
    "outside_caseload": "records outside their caseload read",
    "many_records": "distinct children's records read in the month",
    "odd_hours": "reads at night or at a weekend",
}
EXAMPLES = 5


def odd_hour(at: dt.datetime, t: Thresholds = Thresholds()) -> bool:
    """At night (before the day starts or from when it ends) or on a Saturday or Sunday."""
    return at.weekday() >= 5 or at.time() < t.day_starts or at.time() >= t.day_ends


def review_access(reads: Iterable[Read], t: Thresholds = Thresholds()) -> list[Finding]:
    """The findings of one period's reads, by user then rule (the order of ``RULES``)."""
    found: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in reads:
        user = found[(r.username, r.role)]
        user["many_records"].append(r.record)
        if r.role in COUNCIL_ROLES and r.record_council not in (None, r.user_council):
            user["outside_council"].append(r.record)
        on_a_case = r.record.startswith(("referral ", "case "))
        if r.role == KEY_WORKER and on_a_case and r.key_worker != r.username:
            user["outside_caseload"].append(r.record)
        if odd_hour(r.at, t):
            user["odd_hours"].append(f"{r.at:%a %d %b %H:%M} {r.record}")
    limits = {
        "outside_council": t.outside_council,
        "outside_caseload": t.outside_caseload,
        "many_records": t.many_records,
        "odd_hours": t.odd_hours,
    }
    findings = []
    for (username, role), rules in sorted(found.items()):
        for rule in RULES:
            seen = rules.get(rule, [])
            distinct = seen if rule == "odd_hours" else list(dict.fromkeys(seen))
            if distinct and len(distinct) >= limits[rule]:
                findings.append(
                    Finding(
                        username,
                        role,
                        rule,
                        RULES[rule],
                        len(distinct),
                        tuple(distinct[:EXAMPLES]),
                    )
                )
    return findings
