"""Reads of enquiries and referrals, always narrowed to the user's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import holidays as holiday_calendars
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize

from stars.core.permissions import scope_of
from stars.core.templatetags.stars_format import count
from stars.domain.pipeline import (
    PAPERS,
    EnquiryState,
    NextStep,
    is_stuck,
    name_key,
    name_pattern,
    next_step,
    stuck_before,
    working_days_between,
)
from stars.partnership.selectors import contract_current
from stars.referrals.models import (
    OPEN_DECISIONS,
    Child,
    ConsentCall,
    Decision,
    Enquiry,
    MatchAttempt,
    Referral,
    Status,
)

# What the lists of enquiries and referrals are counted from (scopes included: a key
# worker's enquiries through their referrals, a restricted child's records left out): their
# counts are kept per version of these records (stars.core.listing.rows_count).
LISTED = (Child, Enquiry, Referral)


def referrals_visible(user: Any) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("council", "child", "key_worker", "enquiry")
    return scope_of(user).filter(qs, child="child__")


def referral_get(user: Any, referral_id: str) -> Referral:
    """One referral the user may see; 404 (not 403) for anything outside their scope."""
    return get_object_or_404(referrals_visible(user), referral_id=referral_id)


def enquiries_visible(user: Any) -> QuerySet[Enquiry]:
    scope = scope_of(user)
    qs = scope.filter(
        Enquiry.objects.select_related("council", "child"),
        key_worker="referrals__key_worker_id",
        child="child__",
    )
    # a key worker's enquiries are found through their referrals (a row for each): only
    # then can an enquiry come twice
    return qs.distinct() if scope.key_worker_id is not None else qs


def children_visible(user: Any) -> QuerySet[Child]:
    """The children in the user's scope: their councils' (a key worker's through their
    referrals), a restricted child's left out for everyone but administrators."""
    return (
        scope_of(user)
        .filter(Child.objects.all(), key_worker="referrals__key_worker_id", child="")
        .distinct()
        .select_related("council")
    )


def child_named(child_ref: str) -> Child | None:
    """The child of the programme worked in whose reference an administrator typed (subject
    access, restriction): spaces around it ignored, and its case too when one child's
    reference alone matches so (a reference copied from a letter in lower case was answered
    "No child has the reference", read as nothing held); None when none matches, or when
    references told apart by case alone match and it was not typed exactly."""
    return _child_typed(Child.objects.select_related("council"), child_ref)


def _child_typed(children: QuerySet[Child], child_ref: str) -> Child | None:
    """The one child among ``children`` whose reference was typed: spaces around it
    ignored, and its case too when one child's reference alone matches so; None when none
    matches, or when references told apart by case alone match and it was not typed
    exactly."""
    ref = child_ref.strip()
    exact = children.filter(child_ref=ref).first()
    if exact is not None:
        return exact
    alike = list(children.filter(child_ref__iexact=ref)[:2])
    return alike[0] if len(alike) == 1 else None


def child_visible(user: Any, child_ref: str) -> Child | None:
    """The child with this reference in the user's scope, typed as ``child_named`` takes it
    (spaces around it and its case ignored: an API client's copy of ``CH-1A2B3C4D`` in
    lower case); None for one outside the scope (another council's, a restricted one)
    exactly as for one that does not exist."""
    return _child_typed(children_visible(user), child_ref)


def children_alike(
    user: Any, *, council_code: str, given_name: str, family_name: str, date_of_birth: dt.date
) -> list[Child]:
    """Children of this council in the user's scope with the same name (case and spaces
    ignored) and date of birth: most likely the same child, entered again. Another
    council's children are never returned."""
    key = name_key(given_name, family_name)
    qs = (
        children_visible(user)
        .filter(council__code=council_code, date_of_birth=date_of_birth)
        .prefetch_related("enquiries")
        .order_by("pk")
    )
    return [c for c in qs if name_key(c.given_name, c.family_name) == key]


