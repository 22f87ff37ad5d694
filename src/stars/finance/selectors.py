"""Reads of claims, narrowed to the user's councils through ``scope_of`` (404 outside it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BigIntegerField, F, QuerySet, Sum, Value
from django.db.models.functions import Cast, Round
from django.http import Http404

from stars.core.cache import cached_figures, data_version
from stars.core.permissions import scope_of
from stars.domain.outcomes.claims import (
    GUARANTEED_FEE,
    ClaimStep,
    ClaimTotals,
    FundShare,
    claim_totals,
    next_claim_step,
    weeks_shown,
)
from stars.finance.models import (
    EXACT,
    ClaimFund,
    ClaimLine,
    ClaimStatus,
    Component,
    LineKind,
    OutcomeClaim,
)
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current, council_named, programme_councils

_PLACES = int(str(EXACT["decimal_places"]))
_UNITS = 10**_PLACES  # an amount as a whole number of its smallest unit


class ExactSum(Sum):
    """SUM of a claim amount (``EXACT``: six decimal places), exact on every database.
    SQLite keeps such decimals as floating-point numbers, and their sum drifts (a programme's
    total of hundreds of millions of pounds has no room for six places in a float), so each
    amount is summed as a whole number of millionths and scaled back to a ``Decimal``."""

    def __init__(self, field: str) -> None:
        super().__init__(
            Cast(Round(F(field) * _UNITS), BigIntegerField()),
            output_field=BigIntegerField(),  # Django's SQLite decimal reader keeps 15 digits
        )

    def get_db_converters(self, connection: Any) -> list[Any]:
        return [_from_units]  # the whole number of millionths as the exact Decimal


def _from_units(value: Any, expression: Any, connection: Any) -> Decimal | None:
    return None if value is None else Decimal(int(value)).scaleb(-_PLACES)


def councils_visible(user: Any) -> QuerySet[Council]:
    """Councils whose claims and money the user may see (none for aggregate-only roles)."""
    scope = scope_of(user)
    qs = Council.objects.order_by("name")
    if not scope.child_level or scope.key_worker_id is not None:
        return qs.none()
    return programme_councils(scope.within_councils(qs, "code"))


def claims_visible(user: Any) -> QuerySet[OutcomeClaim]:
    """Claims of the user's councils, newest month first (with their totals:
    :func:`claims_totalled`)."""
    qs = OutcomeClaim.objects.select_related("council")
    scope = scope_of(user)
    if not scope.child_level or scope.key_worker_id is not None:
        return qs.none()
    return scope.filter(qs).order_by("-month", "council__name")


# What a claim's total is summed from: cached per version of them (stars.core.cache).
CLAIM_RECORDS = (OutcomeClaim, ClaimLine)


def claims_totalled(claims: Iterable[OutcomeClaim]) -> list[OutcomeClaim]:
    """The claims, each with its exact ``total`` (None without lines): every claim's lines
    summed by the database once per version of the claims and their lines, not on every
    page (a large programme's claims hold hundreds of thousands of lines)."""
    totals = _claim_totals_cached()
    out = list(claims)
    for claim in out:
        claim.total = totals.get(claim.pk)  # type: ignore[attr-defined]
    return out


def _claim_totals_cached() -> dict[int, Decimal]:
    """Every claim's exact total by its id (claims without lines left out)."""
    return cached_figures("claim_totals", data_version(CLAIM_RECORDS), (), _claim_totals)


def _claim_totals() -> dict[int, Decimal]:
    summed = ClaimLine.objects.order_by().values("claim_id").annotate(total=ExactSum("amount"))
    return {row["claim_id"]: row["total"] for row in summed}


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` to the month's first day; 404 for anything else."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise Http404("no such month") from exc


def council_get(user: Any, code: str) -> Council:
    council = council_named(code, councils_visible(user))  # a link's code, in any case
    if council is None:
        raise Http404("no such council")
    return council


def scope_note(user: Any) -> str:
    """The councils a council user's figures cover; blank for programme-wide roles."""
    if scope_of(user).programme_wide:
        return ""
    return ", ".join(c.name for c in councils_visible(user))


def claim_find(
    user: Any, code: str, month_text: str
) -> tuple[Council, dt.date, OutcomeClaim | None]:
    """The council (in scope, else 404), the month, and its claim if one was prepared."""
    council = council_get(user, code)
    month = parse_month(month_text)
    claims = OutcomeClaim.objects.filter(council=council, month=month)
    claim = claims.select_related("prepared_by", "approved_by").first()  # the page names them
    return council, month, claim


RESTRICTED = "restricted"


def claim_lines_of(claim: OutcomeClaim, *, viewer: Any) -> QuerySet[ClaimLine]:
    """The claim's lines, each with ``hidden``: true for a restricted child's line when the
    viewer does not see restricted records (its amounts still count; ``line_names`` names
    it only as restricted). ``viewer`` None: a document made by the service itself."""
    sees = viewer is None or scope_of(viewer).sees_restricted
    hidden = Value(False) if sees else F("referral__child__restricted")
    return (
        claim.lines.select_related("referral", "referral__child")
        .annotate(hidden=hidden)
        .order_by("referral__referral_id", "id")
    )


def lines_shown(lines: Iterable[ClaimLine]) -> list[tuple[str, str]]:
    """The referrals whose lines were shown (a page of a claim's lines, the dispute form),
    for the access log (``record_access(shown=...)``): a restricted child's line shown as
    "restricted" is theirs too."""
    return [("referral", line.referral.referral_id) for line in lines]


def claim_referrals(claim: OutcomeClaim) -> list[tuple[str, str]]:
    """The referrals of every line of ``claim`` (its documents show them all), for the
    access log, read by the database without loading the lines."""
    ids = claim.lines.order_by().values_list("referral__referral_id", flat=True).distinct()
    return [("referral", i) for i in ids]


def line_names(line: ClaimLine) -> tuple[str, str]:
    """The referral id and child reference a claim line is shown with."""
    if getattr(line, "hidden", False):
        return RESTRICTED, RESTRICTED
    return line.referral.referral_id, line.referral.child.child_ref


@dataclass(frozen=True)
class LinesSummed:
    """Claim lines of one kind and component, their amounts summed by the database."""

    kind: str
    component: str
    amount: Decimal


# What a claim's totals are worked out from (a claim's funds have no history: their rows
# and last id are their version).
CLAIM_PARTS = (OutcomeClaim, ClaimLine, ClaimFund)


def claim_totals_of(claim: OutcomeClaim) -> ClaimTotals:
    """A claim's totals, its lines summed by the database per kind and component (a claim
    of a large programme holds tens of thousands of lines), once per version of the claims,
    their lines and funds."""
    return cached_figures(
        "claim_totals_of", data_version(CLAIM_PARTS), (claim.pk,), lambda: _totals_of(claim)
    )


def _totals_of(claim: OutcomeClaim) -> ClaimTotals:
    summed = claim.lines.order_by().values("kind", "component").annotate(sum=ExactSum("amount"))
    lines = [LinesSummed(r["kind"], r["component"], r["sum"]) for r in summed]
    funds = [FundShare(f.name, f.share, f.cap, f.amount) for f in claim.funds.all()]
    return claim_totals(lines, funds)


def held_back_for(referral: Any) -> Decimal:
    """What claims hold back of the referral's outcome payments over a maximum outcome
    payment, not payable (0 when none), summed exactly in Python."""
    lines = ClaimLine.objects.filter(referral=referral, kind=LineKind.OVER_MAXIMUM)
    return -sum(lines.values_list("amount", flat=True), Decimal(0))


def _lines_by_council(lines: QuerySet[ClaimLine]) -> dict[int, Decimal]:
    """The exact total of ``lines``, summed by the database, by their claims' council id."""
    summed = lines.order_by().values("claim__council_id").annotate(sum=ExactSum("amount"))
    return {row["claim__council_id"]: row["sum"] for row in summed}


def _claimed_by_council() -> dict[int, Decimal]:
    """Outcome payments held in claims (every status; fees apart), by council id."""
    return _lines_by_council(ClaimLine.objects.exclude(component=GUARANTEED_FEE))


def _approved_lines(as_of: dt.date) -> QuerySet[ClaimLine]:
    """The lines of claims approved by the end of ``as_of``."""
    return ClaimLine.objects.filter(
        claim__status=ClaimStatus.APPROVED, claim__approved_at__date__lte=as_of
    )


def _approved_by_council(as_of: dt.date) -> dict[int, Decimal]:
    """The exact total of the lines of claims approved by the end of ``as_of``, by council
    id."""
    return _lines_by_council(_approved_lines(as_of))


def _approved_outcome_by_council(as_of: dt.date) -> dict[int, Decimal]:
    """The outcome payments (fees apart) that claims approved by the end of ``as_of`` pay,
    after what a maximum outcome payment held back, by council id."""
    return _lines_by_council(_approved_lines(as_of).exclude(component=GUARANTEED_FEE))


def headroom(user: Any) -> dict[str, Any]:
    """Outcome payments held in claims (every status; fees apart) against the maxima: the
    contract's, for a user who sees the whole programme, and each visible council's own.
    The claims' lines are summed by the database once per version of the claims and their
    lines (a large programme's claims hold hundreds of thousands of lines)."""
    contract = contract_current()
    version = data_version(CLAIM_RECORDS)
    by_council = cached_figures("claimed_by_council", version, (), _claimed_by_council)
    rows = []
    for council in councils_visible(user).order_by("name"):
        try:
            maximum = contract.local_authority(council.code).maximum_outcome_payment
        except KeyError:
            maximum = None
        claimed = by_council.get(council.pk, Decimal(0))
        left = None if maximum is None else maximum - claimed
        rows.append({"name": council.name, "maximum": maximum, "claimed": claimed, "left": left})
    programme = None
    if scope_of(user).programme_wide and contract.maximum_outcome_payment is not None:
        claimed = sum(by_council.values(), Decimal(0))
        maximum = contract.maximum_outcome_payment
        programme = {"maximum": maximum, "claimed": claimed, "left": maximum - claimed}
    return {"councils": rows, "programme": programme}


def approved_total(user: Any, *, as_of: dt.date) -> Decimal:
    """What the approved claims of the user's councils have paid (approved by the end of
    ``as_of``): each council's summed by the database once per version of the claims and
    their lines (the money page, as of its date)."""
    return _approved_in(councils_visible(user), as_of)


def programme_approved_total(as_of: dt.date) -> Decimal:
    """What the programme's approved claims have paid (approved by the end of ``as_of``),
    all its councils together: an aggregate figure, beside what the engine says was earned
    (the investor's pages)."""
    return _approved_in(programme_councils(Council.objects.all()), as_of)


def claims_beside_reports(
    user: Any, *, as_of: dt.date, payable: Decimal, above_maximum: Decimal
) -> dict[str, Decimal] | None:
    """For a council's users, where the contract sets a maximum outcome payment: the
    outcome payments the reports state as payable (``payable``: the councils' share of a
    maximum in proportion to what each earned, ``payable_money``) beside those its
    approved claims paid by ``as_of`` (claims pay in the order they come, each up to the
    headroom left, ``within_maxima``), when a maximum binds or the claims paid more; None
    otherwise (for the whole programme the maximum is the same either way)."""
    if scope_of(user).programme_wide or not contract_current().has_maxima:
        return None
    paid = _approved_in(councils_visible(user), as_of, outcome_only=True)
    if not above_maximum and paid <= payable:
        return None
    return {"payable": payable, "paid": paid}


def _approved_in(
    councils: QuerySet[Council], as_of: dt.date, *, outcome_only: bool = False
) -> Decimal:
    version = data_version(CLAIM_RECORDS)
    by_council = cached_figures(
        "approved_outcome_by_council" if outcome_only else "approved_by_council",
        version,
        (as_of,),
        lambda: (_approved_outcome_by_council if outcome_only else _approved_by_council)(as_of),
    )
    visible = councils.values_list("pk", flat=True)
    return sum((by_council[pk] for pk in visible if pk in by_council), Decimal(0))


def claim_steps(
    user: Any, today: dt.date, owner: str
) -> list[tuple[Council, ClaimStep, Decimal | None]]:
    """The next step of each of the user's councils' claims that ``owner`` ("provider" or
    "council") owes (``stars.domain.outcomes.claims.next_claim_step``), by council name,
    each with the exact total of the claim it is taken on (0 without lines; None for a
    month not prepared yet)."""
    first = contract_current().start
    statuses: dict[int, dict[dt.date, str]] = {}
    ids: dict[tuple[int, dt.date], int] = {}
    for pk, council_id, month, status in OutcomeClaim.objects.filter(
        council__in=councils_visible(user)
    ).values_list("pk", "council_id", "month", "status"):
        statuses.setdefault(council_id, {})[month] = status
        ids[council_id, month] = pk
    totals = _claim_totals_cached()
    steps = []
    for council in councils_visible(user):
        step = next_claim_step(statuses.get(council.pk, {}), first, today)
        if step is not None and step.owner == owner:
            pk = ids.get((council.pk, step.month))
            total = None if pk is None else totals.get(pk, Decimal(0))
            steps.append((council, step, total))
    return steps


@dataclass(frozen=True)
class EarlierDispute:
    """A line disputed on an earlier preparation of a claim (the claim was prepared again
    since, so the line itself is gone; its change history keeps it), with the line that
    now stands in its place (same referral, kind and component), if any."""

    referral_id: str
    child_ref: str
    line: str  # the line's kind (and component, for an adjustment), as the page names it
    reason: str
    disputed_by: str
    disputed_at: dt.datetime | None
    weeks_then: int | str  # as shown: "Not weekly" for a line weeks do not apply to
    amount_then: Decimal
    weeks_now: int | str | None
    amount_now: Decimal | None
    referral: str  # the referral's own id, for the access log (a restricted line is theirs too)


def line_label(kind: str, component: str) -> str:
    """A line's kind as pages name it, with its component for an adjustment."""
    label = str(LineKind(kind).label)
    if kind == LineKind.ADJUSTMENT:
        label += f" ({str(Component(component).label).lower()})"
    return label


def claim_disputes_before(claim: OutcomeClaim, *, viewer: Any) -> list[EarlierDispute]:
    """The lines disputed on earlier preparations of ``claim``, read from the lines' change
    history (the latest dispute of each line), each beside what the claim now holds for it.
    A restricted child's line is named "restricted" for a viewer who does not see them."""
    current = {line.pk: line for line in claim.lines.all()}
    rows = (
        ClaimLine.history.filter(claim_id=claim.pk, disputed=True, history_type="~")
        .exclude(id__in=current)
        .select_related("referral", "referral__child", "disputed_by")
        .order_by("id", "-history_date")
    )
    latest: dict[int, Any] = {}
    for row in rows:
        latest.setdefault(row.id, row)
    now = {(x.referral_id, x.kind, x.component): x for x in current.values()}
    sees = viewer is None or scope_of(viewer).sees_restricted
    out = []
    for row in sorted(latest.values(), key=lambda r: (r.disputed_at is None, r.disputed_at)):
        hidden = not sees and row.referral.child.restricted
        standing = now.get((row.referral_id, row.kind, row.component))
        out.append(
            EarlierDispute(
                referral_id=RESTRICTED if hidden else row.referral.referral_id,
                child_ref=RESTRICTED if hidden else row.referral.child.child_ref,
                line=line_label(row.kind, row.component),
                reason=row.dispute_reason,
                disputed_by=str(row.disputed_by) if row.disputed_by else "",
                disputed_at=row.disputed_at,
                weeks_then=weeks_shown(row.kind, row.component, row.rate, row.payable_weeks),
                amount_then=row.amount,
                weeks_now=standing.weeks_shown if standing else None,
                amount_now=standing.amount if standing else None,
                referral=row.referral.referral_id,
            )
        )
    return out


def disputes_shown(disputes: Iterable[EarlierDispute]) -> list[tuple[str, str]]:
    """The referrals of earlier disputes shown, for the access log."""
    return [("referral", d.referral) for d in disputes]
