"""Today's work on the home page: what waits on the signed-in user, each item linking to the
page where it is done.

The queries are the apps' selectors (each narrowed to the user's scope); this module only
chooses, per role, which lists to show and where each item is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from stars.cases.models import (
    Assessment,
    AttendanceTerm,
    CasePhase,
    MeasureEvent,
    MeetingAction,
    OutcomePeriod,
    ProgressMeeting,
)
from stars.cases.selectors import DueItem, due_on_caseload
from stars.core.cache import cached_figures, data_version
from stars.core.permissions import allowed, programme_options, scope_of
from stars.core.roles import Role
from stars.core.templatetags.stars_format import money
from stars.domain.calendar import long_date
from stars.domain.disclosure import AS_OF, SUPPRESSED, coarse_date
from stars.domain.measures import DUE_STATE_LABELS, OVERDUE
from stars.domain.outcomes.claims import APPROVE, PREPARE, SUBMIT
from stars.finance.cached import investor_page_figures
from stars.finance.models import ClaimLine, OutcomeClaim
from stars.finance.selectors import claim_steps, programme_approved_total
from stars.governance.models import DisposalStatus
from stars.governance.processing import agreements
from stars.governance.retention import review as retention_review
from stars.governance.services import disposals_in_view
from stars.notifications.selectors import emails_failing
from stars.partnership.models import Contract
from stars.partnership.selectors import councils_in_scope
from stars.referrals.models import ConsentCall, Enquiry, MatchAttempt, Referral
from stars.referrals.selectors import (
    WorkItem,
    guaranteed_funding_requests,
    referrals_unallocated,
    worklist_council_side,
    worklist_provider_side,
)
from stars.reports.services import evaluation_page_figures
from stars.sufficiency.models import ChildLink, SufficiencyReturn
from stars.sufficiency.reconcile import council_reconciliation
from stars.uploads.models import Upload

# The records today's work is drawn from: each user's lists are cached per version of them.
TODAY_RECORDS = (
    Contract,
    Enquiry,
    ConsentCall,
    MatchAttempt,
    Referral,
    OutcomePeriod,
    CasePhase,
    ProgressMeeting,
    MeetingAction,
    Assessment,
    AttendanceTerm,
    MeasureEvent,
    OutcomeClaim,
    ClaimLine,
    SufficiencyReturn,
    ChildLink,
)

SHOWN = 10  # items shown per list; the rest are counted and linked

# where each step of an enquiry is taken (stars.domain.pipeline.NextStep.action)
ENQUIRY_STEP_PAGES = {
    "papers": "enquiry_papers",
    "decide": "enquiry_decide",
    "consent": "enquiry_consent",
    "accept": "enquiry_accept",
    "match": "enquiry_match",
}
# where each thing due on a case is recorded (stars.domain.measures.due_items)
DUE_PAGES = {
    "Progress meeting": "case_meeting",
    "Assessment review": "case_assessment",
    "Attendance update": "case_attendance",
}
CLAIM_STEP_PAGES = {PREPARE: "claim_prepare", SUBMIT: "claim_submit", APPROVE: "claim_detail"}


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    detail: str
    tag: str = ""
    tag_colour: str = ""  # a govuk-tag modifier: red, yellow, grey
    logged: tuple[str, str] | None = None  # (object type, id) of a child's record shown


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    empty: str
    items: list[Item]
    total: int
    more_url: str = ""
    more_label: str = ""
    hint: str = ""
    counted: bool = True  # a list of things to do shows how many; a list of figures does not
    start_url: str = ""  # a thing the user starts from this list (a button above it)
    start_label: str = ""
    shown: list[Item] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown", self.items[:SHOWN])


def _named(record_id: str, child: Any, identifiable: bool) -> str:
    """An id with the child's name beside it, for roles that may see names."""
    name = f"{child.given_name} {child.family_name}".strip() if identifiable else ""
    return f"{record_id} · {name}" if name else record_id


def _enquiry_url(user: Any, e: Enquiry, action: str) -> str:
    name = ENQUIRY_STEP_PAGES.get(action, "")
    if name and allowed(user, name):
        return reverse(name, args=[e.enquiry_id])
    return reverse("enquiry_detail", args=[e.enquiry_id])