def enquiry_resent(
    user: Any,
    *,
    since: dt.datetime,
    council_code: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    cohort: str,
    enquiry_date: dt.date,
    social_worker: str = "",
    team: str = "",
    needs: Iterable[str] = (),
    papers: Iterable[str] = (),
    why_now: str = "",
) -> Enquiry | None:
    """The latest enquiry identical to this one that ``user`` recorded since ``since``: for
    the same child by the form's rule (:func:`children_alike`), with every other field the
    same (the cohort by its code in the contract). Most likely the same request sent again
    after an answer was lost; None when there is none."""
    children = children_alike(
        user,
        council_code=council_code,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
    )
    if not children:
        return None
    made_by_user = Enquiry.history.filter(
        history_type="+", history_user_id=user.pk, history_date__gte=since
    ).values("id")
    alike = enquiries_visible(user).filter(
        child__in=children,
        pk__in=made_by_user,
        created_at__gte=since,
        cohort=contract_current().canonical_cohort(cohort) or cohort,
        enquiry_date=enquiry_date,
        social_worker=social_worker,
        team=team,
        why_now=why_now,
    )
    same = sorted(needs), sorted(papers)
    found = [e for e in alike.order_by("-created_at", "-pk") if (e.needs, e.papers) == same]
    return found[0] if found else None


def children_alike_restricted(
    user: Any, *, council_code: str, given_name: str, family_name: str, date_of_birth: dt.date
) -> int:
    """How many children alike (as :func:`children_alike`) this user cannot see because
    their processing is restricted (only administrators see them): the duplicate is still
    detected, and the user told only that one may exist, not whose it is."""
    scope = scope_of(user)
    if scope.sees_restricted or not scope.child_level or not scope.covers(council_code):
        return 0
    key = name_key(given_name, family_name)
    rows = Child.objects.filter(
        council__code=council_code, date_of_birth=date_of_birth, restricted=True
    ).values_list("given_name", "family_name")
    return sum(1 for given, family in rows if name_key(given, family) == key)


# -- the worklist and targets ------------------------------------------------------------


@lru_cache(maxsize=32)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays of a year (from the `holidays` package)."""
    return frozenset(holiday_calendars.country_holidays("GB", subdiv="ENG", years=year))


def holidays_between(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    days: set[dt.date] = set()
    for y in range(start.year, end.year + 1):
        days |= bank_holidays(y)
    return frozenset(days)


@dataclass(frozen=True)
class WorkItem:
    enquiry: Enquiry
    days_waiting: int
    step: NextStep
    stuck: bool

    @property
    def waited(self) -> str:
        """How long the enquiry has waited, as the pages and notifications say it: "1 working
        day", "1,055 working days"."""
        return f"{count(self.days_waiting)} working day{pluralize(self.days_waiting)}"

    after_period: bool = False  # dated after the referral period: to close, not to chase


def enquiry_state(
    enquiry: Enquiry, consent: str | None, accepted: bool, contract: Any = None
) -> EnquiryState:
    contract = contract or contract_current()
    return EnquiryState(
        enquiry_date=enquiry.enquiry_date,
        decision=enquiry.decision,
        papers=frozenset(enquiry.papers or []),
        consent_required=contract.consent_call_required(enquiry.enquiry_date),
        consent_outcome=consent,
        accepted=accepted,
        last_activity=enquiry.last_activity or enquiry.enquiry_date,
        waiting_for_match=enquiry.decision == "waiting_list",
        after_referral_period=not contract.referral_period_open_on(enquiry.enquiry_date),
    )


def latest_consent(enquiry: Enquiry) -> str | None:
    call = enquiry.consent_calls.order_by("-call_date", "-id").first()
    return call.outcome if call else None


def open_enquiries(user: Any) -> QuerySet[Enquiry]:
    """Open enquiries in the user's scope (not accepted, not closed at the meeting), oldest
    first, each with whether a consent call was agreed or declined."""
    agreed = ConsentCall.objects.filter(enquiry=OuterRef("pk"), outcome="agreed")
    declined = ConsentCall.objects.filter(enquiry=OuterRef("pk"), outcome="declined")
    open_ = enquiries_visible(user).filter(decision__in=OPEN_DECISIONS, accepted=False)
    if open_.query.distinct:  # the scope as a semi-join: no DISTINCT, so the database can
        open_ = Enquiry.objects.filter(pk__in=open_.values("pk"))  # stop at a page
    return (
        open_.select_related("council", "child")
        .annotate(agreed=Exists(agreed), declined=Exists(declined))
        .order_by("enquiry_date", "enquiry_id")
    )


