"""Referral pipeline pages: worklist, enquiry, its steps, referrals. Views stay thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from stars.core.audit import record_access, record_list
from stars.core.documents import download, pdf
from stars.core.forms import form_step
from stars.core.idempotency import one_at_a_time
from stars.core.listing import Filter, Rows, filters_from, page_of, query_without_page, rows_count
from stars.core.permissions import allowed, page, scope_of
from stars.domain.calendar import age_on, long_date
from stars.domain.idempotency import RESENT_WITHIN, minutes_ago
from stars.domain.pipeline import (
    PAPER_LABELS,
    PROFILE_FIELDS,
    acceptance_date_offered,
    acceptance_period_hint,
    enquiry_period_warning,
    next_step,
    profile_version,
)
from stars.partnership.models import User
from stars.partnership.selectors import contract_current, councils_in_scope, key_worker_choices
from stars.referrals import forms, services
from stars.referrals.models import Child, ChildProfile, Decision, Enquiry, Status
from stars.referrals.selectors import (
    LISTED,
    REFERRAL_SORTS,
    after_referral_period,
    children_alike,
    children_alike_restricted,
    enquiries_visible,
    enquiry_resent,
    enquiry_state,
    latest_consent,
    open_enquiries,
    referral_get,
    referrals_listed,
    stuck_filter,
    waiting_enquiries,
    waiting_on,
    waiting_rows,
    work_items,
)

# -- referrals ------------------------------------------------------------------------------


@page("referral_list")
def referral_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    contract = contract_current()
    specs = [Filter("status", "Status", Status.choices)]
    if scope.programme_wide:
        specs.append(
            Filter(
                "council", "Council", [(c.code, c.name) for c in councils_in_scope(request.user)]
            )
        )
    specs += [
        Filter("cohort", "Cohort", [(c, c) for c in contract.cohort_codes]),
        Filter(
            "sort",
            "Sort",
            [(k, label) for k, (label, _) in REFERRAL_SORTS.items()],
            "newest",
            all_label="",
        ),
    ]
    filters = filters_from(request, *specs)
    chosen = {f.name: f.value for f in filters}
    listed = referrals_listed(request.user, **chosen)
    referrals = page_of(request, Rows(listed, list, tracked=LISTED))
    record_list(
        user=request.user,
        object_type="referral",
        object_ids=[r.referral_id for r in referrals],
        path=request.get_full_path(),
    )
    return render(
        request,
        "referrals/referral_list.html",
        {
            "referrals": referrals,
            "filters": filters,
            "query": query_without_page(request),
            "scope": scope,
        },
    )


@page("referral_rerefer")
def referral_rerefer(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(request.user, referral_id)
    record_access(
        user=request.user,
        action="view",
        object_type="referral",
        object_id=referral.referral_id,
        path=request.path,
    )
    cohorts = [(c.code, f"{c.code}: {c.name}") for c in contract_current().cohorts]
    form = forms.RereferForm(request.POST or None, cohorts=cohorts)
    return form_step(
        request,
        form,
        lambda d: services.referral_rerefer(
            referral=referral, on=d["referral_date"], cohort=d["cohort"], reason=d["reason"]
        ),
        done=lambda new: (
            f"Re-referral {new.referral_id} created",
            reverse("referral_detail", args=[new.referral_id]),
        ),
        heading="Re-refer",
        caption=f"Referral {referral.referral_id}",
        back=reverse("referral_detail", args=[referral.referral_id]),
        submit="Create the re-referral",
    )


# -- enquiries ------------------------------------------------------------------------------


WORKLIST_SORTS = [("oldest", "Oldest first"), ("newest", "Newest first")]
WAITING_ON = [("council", "The council"), ("provider", "The provider")]
PERIOD = [("within", "Within the referral period"), ("after", "After the referral period")]


@page("enquiry_list")
def enquiry_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    specs = []
    if scope.programme_wide:
        councils = [(c.code, c.name) for c in councils_in_scope(request.user)]
        specs.append(Filter("council", "Council", councils))
    specs += [
        Filter("waiting_on", "Waiting on", WAITING_ON, all_label="Anyone"),
        Filter("stuck", "Stuck", [("yes", "Stuck only")], all_label="Stuck or not"),
        Filter("period", "Dated", PERIOD, all_label="Any date"),
        Filter("sort", "Sort", WORKLIST_SORTS, "oldest", all_label=""),
    ]
    filters = filters_from(request, *specs)
    chosen = {f.name: f.value for f in filters}
    today = timezone.localdate()
    contract = contract_current()
    enquiries = open_enquiries(request.user)
    if chosen.get("council"):
        enquiries = enquiries.filter(council__code=chosen["council"])
    if chosen["waiting_on"]:
        enquiries = enquiries.filter(waiting_on(chosen["waiting_on"], contract))
    after = after_referral_period(contract)
    if chosen["period"]:
        enquiries = enquiries.filter(after if chosen["period"] == "after" else ~after)
    if chosen["stuck"]:
        enquiries = enquiries.filter(stuck_filter(today, contract))
    if chosen["sort"] == "newest":
        enquiries = enquiries.order_by("-enquiry_date", "-enquiry_id")
    page_obj = page_of(
        request, Rows(enquiries, lambda page: work_items(page, today, contract), tracked=LISTED)
    )
    record_list(
        user=request.user,
        object_type="enquiry",
        object_ids=[i.enquiry.enquiry_id for i in page_obj],
        path=request.get_full_path(),
    )
    stuck = (
        page_obj.paginator.count
        if chosen["stuck"]
        else rows_count(enquiries.filter(stuck_filter(today, contract)), LISTED)
    )
    after_period = (
        page_obj.paginator.count
        if chosen["period"] == "after"
        else 0
        if chosen["period"]
        else rows_count(enquiries.filter(after), LISTED)
    )
    return render(
        request,
        "referrals/worklist.html",
        {
            "items": page_obj,
            "page_obj": page_obj,
            "stuck": stuck,
            "limit": contract.stuck_after_working_days,
            "after_period": after_period,
            "period_end": contract.referral_period_end,
            "period_chosen": chosen["period"],
            "can_create": allowed(request.user, "enquiry_new"),
            "filters": filters,
            "query": query_without_page(request),
            "scope": scope,
        },
    )


@page("enquiry_waiting")
def enquiry_waiting(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = Rows(
        waiting_enquiries(request.user), lambda page: waiting_rows(page, today), tracked=LISTED
    )
    shown = page_of(request, rows)
    record_list(
        user=request.user,
        object_type="enquiry",
        object_ids=[w.enquiry.enquiry_id for w in shown],
        path=request.get_full_path(),
        detail="waiting list",
    )
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "rows": shown,
            "page_obj": shown,
            "scope": scope_of(request.user),
            "can_match": allowed(request.user, "enquiry_match"),
        },
    )


def _enquiry(request: HttpRequest, enquiry_id: str) -> Enquiry:
    return get_object_or_404(enquiries_visible(request.user), enquiry_id=enquiry_id)


@page("enquiry_new")
def enquiry_new(request: HttpRequest) -> HttpResponse:
    """Record an enquiry. The same user's submits run one at a time, as the API's writes do:
    a double-click's second submit waits for the first, then finds its enquiry and shows it
    instead of recording it again."""
    if request.method != "POST":
        return _enquiry_new(request)
    with one_at_a_time(request.user):
        return _enquiry_new(request)


def _enquiry_new(request: HttpRequest) -> HttpResponse:
    contract = contract_current()
    councils_qs = councils_in_scope(request.user)
    councils = [(c.code, c.name) for c in councils_qs]
    cohorts = [(c.code, f"{c.code}: {c.name}") for c in contract.cohorts]
    form = forms.EnquiryForm(request.POST or None, councils=councils, cohorts=cohorts)
    alike: list[Child] = []
    hidden = 0
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        same = {
            "council_code": d["council"],
            "given_name": d["given_name"],
            "family_name": d["family_name"],
            "date_of_birth": d["date_of_birth"],
        }
        now = timezone.now()
        first = enquiry_resent(
            request.user,
            since=now - RESENT_WITHIN,
            **same,
            **{k: d[k] for k in RESENT_FIELDS},
        )
        if first is not None:
            messages.info(
                request,
                f"You recorded this enquiry {minutes_ago(first.created_at, now)}: "
                f"{first.enquiry_id}, for the same child with every field the same. "
                "Nothing was recorded again.",
            )
            return redirect("enquiry_detail", first.enquiry_id)
        alike = children_alike(request.user, **same)
        hidden = children_alike_restricted(request.user, **same)
        if alike:  # the children shown are read from their records, as the API's 409 logs
            record_list(
                user=request.user,
                object_type="child",
                object_ids=[c.child_ref for c in alike],
                path=request.path,
                detail="enquiry form: a child of the same name and date of birth",
            )
        if alike or hidden:  # ask whether it is one of them before saving anything
            form = forms.EnquiryForm(
                request.POST,
                councils=councils,
                cohorts=cohorts,
                alike=alike,
                hidden=hidden,
                asked=request.POST.get(ASKED) == "1",
            )
    context = {
        "heading": "Record an enquiry",
        "live_eligibility": True,
        "submit": "Record the enquiry",
        "intro": "Only what the enquiry meeting needs. Papers can follow.",
        "warning": " ".join(filter(None, [_alike_warning(alike), _hidden_warning(hidden)])),
        "hidden": [(ASKED, "1")] if alike or hidden else [],
    }
    answer = form.cleaned_data.get(forms.SAME_CHILD) if form.is_valid() else None
    if (alike or hidden) and answer == forms.ASK_ADMIN:
        messages.info(
            request,
            "Nothing was recorded: ask an administrator to check the possible duplicate, "
            "then record the enquiry.",
        )
        return redirect("enquiry_new")
    if (alike or hidden) and not answer:
        # not saved until the SPOC says whether it is one of the children already recorded
        return render(request, "stars/form_page.html", {"form": form, **context})
    return form_step(
        request,
        form,
        lambda d: services.enquiry_record(
            council=councils_qs.get(code=d["council"]),
            cohort=d["cohort"],
            given_name=d["given_name"],
            family_name=d["family_name"],
            date_of_birth=d["date_of_birth"],
            enquiry_date=d["enquiry_date"],
            social_worker=d["social_worker"],
            team=d["team"],
            needs=d["needs"],
            papers=d["papers"],
            why_now=d["why_now"],
            outside_criteria=d["outside_criteria"],
            child=next((c for c in alike if c.child_ref == d.get(forms.SAME_CHILD)), None),
        ),
        done=lambda enquiry: (
            f"Enquiry {enquiry.enquiry_id} recorded",
            reverse("enquiry_detail", args=[enquiry.enquiry_id]),
        ),
        **context,
    )


ASKED = "same_child_asked"
# the form's fields compared, besides the child, to find the same enquiry submitted again
RESENT_FIELDS = (
    "cohort",
    "enquiry_date",
    "social_worker",
    "team",
    "needs",
    "papers",
    "why_now",
)


def _hidden_warning(hidden: int) -> str:
    """A possible duplicate the user may not see: said without anything about it."""
    if not hidden:
        return ""
    return (
        "A possible duplicate exists: a record of this council that only administrators "
        "can see may be this child. Ask an administrator before recording the enquiry."
    )


def _alike_warning(alike: list[Child]) -> str:
    if not alike:
        return ""
    c = alike[0]
    who = f"{c.given_name} {c.family_name}, born {long_date(c.date_of_birth)},"
    if len(alike) == 1:
        return f"A child called {who} is already recorded for {c.council.name}."
    return f"{len(alike)} children called {who} are already recorded for {c.council.name}."


@page("enquiry_detail")
def enquiry_detail(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    record_access(
        user=request.user,
        action="view",
        object_type="enquiry",
        object_id=enquiry.enquiry_id,
        path=request.path,
    )
    contract = contract_current()
    referral = enquiry.referrals.first()
    state = enquiry_state(enquiry, latest_consent(enquiry), referral is not None)
    # dated after the referral period: recorded, but no referral can be made from it
    too_late = enquiry_period_warning(enquiry.enquiry_date, contract)
    period_ended = acceptance_period_hint(enquiry.enquiry_date, timezone.localdate(), contract)

    actions = [
        (name, label)
        for name, label in [
            ("enquiry_papers", "Update papers received"),
            ("enquiry_decide", "Record the meeting's decision"),
            ("enquiry_consent", "Record a consent call"),
            ("enquiry_approve_gf", "Approve guaranteed funding"),
            ("enquiry_accept", "Accept as a referral"),
            ("enquiry_profile", "Write the child's profile for carers"),
            ("enquiry_match", "Record a match attempt"),
        ]
        if allowed(request.user, name)
        and referral is None
        and not (too_late and name == "enquiry_accept")
        and not (name == "enquiry_accept" and enquiry.decision != Decision.PROGRESSED)
        and not (name == "enquiry_consent" and enquiry.decision in services.DECISION_NEEDS_REASON)
    ]
    return render(
        request,
        "referrals/enquiry_detail.html",
        {
            "enquiry": enquiry,
            "referral": referral,
            "scope": scope_of(request.user),
            "eligibility": contract.eligibility(
                enquiry.cohort, enquiry.child.date_of_birth, enquiry.enquiry_date
            ),
            "next": next_step(state),
            "consent_required": state.consent_required,
            "consent_closed": state.consent_call_closed,
            "consent_call_start": contract.consent_call_start,
            "too_late": None if referral else too_late,
            "period_ended": None if referral else period_ended,
            "calls": enquiry.consent_calls.all(),
            "matches": enquiry.matches.all(),
            "profile": getattr(enquiry, "profile", None),
            "actions": actions,
            "papers": [forms.PAPERS_DICT[p] for p in enquiry.papers if p in forms.PAPERS_DICT],
        },
    )


def _step(
    request: HttpRequest,
    enquiry_id: str,
    form_cls: Any,
    heading: str,
    run: Any,
    submit: str,
    form_kwargs: dict[str, Any] | None = None,
    initial: dict[str, Any] | None = None,
    hidden: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    record_access(  # the form shows the enquiry (and the profile form the child's details)
        user=request.user,
        action="view",
        object_type="enquiry",
        object_id=enquiry.enquiry_id,
        path=request.path,
    )
    form = form_cls(request.POST or None, initial=initial or {}, **(form_kwargs or {}))
    return form_step(
        request,
        form,
        lambda d: run(enquiry, d),
        done=lambda _: (
            f"{heading}: saved",
            reverse("enquiry_detail", args=[enquiry.enquiry_id]),
        ),
        heading=heading,
        caption=f"Enquiry {enquiry.enquiry_id}",
        submit=submit,
        back=reverse("enquiry_detail", args=[enquiry.enquiry_id]),
        hidden=hidden or [],
    )


@page("enquiry_papers")
def enquiry_papers(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    posted = request.POST.get("shown") if request.method == "POST" else None
    shown = None if posted is None else [p for p in posted.split() if p in PAPER_LABELS]
    return _step(
        request,
        enquiry_id,
        forms.PapersForm,
        "Papers received",
        lambda e, d: services.enquiry_papers_update(
            enquiry=e, papers=d["papers"], on=timezone.localdate(), shown=shown
        ),
        "Save papers",
        initial={"papers": enquiry.papers},
        # the papers as this form shows them, so that what is ticked and unticked on it is
        # applied to the papers as they are when it is saved (another tab's change is kept)
        hidden=[("shown", " ".join(enquiry.papers if shown is None else shown))],
    )


@page("enquiry_decide")
def enquiry_decide(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    return _step(
        request,
        enquiry_id,
        forms.DecisionForm,
        "Enquiry meeting decision",
        lambda e, d: services.enquiry_decide(
            enquiry=e, decision=d["decision"], on=d["decision_date"], reason=d["reason"]
        ),
        "Record the decision",
    )


@page("enquiry_consent")
def enquiry_consent(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    return _step(
        request,
        enquiry_id,
        forms.ConsentCallForm,
        "Consent call",
        lambda e, d: services.consent_call_record(
            enquiry=e,
            on=d["call_date"],
            spoke_to=d["spoke_to"],
            outcome=d["outcome"],
            by=request.user,
        ),
        "Record the call",
    )


@page("enquiry_approve_gf")
def enquiry_approve_gf(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    return _step(
        request,
        enquiry_id,
        forms.ApproveForm,
        "Approve guaranteed funding",
        lambda e, d: services.guaranteed_funding_approve(
            enquiry=e, by=request.user, on=d["approved_on"]
        ),
        "Approve",
        initial={"approved_on": timezone.localdate()},
    )


@page("enquiry_accept")
def enquiry_accept(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    contract = contract_current()
    cohorts = [(c.code, f"{c.code}: {c.name}") for c in contract.cohorts]
    key_workers = key_worker_choices()
    today = timezone.localdate()
    hint = acceptance_period_hint(enquiry.enquiry_date, today, contract)

    def run(e: Enquiry, d: dict[str, Any]) -> Any:
        kw = User.objects.filter(pk=d["key_worker"]).first() if d["key_worker"] else None
        return services.referral_accept(
            enquiry=e,
            on=d["referral_date"],
            funding=d["funding"],
            cohort=d["cohort"],
            key_worker=kw,
        )

    return _step(
        request,
        enquiry_id,
        forms.AcceptForm,
        "Accept as a referral",
        run,
        "Accept the referral",
        form_kwargs={"cohorts": cohorts, "key_workers": key_workers, "period_hint": hint},
        initial={
            "cohort": enquiry.cohort,
            "funding": "sib",
            # never a date the form refuses: none once the referral period has ended
            "referral_date": acceptance_date_offered(today, contract),
        },
    )


@page("enquiry_profile")
def enquiry_profile(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    p = getattr(enquiry, "profile", None)
    saved = {f: getattr(p, f) for f in PROFILE_FIELDS} if p else None
    initial = saved or {"known_as": enquiry.child.given_name}
    shown = request.POST.get("shown") if request.method == "POST" else None
    return _step(
        request,
        enquiry_id,
        forms.ProfileForm,
        "Profile for foster carers",
        lambda e, d: services.profile_save(enquiry=e, shown=shown, **d),
        "Save the profile",
        initial=initial,
        # the version saved as this page is made: another person's save after it is noticed
        hidden=[("shown", profile_version(saved))],
    )


@page("enquiry_profile_pdf")
def enquiry_profile_pdf(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id)
    profile = get_object_or_404(ChildProfile, enquiry=enquiry)

    html = render_to_string(
        "referrals/profile_pdf.html",
        {
            "profile": profile,
            "enquiry": enquiry,
            "age": age_on(enquiry.child.date_of_birth, timezone.localdate()),
        },
    )
    record_access(
        user=request.user,
        action="export",
        object_type="enquiry",
        object_id=enquiry.enquiry_id,
        path=request.path,
        detail="profile PDF",
    )
    return download("pdf", f"profile-{enquiry.enquiry_id}", pdf(html))


@page("enquiry_match")
def enquiry_match(request: HttpRequest, enquiry_id: str) -> HttpResponse:
    return _step(
        request,
        enquiry_id,
        forms.MatchForm,
        "Match attempt",
        lambda e, d: services.match_record(enquiry=e, **d),
        "Record the match attempt",
        initial={"shared_on": timezone.localdate(), "outcome": "shared"},
    )