def _enquiry_items(user: Any, items: Iterable[WorkItem], identifiable: bool) -> list[Item]:
    return [
        Item(
            title=_named(i.enquiry.enquiry_id, i.enquiry.child, identifiable),
            url=_enquiry_url(user, i.enquiry, i.step.action),
            detail=(
                f"{capfirst(i.step.step)} ({i.enquiry.council.name}, {i.waited} since the enquiry)"
            ),
            tag="Stuck" if i.stuck else "After the referral period" if i.after_period else "",
            tag_colour="red" if i.stuck else "grey" if i.after_period else "",
            logged=("enquiry", i.enquiry.enquiry_id),
        )
        for i in items
    ]


def _after_period_hint(n: int) -> str:
    """What to do with the open enquiries dated after the referral period: close them (they
    can never become referrals, so they are not chased as stuck)."""
    if not n:
        return ""
    if n == 1:
        return (
            " 1 is dated after the referral period: it cannot become a referral, so close it "
            "by recording the meeting's decision."
        )
    return (
        f" {n} are dated after the referral period: they cannot become referrals, so close "
        "them by recording the meeting's decision."
    )


def _due_items(user: Any, items: Iterable[DueItem], identifiable: bool) -> list[Item]:
    out = []
    for i in items:
        rid = i.referral.referral_id
        name = DUE_PAGES.get(i.due.what, "")
        url = reverse(name if name and allowed(user, name) else "case_detail", args=[rid])
        out.append(
            Item(
                title=_named(rid, i.referral.child, identifiable),
                url=url,
                detail=f"{i.due.what} due {i.due.due.day} {i.due.due:%B %Y} ({i.due.rule})",
                tag=DUE_STATE_LABELS[i.state],
                tag_colour="red" if i.state == OVERDUE else "yellow",
                logged=("case", rid),
            )
        )
    return out


def _unallocated(user: Any, referrals: Iterable[Referral], identifiable: bool) -> list[Item]:
    page = "case_allocate" if allowed(user, "case_allocate") else "case_detail"
    return [
        Item(
            title=_named(r.referral_id, r.child, identifiable),
            url=reverse(page, args=[r.referral_id]),
            detail=f"accepted {r.referral_date.day} {r.referral_date:%B %Y}, "
            f"{r.council.name}, cohort {r.cohort}: no key worker yet",
            logged=("case", r.referral_id),
        )
        for r in referrals
    ]


def _claims(user: Any, today: dt.date, owner: str) -> list[Item]:
    out = []
    for council, step, total in claim_steps(user, today, owner):
        key = f"{step.month:%Y-%m}"
        out.append(
            Item(
                title=council.name,
                url=reverse(CLAIM_STEP_PAGES[step.action], args=[council.code, key]),
                detail=step.description
                if total is None
                else f"{step.description}, total {money(total)}",
            )
        )
    return out


def _guaranteed_funding(enquiries: Iterable[Enquiry], identifiable: bool) -> list[Item]:
    return [
        Item(
            title=_named(e.enquiry_id, e.child, identifiable),
            url=reverse("enquiry_approve_gf", args=[e.enquiry_id]),
            detail=f"progressed at its meeting, cohort {e.cohort}: outside the cohort's "
            "criteria, so only guaranteed funding can pay for the place",
            logged=("enquiry", e.enquiry_id),
        )
        for e in enquiries
    ]


def _discrepancies(user: Any, today: dt.date) -> list[Item]:
    if not allowed(user, "sufficiency_reconcile"):
        return []
    out = []
    for council in councils_in_scope(user):
        found = council_reconciliation(council, today)
        n = len(found["findings"])
        if n:
            out.append(
                Item(
                    title=council.name,
                    url=reverse("sufficiency_reconcile", args=[council.code]),
                    detail=f"{n} claimed period{'' if n == 1 else 's'} the council's records "
                    "do not support",
                )
            )
    return out


def _section(
    key: str,
    heading: str,
    empty: str,
    items: list[Item],
    more: str = "",
    more_label: str = "",
    hint: str = "",
) -> Section:
    return Section(
        key,
        heading,
        empty,
        items,
        len(items),
        reverse(more) if more else "",
        more_label,
        hint,
    )


def today_work_cached(user: Any, today: dt.date) -> list[Section]:
    """``today_work``, computed once per user, day and version of ``TODAY_RECORDS``; only
    the items shown are kept with each list's count (a key worker of a large programme has
    tens of thousands of things due: reading them all back would cost more than the page)."""
    return cached_figures(
        "today_work",
        data_version(TODAY_RECORDS),
        (user.pk, user.role, today),
        lambda: [replace(s, items=s.shown) for s in today_work(user, today)],
    )