def work_items(
    enquiries: Iterable[Enquiry], today: dt.date, contract: Any = None
) -> list[WorkItem]:
    """Each open enquiry (from :func:`open_enquiries`) with its next step and stuck flag."""
    contract = contract or contract_current()
    items = []
    for e in enquiries:
        consent = "agreed" if e.agreed else ("declined" if e.declined else None)  # type: ignore[attr-defined]
        state = enquiry_state(e, consent, False, contract)
        hols = holidays_between(e.enquiry_date, today)
        items.append(
            WorkItem(
                enquiry=e,
                days_waiting=working_days_between(e.enquiry_date, today, hols),
                step=next_step(state),
                stuck=is_stuck(
                    state,
                    today,
                    holidays_between(state.last_activity, today),
                    contract.stuck_after_working_days,
                ),
                after_period=state.after_referral_period,
            )
        )
    return items


def worklist(user: Any, today: dt.date) -> list[WorkItem]:
    """Open enquiries in the user's scope, oldest first, with next step and stuck flag."""
    return work_items(open_enquiries(user), today)


def _papers_complete() -> Q:
    """Every paper received (the papers are stored as a JSON list of their codes)."""
    q = Q()
    for p in PAPERS:
        q &= Q(papers__icontains=f'"{p}"')
    return q


def after_referral_period(contract: Any = None) -> Q:
    """Enquiries dated after the contract's referral period
    (``Contract.referral_period_open_on``), as a filter the database applies: they can never
    become referrals, so open ones are to be closed, not chased
    (:data:`stars.domain.pipeline.CLOSE_AFTER_PERIOD`)."""
    return Q(enquiry_date__gt=(contract or contract_current()).referral_period_end)


def waiting_on(side: str, contract: Any = None) -> Q:
    """Open enquiries whose next step (:func:`stars.domain.pipeline.next_step`) is owed by
    the council ("council": papers, a match) or the provider ("provider": the meeting's
    decision, the consent call, the acceptance, and closing one dated after the referral
    period), as a filter the database applies."""
    after = after_referral_period(contract)
    if side == "council":
        return (
            Q(decision=Decision.WAITING_LIST) | (Q(decision=Decision.PENDING) & ~_papers_complete())
        ) & ~after
    return (
        Q(decision=Decision.PROGRESSED) | (Q(decision=Decision.PENDING) & _papers_complete())
    ) | after


