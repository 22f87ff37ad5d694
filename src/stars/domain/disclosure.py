"""What may leave the service about children: small numbers suppressed, records pseudonymised,
and dates asked for by roles that see figures only made whole quarters.

Small numbers: counts from 1 to 4 are shown as "c", as DfE does. A breakdown is suppressed
as a whole (``suppress_group``) so that no hidden count can be worked out from the total and
the counts shown. A role that sees figures only gets each breakdown for the whole programme
(or its councils in view) alone, never one council's or cohort's beside the whole: two
tables of the same children, one a part of the other, would give the part's hidden counts
away by difference (docs/decisions/0008-whole-quarters-for-aggregate-roles.md).

Pseudonyms (the evaluator's extract): a pseudonym is an HMAC-SHA256 of the record's id,
keyed by a secret of the service (kept out of the database) and the recipient of the
extract. So:

- the same recipient gets the same pseudonym for a record in every extract, and can follow
  a referral or a child from one extract to the next;
- another recipient gets different pseudonyms, so two extracts cannot be joined;
- nobody without the key can go from a pseudonym back to the referral, and no page, claim
  or document of the service prints a pseudonym, nor does an extract print an id.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from stars.domain.calendar import last_complete, quarter_of, quarters_between

SUPPRESSED = "c"
SUPPRESS_BELOW = 5
K = TypeVar("K")
T = TypeVar("T")


def suppress(count: int, below: int = SUPPRESS_BELOW) -> int | str:
    """A count as published: 1 to ``below - 1`` shown as "c" (as DfE does); 0 stays 0."""
    return SUPPRESSED if 0 < count < below else count


def is_small(count: int, below: int = SUPPRESS_BELOW) -> bool:
    return 0 < count < below


HIDDEN_BESIDE = "hidden so that a smaller figure beside it cannot be worked out"


def why_hidden(count: int, below: int = SUPPRESS_BELOW) -> str:
    """Why a count published as "c" is hidden, in words: too few to show, or, for a total
    hidden only so that a breakdown's hidden counts cannot be worked out from it
    (``suppress_group``, ``suppress_breakdowns``), that; never "fewer than 5" when it is not."""
    return f"fewer than {below} (too few to show)" if is_small(count, below) else HIDDEN_BESIDE


def pinned(hidden: Iterable[int], below: int = SUPPRESS_BELOW) -> bool:
    """Would the hidden counts of a breakdown whose total is shown be given away by their
    sum (the total less the counts shown)? A hidden count is known to be at least 1 (a 0 is
    shown) and, as "c" is published, small counts are known to be at most ``below - 1``: so
    one hidden count is its sum; hidden counts summing to as many as there are are all 1;
    small ones summing to ``below - 1`` times as many are all ``below - 1``."""
    values = list(hidden)
    k, total = len(values), sum(values)
    return k == 1 or total == k or (max(values) < below and total == (below - 1) * k)


def suppress_group(
    counts: Mapping[K, int], below: int = SUPPRESS_BELOW, hidden: Iterable[K] = ()
) -> tuple[dict[K, int | str], int | str]:
    """The counts of one breakdown and their total, as published: small counts shown as "c"
    and, while the hidden counts could be worked out from the total less the counts shown
    (``pinned``: one hidden count; two 1s; two 4s), the smallest other non-zero count hidden
    too (complementary suppression, as DfE does). When nothing else can be hidden, the
    total is hidden instead. The non-zero counts of ``hidden`` are hidden whatever their
    size (one whose own parts, published elsewhere, would give them away: ``parts_pin``)."""
    forced = set(hidden)
    cells: dict[K, int | str] = {
        k: SUPPRESSED if k in forced and v > 0 else suppress(v, below) for k, v in counts.items()
    }
    total: int | str = suppress(sum(counts.values()), below)
    hidden = [k for k, v in cells.items() if v == SUPPRESSED]
    while total != SUPPRESSED and hidden and pinned((counts[k] for k in hidden), below):
        others = [k for k, v in counts.items() if k not in hidden and v > 0]
        if not others:
            total = SUPPRESSED
            break
        smallest = min(others, key=lambda k: counts[k])
        cells[smallest] = SUPPRESSED
        hidden.append(smallest)
    return cells, total


def suppress_breakdowns(
    breakdowns: Mapping[str, Mapping[K, int]],
    total: int,
    below: int = SUPPRESS_BELOW,
    hidden: Mapping[str, Iterable[K]] | None = None,
    *,
    total_hidden: bool = False,
) -> tuple[dict[str, dict[K, int | str]], int | str]:
    """Several breakdowns of the same children (by cohort, by council, by contract year),
    each as ``suppress_group`` publishes it (with the counts ``hidden`` names for it hidden
    whatever their size), and their one total: hidden where any of them hides it (else that
    breakdown's hidden counts are the total, shown beside another, less its counts shown),
    where it is small itself, or where ``total_hidden`` (``suppress_over_time``'s); a hidden
    total has one count of each breakdown hidden at least (``suppress_parts``), so that
    none adds up to it."""
    published = {
        name: suppress_group(counts, below, (hidden or {}).get(name, ()))
        for name, counts in breakdowns.items()
    }
    total_hidden = (
        total_hidden
        or is_small(total, below)
        or any(t == SUPPRESSED for _, t in published.values())
    )
    cells = {name: cells for name, (cells, _) in published.items()}
    if total_hidden:
        for name, counts in breakdowns.items():
            cells[name] = _not_adding_up(counts, cells[name])
    return cells, (SUPPRESSED if total_hidden else total)


def _not_adding_up(counts: Mapping[K, int], cells: dict[K, int | str]) -> dict[K, int | str]:
    """``cells`` with one non-zero count hidden at least, so that they do not add up to a
    hidden whole: the smallest, where none is."""
    if not any(v == SUPPRESSED for v in cells.values()):
        shown = [k for k, n in counts.items() if n > 0]
        if shown:
            cells[min(shown, key=lambda k: counts[k])] = SUPPRESSED
    return cells


def parts_pin(
    parts: Mapping[K, int], below: int = SUPPRESS_BELOW, hidden: Iterable[K] = ()
) -> bool:
    """Would the parts of one count of a breakdown (the cases closed early, by reason), as
    ``suppress_parts`` publishes them, be given away by that count shown beside them? So
    when their hidden counts are pinned by their sum with no other part left to hide (two
    reasons of 4 beside 8 closed early): that count must then be hidden itself
    (``suppress_group``'s ``hidden``). ``hidden``: parts to hide whatever their size."""
    return suppress_group(parts, below, hidden)[1] == SUPPRESSED and sum(parts.values()) > 0


def suppress_parts(
    parts: Mapping[K, int],
    whole: int | str,
    below: int = SUPPRESS_BELOW,
    hidden: Iterable[K] = (),
) -> dict[K, int | str]:
    """The parts of one count of a breakdown (the cases closed early, by reason) as published
    beside that count (``whole``, as published): ``suppress_group``'s cells and, where the
    whole is hidden, one part at least hidden too, so that the parts do not add up to it.
    Where the parts would give themselves away beside the whole shown, the whole is to be
    hidden (``parts_pin``). ``hidden``: parts to hide whatever their size."""
    cells, _ = suppress_group(parts, below, hidden)
    return _not_adding_up(parts, cells) if whole == SUPPRESSED else cells


def suppress_table(
    rows: Mapping[K, Mapping[T, int]],
    below: int = SUPPRESS_BELOW,
    *,
    hidden: Iterable[tuple[K, T]] = (),
    hidden_totals: Iterable[K] = (),
    grand_hidden: bool = False,
    hidden_columns: Iterable[T] = (),
) -> tuple[dict[K, dict[T, int | str]], dict[K, int | str], int | str]:
    """A two-way table of counts (enquiries by cohort and decision) as published, with its
    row totals and its grand total, beside its column totals (published elsewhere: the board
    card's enquiries by decision). Small counts are hidden and then, until nothing changes:
    where a row's, a column's or the row totals' hidden counts could be worked out from
    their total less the counts shown (``pinned``), the smallest other non-zero count of
    that line is hidden too (a row's total, or the grand total, when none is left); and a
    row whose total is hidden has a non-zero count hidden, so its counts do not add up to
    it. ``hidden``, ``hidden_totals`` and ``grand_hidden``: cells, row totals and the grand
    total to hide whatever their size (``suppress_over_time``'s); ``hidden_columns``:
    columns whose totals are hidden where they are published (so each has a non-zero count
    hidden, and the row totals do not add up to a hidden grand total)."""
    forced = set(hidden)
    cells: dict[K, dict[T, int | str]] = {
        r: {
            c: SUPPRESSED if (r, c) in forced and n > 0 else suppress(n, below)
            for c, n in row.items()
        }
        for r, row in rows.items()
    }
    sums = {r: sum(row.values()) for r, row in rows.items()}
    forced_totals = set(hidden_totals)
    totals: dict[K, int | str] = {
        r: SUPPRESSED if r in forced_totals and n > 0 else suppress(n, below)
        for r, n in sums.items()
    }
    grand: int | str = suppress(sum(sums.values()), below)
    if grand_hidden and sum(sums.values()) > 0:
        grand = SUPPRESSED
    columns = list(dict.fromkeys(c for row in rows.values() for c in row))
    columns_hidden = set(hidden_columns)

    def smallest(line: list[tuple[K, T]]) -> tuple[K, T] | None:
        shown = [(r, c) for r, c in line if cells[r][c] != SUPPRESSED and rows[r][c] > 0]
        return min(shown, key=lambda rc: rows[rc[0]][rc[1]]) if shown else None

    def exposed(line: list[tuple[K, T]]) -> bool:
        hidden = [rows[r][c] for r, c in line if cells[r][c] == SUPPRESSED]
        return bool(hidden) and pinned(hidden, below)

    changed = True
    while changed:
        changed = False
        for r in rows:
            line = [(r, c) for c in rows[r]]
            if totals[r] == SUPPRESSED:
                needed = sums[r] > 0 and not any(
                    cells[r][c] == SUPPRESSED and rows[r][c] > 0 for c in rows[r]
                )
            else:
                needed = exposed(line)
            if needed:
                cell = smallest(line)
                if cell is None:
                    totals[r] = SUPPRESSED
                else:
                    cells[cell[0]][cell[1]] = SUPPRESSED
                changed = True
        for col in columns:
            line = [(r, col) for r in rows if col in rows[r]]
            if col in columns_hidden:  # its total hidden: one of its counts at least
                needed = not any(cells[r][c] == SUPPRESSED and rows[r][c] > 0 for r, c in line)
            else:
                needed = exposed(line)
            cell = smallest(line) if needed else None
            if cell is not None:
                cells[cell[0]][cell[1]] = SUPPRESSED
                changed = True
        hidden_sums = [sums[r] for r in rows if totals[r] == SUPPRESSED]
        if grand == SUPPRESSED and not hidden_sums:  # the row totals not adding up to it
            others = [r for r in rows if sums[r] > 0]
            if others:
                totals[min(others, key=lambda r: sums[r])] = SUPPRESSED
                changed = True
        elif grand != SUPPRESSED and hidden_sums and pinned(hidden_sums, below):
            others = [r for r in rows if totals[r] != SUPPRESSED and sums[r] > 0]
            if others:
                totals[min(others, key=lambda r: sums[r])] = SUPPRESSED
            else:
                grand = SUPPRESSED
            changed = True
    return cells, totals, grand


def published_change(now: int | str, before: int | str, change: T) -> T | str:
    """The change between two published counts (``now`` and ``before``, each a count or "c"
    as ``suppress_group`` gave it), as published: ``change`` only when both counts are shown,
    else "c", so that the change gives neither hidden count away (a hidden 4 beside "+4", or
    a count shown now less its change, which is last period's hidden count)."""
    return SUPPRESSED if SUPPRESSED in (now, before) else change


def published_rate(rate: T, parts: Iterable[int | str]) -> T | str:
    """A rate as published beside suppressed counts: shown only when every count it is worked
    out from (``parts``, as published) is shown, else "c", so that the rate gives no hidden
    count away (with the other counts shown, a rate over five or more cases can)."""
    return SUPPRESSED if SUPPRESSED in list(parts) else rate


def published_amount(amount: Decimal, parts: Iterable[object]) -> Decimal | str:
    """An amount of money as published beside the counts of children and the amounts it is
    worked out from (``parts``, as published): "c" where any of them is hidden. An amount
    that is a known price times a count (guaranteed-funding fees: the referrals funded times
    the weekly fee times the minimum weeks, the fee printed in the contract; a milestone
    cohort's outcome payments: the referrals that earned each milestone times its price)
    would give the hidden count away, so it is hidden with it, for the count's reason
    (``why_hidden``); and so is a figure worked out from a hidden amount and figures shown
    (the net cash saving: cashable savings less outcome payments and fees)."""
    return SUPPRESSED if SUPPRESSED in list(parts) else amount


def suppress_amounts(
    amounts: Mapping[K, Decimal],
    hidden: Iterable[K] = (),
    *,
    total_hidden: bool = False,
    fixed: Iterable[K] = (),
) -> tuple[dict[K, Decimal | str], Decimal | str]:
    """Amounts of money side by side (each council's guaranteed-funding fees, each cohort's
    outcome payments) and their total, as published: the non-zero amounts ``hidden`` names
    (``published_amount``'s) shown as "c"; then, as ``suppress_group`` does for counts, while
    one amount alone is hidden beside the total shown (the total less the amounts shown would
    be it), the smallest other non-zero amount is hidden too, or the total where none is
    left; and where the total is hidden (``total_hidden``), one amount at least, so that the
    amounts do not add up to it. ``fixed``: amounts worked out from figures shown elsewhere
    (a weekly cohort's payments are its weeks times the weekly price), which hiding would
    not protect, so never chosen to be hidden beside another."""
    forced, kept = set(hidden), set(fixed)
    cells: dict[K, Decimal | str] = {
        k: SUPPRESSED if k in forced and v else v for k, v in amounts.items()
    }
    total: Decimal | str = SUPPRESSED if total_hidden else sum(amounts.values(), Decimal(0))
    while True:
        gone = [k for k, v in cells.items() if v == SUPPRESSED]
        if not (len(gone) == 1 and total != SUPPRESSED) and not (total == SUPPRESSED and not gone):
            break
        others = [k for k, v in amounts.items() if k not in gone and k not in kept and v]
        if others:
            cells[min(others, key=lambda k: amounts[k])] = SUPPRESSED
        elif total != SUPPRESSED:
            total = SUPPRESSED
        else:
            break
    return cells, total


def suppress_funnel(
    stages: list[int], below: int = SUPPRESS_BELOW, hidden: Iterable[int] = ()
) -> list[int | str]:
    """The counts of a funnel (enquiries, decided, progressed, accepted: each stage a part of
    the one before) as published: a stage is hidden when it is small, or when it is a small
    count fewer than the stage before it is (the difference would be a hidden count).
    ``hidden``: the stages (by position) to hide whatever their size (``suppress_over_time``'s);
    a stage equal to the last one shown with a hidden stage between them is hidden too (it
    would pin the stage between)."""
    forced = set(hidden)
    shown: list[int | str] = []
    last, gap = None, False
    for i, n in enumerate(stages):
        small_step = i > 0 and is_small(stages[i - 1] - n, below)
        pins = gap and last == n and n > 0
        hide = is_small(n, below) or small_step or pins or (i in forced and n > 0)
        shown.append(SUPPRESSED if hide else n)
        last, gap = (last, True) if hide else (n, False)
    return shown


def suppress_funnels(
    funnels: Mapping[K, Sequence[int]],
    last: Mapping[K, int | str],
    below: int = SUPPRESS_BELOW,
    hidden: Mapping[K, Iterable[int]] | None = None,
) -> dict[K, list[int | str]]:
    """Funnels side by side (each council's enquiries, decided, progressed and accepted: each
    stage a part of the one before) as published, beside what is published elsewhere: each
    stage's total (the programme's enquiries, decisions and referrals) and the breakdown of
    the last stage (``last``: the referrals by council as ``suppress_group`` gives them on
    the board card and the investor view), which the last stage shows as it is, so that
    no table gives away what another hides. An earlier stage is hidden where it is small;
    where it is a small count more than a later stage shown (the difference, the children
    between the two stages, would be a hidden count); and, while a stage's hidden counts
    could be worked out from its total less the counts shown (``pinned``), the smallest
    other non-zero count of that stage is hidden too. ``hidden``: for each funnel, the
    earlier stages (by position) hidden where they are published elsewhere (the evaluation
    report's enquiries, quarter after quarter), hidden here too whatever their size."""
    cells: dict[K, list[int | str]] = {}
    for k, stages in funnels.items():
        forced = set((hidden or {}).get(k, ()))
        shown: list[int | str] = [
            *(SUPPRESSED if i in forced and n > 0 else n for i, n in enumerate(stages[:-1])),
            last[k],
        ]
        for i in range(len(stages) - 2, -1, -1):
            later = [stages[j] for j in range(i + 1, len(stages)) if shown[j] != SUPPRESSED]
            if is_small(stages[i], below) or any(is_small(stages[i] - n, below) for n in later):
                shown[i] = SUPPRESSED
        cells[k] = shown
    for i in range(max((len(s) for s in funnels.values()), default=1) - 1):
        column = [k for k, stages in funnels.items() if i < len(stages) - 1]
        while True:
            gone = [funnels[k][i] for k in column if cells[k][i] == SUPPRESSED]
            others = [k for k in column if cells[k][i] != SUPPRESSED and funnels[k][i] > 0]
            if not (gone and others and pinned(gone, below)):
                break
            cells[min(others, key=lambda k: funnels[k][i])][i] = SUPPRESSED
    return cells


# -- figures over time ------------------------------------------------------------------------
#
# A count published quarter after quarter is one more table of the same children: a change
# between two quarters shown is the children who came (or went) in between, and a count that
# only grows (referrals, enquiries) pins a count hidden between two shown ones (10, "c", 10 is
# 10; 10, "c", 14 is 11 to 13, and the quarter's flow a small number). So, for every figure a
# role that sees figures only gets quarter by quarter, each quarter is published in turn, by
# what was published before it, never changing a quarter already published
# (docs/decisions/0018-small-numbers-over-time.md).


@dataclass(frozen=True)
class LastShown:
    """What was last published of one count: its value then (0 before the first quarter,
    when there was nothing to count) and whether it has been hidden since."""

    value: int = 0
    gap: bool = False


def hidden_over_time(count: int, last: LastShown, below: int = SUPPRESS_BELOW) -> bool:
    """Must ``count`` be hidden, given what was last shown of it (``last``)? A non-zero count
    is hidden where it is small, where it differs from the count last shown by a small
    number (the change would be that many children), and where it equals the count last
    shown with the quarters between hidden (a count that only grows would pin them). So two
    counts shown one after the other differ by 0 or by ``below`` or more, and two shown
    with hidden ones between by ``below`` or more."""
    change = abs(count - last.value)
    return count > 0 and (
        is_small(count, below) or is_small(change, below) or (last.gap and not change)
    )


def suppress_over_time(
    periods: Sequence[Mapping[K, int]],
    publish: Callable[[Mapping[K, int], frozenset[K]], Mapping[K, int | str]],
    below: int = SUPPRESS_BELOW,
    hidden: Sequence[Iterable[K]] = (),
) -> list[dict[K, int | str]]:
    """Each period's counts (``periods``, oldest first: every count one publication gives
    of a quarter, keyed alike from quarter to quarter) as published, period by period:
    ``publish`` is the period's own rule (its breakdowns' complementary suppression) given
    its counts and those it must hide as well, those ``hidden_over_time`` names by what was
    last shown of each. A period's publication depends on it and the periods before only,
    so it reads the same wherever it is published later; a change between two periods is
    to be shown only where both are (``published_change``), and then it is 0 or ``below``
    or more. ``hidden``: for each period, counts hidden in another publication of the same
    figures (the evaluation report as of the same day), hidden here too, so that neither
    shows what the other hides."""
    last: dict[K, LastShown] = {}
    out: list[dict[K, int | str]] = []
    for i, counts in enumerate(periods):
        forced = frozenset(
            k for k, n in counts.items() if hidden_over_time(n, last.get(k, LastShown()), below)
        ) | frozenset(hidden[i] if i < len(hidden) else ())
        cells = dict(publish(counts, forced))
        missed = sorted(str(k) for k in forced if cells.get(k) != SUPPRESSED)
        if missed:
            raise ValueError(f"the period's rule showed counts it was to hide: {missed}")
        for k, n in counts.items():
            before = last.get(k, LastShown())
            last[k] = LastShown(before.value, True) if cells[k] == SUPPRESSED else LastShown(n)
        out.append(cells)
    return out


def suppress_series(series: Sequence[int], below: int = SUPPRESS_BELOW) -> list[int | str]:
    """One count over time (a figure printed alone, as re-referrals are) as published:
    ``suppress_over_time`` with no breakdown beside it."""
    published = suppress_over_time(
        [{0: n} for n in series],
        lambda counts, forced: {k: SUPPRESSED if k in forced else n for k, n in counts.items()},
        below,
    )
    return [p[0] for p in published]


# -- pseudonyms ------------------------------------------------------------------------------

PSEUDONYM_CHARS = 10  # base32: 50 bits, collisions unlikely below ~10 million records
KINDS = {"referral": "ref-", "child": "child-"}


def _mac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def pseudonym(*, key: str, recipient: str, kind: str, value: str) -> str:
    """The pseudonym of ``value`` (an id of ``kind``: referral or child) for ``recipient``.

    The recipient's own key is derived from the service's key first, so a recipient's name
    can hold any character without two (recipient, id) pairs ever meaning the same message.
    """
    if kind not in KINDS:
        raise ValueError(f"no pseudonym kind {kind!r}; expected one of {sorted(KINDS)}")
    if not key:
        raise ValueError("a pseudonym needs a key")
    recipient_key = _mac(key.encode("utf-8"), f"recipient:{recipient}")
    digest = _mac(recipient_key, f"{kind}:{value}")
    code = base64.b32encode(digest).decode("ascii").lower()[:PSEUDONYM_CHARS]
    return KINDS[kind] + code


# -- dates a role that sees figures only may ask for -------------------------------------------
#
# Two answers for nearly the same dates differ by the few children in between: the outcomes
# from 1 January and from 2 January differ by the children referred on 1 January, however
# well each answer's small counts are hidden. So a role that sees aggregate figures only
# asks for whole quarters of the financial year (as the board report card counts them):
# a range starts on a quarter's first day and ends on a quarter's last day, and figures are
# as of the last day of a quarter that has ended. Two answers then differ by at least a
# whole quarter's records (docs/decisions/0008-whole-quarters-for-aggregate-roles.md).

AS_OF = "as_of"  # the day figures are as of: the last day of a quarter that has ended
FROM = "from"  # the first day of a range: the first day of a quarter
TO = "to"  # the last day of a range: the last day of a quarter
BOUNDS = (AS_OF, FROM, TO)

# What each bound must be, as the person is told.
BOUND_RULES = {
    AS_OF: "the last day of a quarter that has ended (30 June, 30 September, 31 December or "
    "31 March)",
    FROM: "the first day of a quarter (1 April, 1 July, 1 October or 1 January)",
    TO: "the last day of a quarter (30 June, 30 September, 31 December or 31 March)",
}


def _bound(bound: str) -> str:
    if bound not in BOUNDS:
        raise ValueError(f"no date bound {bound!r}; expected one of {BOUNDS}")
    return bound


def coarse_date(day: dt.date, bound: str, today: dt.date) -> dt.date:
    """The whole-quarter date a role that sees figures only is answered for in place of
    ``day``: never a later day's records than asked for an as-of date (the end of the last
    quarter ended by ``day``, and by ``today``), and the whole quarter holding ``day`` for a
    range's first or last day (a range only ever widened, to no later than the quarter of
    ``today``)."""
    _bound(bound)
    if bound == AS_OF:
        # the quarters ended by the end of ``day``, and before ``today`` (still going on)
        return last_complete(min(day + dt.timedelta(days=1), today)).end
    quarter = min(quarter_of(day), quarter_of(today))
    return quarter.start if bound == FROM else quarter.end


def is_coarse(day: dt.date, bound: str, today: dt.date) -> bool:
    """May a role that sees figures only ask for ``day`` as ``bound``?"""
    return coarse_date(day, bound, today) == day


def coarse_choices(first: dt.date, bound: str, today: dt.date) -> list[tuple[dt.date, str]]:
    """Every date a role that sees figures only may ask for as ``bound``, newest first, from
    the quarter holding ``first`` (a programme's start), each with its quarter's label; at
    least the latest one, even before ``first``."""
    latest = coarse_date(today, bound, today)
    quarters = quarters_between(min(first, latest), quarter_of(latest))
    days = [coarse_date(q.end if bound == AS_OF else q.start, bound, today) for q in quarters]
    return [(d, quarter_of(d).label) for d in days if is_coarse(d, bound, today)]