def today_work(user: Any, today: dt.date) -> list[Section]:
    """The lists of today's work for the user's role (none for aggregate-only roles)."""
    scope = scope_of(user)
    if not scope.child_level:
        return []
    names = scope.identifiable
    role = user.role
    sections: list[Section] = []
    if role == Role.SPOC:
        enquiries = _section(
            "enquiries",
            "Enquiries waiting on the council",
            "No enquiry is waiting on the council.",
            _enquiry_items(user, worklist_council_side(user, today), names),
            "enquiry_list",
            "All open enquiries",
            "Papers the social worker has still to send, and children waiting for a "
            "foster match; stuck ones first.",
        )
        if allowed(user, "enquiry_new"):  # the SPOC records the council's enquiries
            enquiries = replace(
                enquiries, start_url=reverse("enquiry_new"), start_label="Record an enquiry"
            )
        sections.append(enquiries)
    if role in (Role.PROVIDER_MANAGER, Role.ADMIN):
        provider_side = worklist_provider_side(user, today)
        sections += [
            _section(
                "decisions",
                "Decisions, consent calls and acceptances",
                "No enquiry is waiting on the provider.",
                _enquiry_items(user, provider_side, names),
                "enquiry_list",
                "All open enquiries",
                "Enquiries waiting on the provider; stuck ones first."
                + _after_period_hint(sum(1 for i in provider_side if i.after_period)),
            ),
            _section(
                "allocations",
                "Cases to allocate",
                "Every live case has a key worker.",
                _unallocated(user, referrals_unallocated(user), names),
            ),
            _section(
                "claims",
                "Claims to prepare or submit",
                "No claim is waiting on the provider.",
                _claims(user, today, "provider"),
                "finance_claims",
                "All claims",
            ),
        ]
    if role == Role.COMMISSIONER:
        sections += [
            _section(
                "claims",
                "Claims awaiting your approval",
                "No claim is waiting for your approval.",
                _claims(user, today, "council"),
                "finance_claims",
                "All claims",
            ),
            _section(
                "guaranteed_funding",
                "Guaranteed funding to approve",
                "No guaranteed-funding request is waiting.",
                _guaranteed_funding(guaranteed_funding_requests(user), names),
            ),
            _section(
                "discrepancies",
                "Reconciliation discrepancies",
                "Claimed weeks agree with the council's children-looked-after records.",
                _discrepancies(user, today),
                hint="Claimed weeks of linked referrals that the council's SSDA903 returns "
                "do not support.",
            ),
        ]
    if role == Role.KEY_WORKER:
        sections.append(
            _section(
                "due",
                "Due this week and overdue",
                "Nothing is due this week on your caseload.",
                _due_items(user, due_on_caseload(user, today), names),
                "case_caseload",
                "Your caseload",
                "Progress meetings, assessment reviews and attendance updates, soonest due first.",
            )
        )
    return sections


# -- an administrator's attention, and the aggregate roles' figures --------------------------
# Not cached: these read records outside ``TODAY_RECORDS`` (emails, uploads, disposals,
# agreements), each with one small query.

RECENT_UPLOADS = dt.timedelta(days=7)  # uploads that did not import, shown this long