def stuck_filter(today: dt.date, contract: Any = None) -> Q:
    """Open enquiries stuck today (:func:`stars.domain.pipeline.is_stuck`): no activity for
    more than the contract's limit of working days, and dated within the referral period."""
    contract = contract or contract_current()
    limit = contract.stuck_after_working_days
    since = dt.date(today.year - 1 - limit // 200, 1, 1)  # holidays back past the limit
    cutoff = stuck_before(today, holidays_between(since, today), limit)
    idle = Q(last_activity__lt=cutoff) | Q(last_activity__isnull=True, enquiry_date__lt=cutoff)
    return idle & ~after_referral_period(contract)


# -- today's work --------------------------------------------------------------------------


def worklist_council_side(user: Any, today: dt.date) -> list[WorkItem]:
    """Open enquiries waiting on the council (papers from the social worker, a match), the
    stuck ones first, then oldest first."""
    items = [i for i in worklist(user, today) if i.step.council_side]
    return sorted(items, key=lambda i: not i.stuck)


def worklist_provider_side(user: Any, today: dt.date) -> list[WorkItem]:
    """Open enquiries waiting on the provider (a meeting decision, a consent call, the
    acceptance), the stuck ones first, then oldest first."""
    items = [i for i in worklist(user, today) if i.step.provider_side]
    return sorted(items, key=lambda i: not i.stuck)


def guaranteed_funding_requests(user: Any) -> list[Enquiry]:
    """Enquiries progressed at their meeting, not yet accepted, for a child outside the
    cohort's criteria (so only guaranteed funding can pay for the place) and not yet
    approved by the commissioner: what a commissioner is asked to approve."""
    contract = contract_current()
    qs = enquiries_visible(user).filter(
        decision=Decision.PROGRESSED, accepted=False, gf_approved_by__isnull=True
    )
    return [
        e
        for e in qs.order_by("enquiry_date", "enquiry_id")
        if not contract.eligibility(e.cohort, e.child.date_of_birth, e.enquiry_date).eligible
    ]


def referrals_unallocated(user: Any) -> QuerySet[Referral]:
    """Live referrals with no key worker yet, oldest first."""
    return (
        referrals_visible(user)
        .filter(status=Status.LIVE, key_worker__isnull=True)
        .order_by("referral_date", "referral_id")
    )


# -- lists and search ------------------------------------------------------------------------

REFERRAL_SORTS = {
    "newest": ("Newest first", ("-referral_date", "-referral_id")),
    "oldest": ("Oldest first", ("referral_date", "referral_id")),
    "id": ("By referral id", ("referral_id",)),
}


def referrals_listed(
    user: Any, *, status: str = "", council: str = "", cohort: str = "", sort: str = "newest"
) -> QuerySet[Referral]:
    """The referral list: the user's referrals, filtered, newest first unless asked."""
    qs = referrals_visible(user)
    if status:
        qs = qs.filter(status=status)
    if council:
        qs = qs.filter(council__code=council)
    if cohort:
        qs = qs.filter(cohort=cohort)
    return qs.order_by(*REFERRAL_SORTS.get(sort, REFERRAL_SORTS["newest"])[1])


SEARCH_LIMIT = 50  # results shown per kind of record


def _search_q(model: Any, text: str, id_field: str) -> Q | None:
    """Records whose id or child reference contains the text, or whose child's names hold
    every word of it (case, accents and the form of an apostrophe ignored: "zoe o'neill"
    finds Zoë O’Neill): "sam elm" finds Sam Elmsworth, and so does the family
    name first with a comma, as case records list names ("Elmsworth, Sam"). The matches are found
    as keys, each kind of match on its own table (the records by id, the children by
    reference and names), so that on PostgreSQL each is a lookup in a trigram index
    (migration referrals 0006) rather than a scan of every record joined to its child."""
    words = text.replace(",", " ").split()
    if not words:
        return None
    named = Q()
    for w in words:  # accents and apostrophes as typed or not: name_pattern
        named &= Q(given__regex=name_pattern(w)) | Q(family__regex=name_pattern(w))
    children = Child.objects.annotate(
        given=Upper("given_name"), family=Upper("family_name")
    ).filter(Q(child_ref__icontains=text.strip()) | named)
    by_id = model.objects.filter(**{f"{id_field}__icontains": text.strip()})
    by_child = model.objects.filter(child__in=children.order_by().values("pk"))
    keys = by_id.order_by().values("pk").union(by_child.order_by().values("pk"), all=True)
    return Q(pk__in=keys)


def search_enquiries(user: Any, text: str) -> list[Enquiry]:
    """Enquiries in the user's scope matching the text (id, child reference or name),
    newest first."""
    q = _search_q(Enquiry, text, "enquiry_id")
    if q is None:
        return []
    qs = enquiries_visible(user).filter(q).order_by("-enquiry_date", "-enquiry_id")
    return list(qs[:SEARCH_LIMIT])


def search_referrals(user: Any, text: str) -> list[Referral]:
    """Referrals (and so cases) in the user's scope matching the text, newest first."""
    q = _search_q(Referral, text, "referral_id")
    if q is None:
        return []
    qs = referrals_visible(user).filter(q).order_by("-referral_date", "-referral_id")
    return list(qs[:SEARCH_LIMIT])


@dataclass(frozen=True)
class Waiting:
    """A child on the waiting list for a foster placement (a match)."""

    enquiry: Enquiry
    since: dt.date
    days: int
    attempts: int
    latest: MatchAttempt | None
    has_profile: bool


def waiting_enquiries(user: Any) -> QuerySet[Enquiry]:
    """Children in the user's scope waiting for a foster match (decided "waiting list" at
    the enquiry meeting, not yet accepted), longest waiting first."""
    return (
        enquiries_visible(user)
        .filter(decision=Decision.WAITING_LIST, accepted=False)
        .select_related("profile")
        .prefetch_related("matches")
        .order_by("decision_date", "enquiry_id")
    )


def waiting_rows(enquiries: Iterable[Enquiry], today: dt.date) -> list[Waiting]:
    """Each waiting enquiry with how long it has waited and its match attempts so far."""
    out = []
    for e in enquiries:
        matches = sorted(e.matches.all(), key=lambda m: (m.shared_on, m.pk))
        since = e.decision_date or e.enquiry_date
        out.append(
            Waiting(
                enquiry=e,
                since=since,
                days=max((today - since).days, 0),
                attempts=len(matches),
                latest=matches[-1] if matches else None,
                has_profile=hasattr(e, "profile"),
            )
        )
    return out