def _plural(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def administration(user: Any, today: dt.date) -> list[Section]:
    """What waits on an administrator: emails that failed, uploads that did not import,
    disposals awaiting a second administrator, records due for disposal, and data-sharing
    agreements about to lapse (each linking to where it is dealt with)."""
    if not allowed(user, "administration"):
        return []
    items: list[Item] = []
    failing = emails_failing().count()
    if failing:
        items.append(
            Item(
                title="Failed emails",
                url=reverse("notification_failures"),
                detail=f"{_plural(failing, 'email')} being retried or given up",
                tag="Failed",
                tag_colour="red",
            )
        )
    since = timezone.now() - RECENT_UPLOADS
    for upload in Upload.objects.filter(
        uploaded_at__gte=since, status__in=[Upload.Status.REJECTED, Upload.Status.FAILED]
    ).select_related("council")[:SHOWN]:
        page = "tracker_upload" if upload.kind == Upload.Kind.TRACKER else "returns_upload"
        items.append(
            Item(
                title=f"Upload {upload.pk}: {upload.get_kind_display()}",
                url=reverse(page, args=[upload.pk]),
                detail=f"{upload.get_status_display()}, "
                f"{timezone.localtime(upload.uploaded_at):%d %B %Y} by "
                f"{upload.uploaded_by_name}",
                tag="Not imported",
                tag_colour="yellow",
            )
        )
    waiting = (  # of the programme worked in: only its administrators approve them
        disposals_in_view().filter(status=DisposalStatus.REQUESTED).exclude(requested_by=user)
    )
    for d in waiting[:SHOWN]:
        items.append(
            Item(
                title=f"Disposal {d.pk}: {d.get_kind_display()}",
                url=reverse("governance_disposals"),
                detail=f"{_plural(d.count, 'record')} requested by {d.requested_by}: "
                "awaiting a second administrator",
                tag="Approve",
                tag_colour="yellow",
            )
        )
    due = [k for k in retention_review(today, shown=0) if k.count]
    if due:
        items.append(
            Item(
                title="Records due for disposal",
                url=reverse("governance_retention"),
                detail="; ".join(f"{k.rule.label}: {k.count:,}" for k in due),
            )
        )
    _, warnings = agreements(today)
    items += [
        Item(title="Data-sharing agreement", url=reverse("governance_agreements"), detail=w)
        for w in warnings
    ]
    return [
        _section(
            "administration",
            "Needs an administrator",
            "Nothing needs an administrator: no failed email or upload, no disposal or "
            "agreement waiting.",
            items,
            "governance_home",
            "Information governance",
        )
    ]


def at_a_glance(user: Any, today: dt.date, contract: Any) -> list[Section]:
    """The programme's headline figures for the aggregate-only roles (investor, evaluator),
    each linking to the page that explains it; small counts suppressed as on those pages.
    They are as of the last quarter ended by ``today``, not today: figures that changed
    every day would give each day's children away to anyone looking daily
    (``stars.domain.disclosure.coarse_date``, decision 0008)."""
    scope = scope_of(user)
    if scope.child_level or contract is None:
        return []
    day = coarse_date(today, AS_OF, today)
    items: list[Item] = []
    if allowed(user, "finance_investor"):
        o = investor_page_figures(contract, day)
        to_date, projected = o["to_date"], o["projected"]
        paid = f"{money(o['paid'])} earned to date"
        # the outcome payments earned, of which the maximum is the cap (as published: "c"
        # where they would give a hidden count away, and then no share of the maximum)
        if o["cap"] and o["outcome_payments"] == SUPPRESSED:
            paid += f" (outcome payments {SUPPRESSED})"
        elif o["cap"]:
            paid += (
                f" (outcome payments {money(to_date.outcome_payments)}, "
                f"{to_date.outcome_payments / o['cap']:.1%} of the {money(o['cap'])} maximum)"
            )
        paid += f", {money(programme_approved_total(day))} paid in approved claims"
        if to_date.above_maximum:
            paid += (
                f"; {money(o['above_maximum'])} outcome payments earned above the maximum "
                "outcome payment, not payable"
            )
        items += [
            Item(
                title="Outcome payments",
                url=reverse("finance_investor"),
                detail=f"{paid}; {money(projected.paid)} projected once the cases live now end",
            ),
            Item(
                title="Children referred",
                url=reverse("finance_investor"),
                detail=(
                    o["referrals_total_hidden"]
                    if o["referrals_total"] == SUPPRESSED
                    else f"{o['referrals_total']:,}"
                )
                + f" against a minimum of {o['minimum_total']:,}",
            ),
        ]
        if len(programme_options(user) or []) > 1 and allowed(user, "finance_portfolio"):
            items.append(
                Item(
                    title="Your portfolio",
                    url=reverse("finance_portfolio"),
                    detail="Every programme you fund, side by side",
                )
            )
    if allowed(user, "report_evaluation"):
        figures = evaluation_page_figures(scope, day, published=True)
        f, referred = figures["report"]["finance"], figures["report"]["referrals"]["total"]
        items.append(
            Item(
                title="Evaluation report",
                url=reverse("report_evaluation"),
                detail=(
                    f"Referrals: {figures['referrals_total_hidden']}"
                    if referred == SUPPRESSED
                    else f"{referred:,} referrals"
                )
                + ", "
                f"{f['sustained_weeks']:,} sustained weeks, net cash saving "
                f"{money(f['net_cash_saving'])}",
            )
        )
    if allowed(user, "finance_extract"):
        items.append(
            Item(
                title="Evaluation extract",
                url=reverse("finance_extract"),
                detail="One pseudonymised row per referral: no names, no dates of birth",
            )
        )
    if allowed(user, "report_board"):
        items.append(
            Item(
                title="Board report card",
                url=reverse("report_board"),
                detail="The programme on one page, for the board",
            )
        )
    glance = _section(
        "glance",
        f"Figures as of {long_date(day)}",
        "No figures yet: no tracker is loaded.",
        items,
        hint="Each figure links to the page that explains it.",
    )
    return [replace(glance, counted=False)]
