"""Writes of the referral pipeline: enquiry → decision → consent call → referral.

Each service checks the contract's rules and raises ``PipelineError`` naming the form
field at fault; nothing is written unless everything is right.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from stars.core.errors import RuleError, check_happened
from stars.core.permissions import may_act_for
from stars.core.roles import Role
from stars.domain.calendar import long_date
from stars.domain.pipeline import (
    PROFILE_FIELDS,
    activity_after,
    enquiry_problems,
    papers_after,
    profile_version,
    referral_period_problem,
)
from stars.notifications.services import notify
from stars.partnership.models import Council, Programme, programme_default
from stars.partnership.selectors import contract_current, users_with_role
from stars.referrals.models import (
    Child,
    ChildProfile,
    ConsentCall,
    Decision,
    Enquiry,
    Funding,
    MatchAttempt,
    Referral,
    Status,
)

DECISION_NEEDS_REASON = {
    Decision.WITHDRAWN,
    Decision.CRITERIA_NOT_MET,
    Decision.NOT_PROGRESSED_OTHER,
}


class PipelineError(RuleError):
    """A rule of the pipeline is broken; ``field`` names the form field to correct."""


def new_child_ref() -> str:
    """A pseudonymous reference: random, meaningless, never derived from the child."""
    while True:
        ref = "CH-" + secrets.token_hex(4).upper()
        if not Child.objects.filter(child_ref=ref).exists():
            return ref


def _next_id(model: Any, field: str, prefix: str) -> str:
    """The next public id after the highest given (``ENQ-2024-00042``), for a record about to
    be made in the active programme. The programme's row is locked (``SELECT ... FOR
    UPDATE``) until the caller's transaction ends, so two requests at once (two users, or the
    API and a form) are given ids one after the other, never the same one; SQLite takes its
    one write lock as every transaction begins, which does the same."""
    Programme.objects.select_for_update().filter(pk=programme_default()).first()
    taken = model.objects.filter(**{f"{field}__startswith": prefix}).aggregate(m=Max(field))["m"]
    n = int(taken.removeprefix(prefix)) + 1 if taken and taken.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{n:05d}"


@transaction.atomic
def enquiry_record(
    *,
    council: Council,
    cohort: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date,
    enquiry_date: dt.date,
    social_worker: str = "",
    team: str = "",
    needs: list[str] | None = None,
    papers: list[str] | None = None,
    why_now: str = "",
    outside_criteria: bool = False,
    child: Child | None = None,
) -> Enquiry:
    """Record an enquiry; an ineligible child is refused unless ``outside_criteria``.

    ``child``: a child already recorded for the council (the same child entered again);
    the enquiry is theirs and no new child is created."""
    contract = contract_current()
    if child is not None and (
        child.council_id != council.pk or child.date_of_birth != date_of_birth
    ):
        raise PipelineError("same_child", "Select a child of this council with this date of birth")
    canonical = contract.canonical_cohort(cohort)
    problems = enquiry_problems(
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        enquiry_date=enquiry_date,
        needs=needs or [],
        papers=papers or [],
        programme_start=contract.start,
        today=timezone.localdate(),
    )
    if canonical is None:
        problems.insert(0, ("cohort", f"Select one of {', '.join(contract.cohort_codes)}"))
    if problems:
        raise PipelineError(*problems[0], problems=problems)
    verdict = contract.eligibility(canonical, date_of_birth, enquiry_date)
    if not verdict.eligible and not outside_criteria:
        raise PipelineError("date_of_birth", f"Not eligible: {verdict.reason}")
    if child is None:
        child = Child.objects.create(
            child_ref=new_child_ref(),
            council=council,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
        )
    year = enquiry_date.year
    return Enquiry.objects.create(
        enquiry_id=_next_id(Enquiry, "enquiry_id", f"ENQ-{year}-"),
        child=child,
        council=council,
        cohort=canonical,
        enquiry_date=enquiry_date,
        social_worker=social_worker,
        team=team,
        needs=sorted(needs or []),
        papers=sorted(papers or []),
        why_now=why_now,
        last_activity=enquiry_date,
    )


def _activity(enquiry: Enquiry, on: dt.date) -> None:
    """A step dated ``on`` recorded today: the enquiry's last activity, which the stuck flag
    counts from, moves to the later of the two (``activity_after``), never back."""
    enquiry.last_activity = activity_after(enquiry.last_activity, on, timezone.localdate())


@transaction.atomic
def enquiry_papers_update(
    *, enquiry: Enquiry, papers: list[str], on: dt.date, shown: list[str] | None = None
) -> Enquiry:
    """Record the papers received: ``papers`` as ticked on a form that showed ``shown`` (see
    ``papers_after``: two people updating them at once both count); without it, ``papers``."""
    current = (
        Enquiry.objects.select_for_update().values_list("papers", flat=True).get(pk=enquiry.pk)
    )
    enquiry.papers = papers_after(current, shown, papers)
    _activity(enquiry, on)
    enquiry.save(update_fields=["papers", "last_activity"])
    return enquiry


@transaction.atomic
def enquiry_decide(*, enquiry: Enquiry, decision: str, on: dt.date, reason: str = "") -> Enquiry:
    """Record the enquiry meeting's decision."""
    if decision not in Decision.values or decision == Decision.PENDING:
        raise PipelineError("decision", "Select the meeting's decision")
    if decision in DECISION_NEEDS_REASON and not reason.strip():
        raise PipelineError("reason", "Say why (the reason or the criterion not met)")
    check_happened(on, "decision_date", PipelineError)
    if on < enquiry.enquiry_date:
        raise PipelineError("decision_date", "The decision cannot be before the enquiry date")
    if enquiry.referrals.exists():
        raise PipelineError("decision", "This enquiry has already been accepted as a referral")
    enquiry.decision, enquiry.decision_date, enquiry.decision_reason = decision, on, reason.strip()
    _activity(enquiry, on)
    enquiry.save(update_fields=["decision", "decision_date", "decision_reason", "last_activity"])
    return enquiry


@transaction.atomic
def consent_call_record(
    *, enquiry: Enquiry, on: dt.date, spoke_to: str, outcome: str, by: Any
) -> ConsentCall:
    check_happened(on, "call_date", PipelineError)
    if on < enquiry.enquiry_date:
        raise PipelineError("call_date", "The call cannot be before the enquiry date")
    if not spoke_to.strip():
        raise PipelineError("spoke_to", "Say who was spoken to (for example: mother, foster carer)")
    Enquiry.objects.select_for_update().filter(pk=enquiry.pk).first()
    calls = enquiry.consent_calls.filter(call_date=on, spoke_to=spoke_to.strip())
    if outcome != "no_answer" and calls.filter(outcome=outcome).exists():
        # the same form sent again (the back button, a second tab) is not a second call;
        # several calls unanswered in a day are each an attempt
        raise PipelineError("call_date", "This call is already recorded on this date")
    call = ConsentCall.objects.create(
        enquiry=enquiry, call_date=on, spoke_to=spoke_to.strip(), outcome=outcome, recorded_by=by
    )
    _activity(enquiry, on)
    enquiry.save(update_fields=["last_activity"])
    return call


@transaction.atomic
def guaranteed_funding_approve(*, enquiry: Enquiry, by: Any, on: dt.date) -> Enquiry:
    if not may_act_for(by, "enquiry_approve_gf", enquiry.council.code):
        raise PipelineError(
            "funding", "Only the council's commissioner approves guaranteed funding"
        )
    enquiry.gf_approved_by, enquiry.gf_approved_on = by, on
    enquiry.save(update_fields=["gf_approved_by", "gf_approved_on"])
    return enquiry


@transaction.atomic
def referral_accept(
    *,
    enquiry: Enquiry,
    on: dt.date,
    funding: str = Funding.SIB,
    cohort: str | None = None,
    key_worker: Any = None,
) -> Referral:
    """Accept a progressed enquiry as a referral (possibly in another cohort)."""
    contract = contract_current()
    if enquiry.decision != Decision.PROGRESSED:
        raise PipelineError("decision", "Only an enquiry progressed at its meeting can be accepted")
    if enquiry.referrals.exists():
        raise PipelineError("decision", "This enquiry has already been accepted")
    check_happened(on, "referral_date", PipelineError)
    if on < (enquiry.decision_date or enquiry.enquiry_date):
        raise PipelineError("referral_date", "Acceptance cannot be before the decision")
    late = referral_period_problem(on, contract)
    if late:
        raise PipelineError("referral_date", late)
    if (
        contract.consent_call_required(enquiry.enquiry_date)
        and not enquiry.consent_calls.filter(outcome="agreed").exists()
    ):
        raise PipelineError(
            "consent", "Record a consent call in which the parent or carer agreed, first"
        )
    if funding not in Funding.values:
        raise PipelineError("funding", "Select outcomes (SIB) or guaranteed funding")
    if funding == Funding.GUARANTEED and enquiry.gf_approved_by_id is None:
        raise PipelineError("funding", "Guaranteed funding needs the commissioner's approval first")
    gf = contract.guaranteed_funding
    if funding == Funding.GUARANTEED and gf.start is not None and not gf.available_on(on):
        raise PipelineError(
            "funding",
            f"Guaranteed funding starts on {long_date(gf.start)}: choose outcomes (SIB) for a "
            "referral accepted before then",
        )
    target_cohort = contract.canonical_cohort(cohort or enquiry.cohort)
    if target_cohort is None:
        raise PipelineError("cohort", f"Select one of {', '.join(contract.cohort_codes)}")
    _check_no_referral_running(enquiry.child, on)
    referral = Referral.objects.create(
        referral_id=_next_id(Referral, "referral_id", f"REF-{on.year}-"),
        enquiry=enquiry,
        child=enquiry.child,
        council=enquiry.council,
        cohort=target_cohort,
        funding=funding,
        referral_date=on,
        status=Status.LIVE,
        key_worker=key_worker,
    )
    _activity(enquiry, on)
    enquiry.accepted = True
    enquiry.save(update_fields=["last_activity", "accepted"])
    council_users = [
        *users_with_role(Role.SPOC, referral.council),
        *users_with_role(Role.COMMISSIONER, referral.council),
    ]
    notify(
        "referral_accepted",
        users=council_users,
        title=f"Enquiry {enquiry.enquiry_id} accepted as referral {referral.referral_id}",
        body=f"{referral.council.name}, cohort {referral.cohort}",
        url=reverse("referral_detail", args=[referral.referral_id]),
        about=referral.child,
    )
    if key_worker is not None:
        _tell_allocated(referral, key_worker, None)
    return referral


def _check_no_referral_running(child: Child, on: dt.date) -> None:
    """A child has one referral at a time: a referral made on ``on`` is refused while
    another of theirs is live, or dated before another ended (two at once would count the
    child twice in the targets and their weeks twice in the money)."""
    other = (
        child.referrals.filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
        .order_by("referral_date", "referral_id")
        .first()
    )
    if other is None:
        return
    if other.end_date is None:
        raise PipelineError(
            None,
            f"This child already has a live referral, {other.referral_id}: close that case, "
            "or move it to another cohort, before accepting another",
        )
    raise PipelineError(
        "referral_date",
        f"must be on or after {long_date(other.end_date)}, when this child's referral "
        f"{other.referral_id} ended",
    )


def _tell_allocated(referral: Referral, key_worker: Any, previous: Any) -> None:
    url = reverse("case_detail", args=[referral.referral_id])
    notify(
        "case_allocated",
        users=[key_worker],
        title=f"Case {referral.referral_id} is allocated to you",
        body=f"{referral.council.name}, cohort {referral.cohort}",
        url=url,
        about=referral.child,
    )
    if previous is not None:
        notify(
            "case_allocated",
            users=[previous],
            title=f"Case {referral.referral_id} is reallocated to another key worker",
            url=url,
            about=referral.child,
        )


def enquiries_accepted_mark() -> int:
    """Set each enquiry's ``accepted`` to whether a referral was made from it, after
    referrals were loaded in bulk (the tracker import, which may also move a referral to
    another enquiry); how many enquiries changed."""
    made = Referral.objects.filter(enquiry=OuterRef("pk"))
    on = Enquiry.objects.filter(accepted=False).filter(Exists(made)).update(accepted=True)
    off = Enquiry.objects.filter(accepted=True).exclude(Exists(made)).update(accepted=False)
    return on + off


@transaction.atomic
def referral_rerefer(*, referral: Referral, on: dt.date, cohort: str, reason: str) -> Referral:
    """A re-referral without an enquiry: a cohort move or an extension after graduation."""
    contract = contract_current()
    target = contract.canonical_cohort(cohort)
    if target is None:
        raise PipelineError("cohort", f"Select one of {', '.join(contract.cohort_codes)}")
    if reason not in ("cohort_move", "extension"):
        raise PipelineError("reason", "Select a cohort move or an extension after graduation")
    if reason == "extension" and referral.status != Status.GRADUATED:
        raise PipelineError("reason", "An extension follows a graduation")
    check_happened(on, "referral_date", PipelineError)
    if on < referral.referral_date:
        raise PipelineError("referral_date", "The re-referral cannot be before the referral")
    late = referral_period_problem(on, contract)
    if late:
        raise PipelineError("referral_date", late)
    if reason == "cohort_move" and referral.status == Status.LIVE:
        referral.status, referral.end_date, referral.closure_reason = (
            Status.CLOSED_EARLY,
            on,
            "other",
        )
        referral.save(update_fields=["status", "end_date", "closure_reason"])
    _check_no_referral_running(referral.child, on)
    return Referral.objects.create(
        referral_id=_next_id(Referral, "referral_id", f"REF-{on.year}-"),
        enquiry=None,
        child=referral.child,
        council=referral.council,
        cohort=target,
        funding=referral.funding,
        referral_date=on,
        status=Status.LIVE,
        key_worker=referral.key_worker,
    )


@transaction.atomic
def profile_save(
    *,
    enquiry: Enquiry,
    known_as: str,
    enjoys: str,
    good_at: str,
    what_helps: str,
    hopes: str,
    shown: str | None = None,
) -> ChildProfile:
    """Save the child's profile. ``shown``: the version (``profile_version``) of the profile
    the form showed; when someone has saved another since, nothing is saved and the form
    says so (saving it again then replaces theirs)."""
    if " " in known_as.strip():
        raise PipelineError("known_as", "First or chosen name only: no surname")
    for name, value in (
        ("known_as", known_as),
        ("enjoys", enjoys),
        ("good_at", good_at),
        ("what_helps", what_helps),
        ("hopes", hopes),
    ):
        if not value.strip():
            raise PipelineError(name, "This section of the profile is needed")
    Enquiry.objects.select_for_update().filter(pk=enquiry.pk).first()
    saved = ChildProfile.objects.filter(enquiry=enquiry).values(*PROFILE_FIELDS).first()
    if shown is not None and shown != profile_version(saved):
        raise PipelineError(
            None,
            "Someone else saved this profile after you opened it. Your text is below: save "
            "it again to replace theirs, or cancel to read theirs first.",
        )
    profile, _ = ChildProfile.objects.update_or_create(
        enquiry=enquiry,
        defaults={
            "known_as": known_as.strip(),
            "enjoys": enjoys,
            "good_at": good_at,
            "what_helps": what_helps,
            "hopes": hopes,
        },
    )
    return profile


@transaction.atomic
def match_record(
    *,
    enquiry: Enquiry,
    agency: str,
    household_ref: str,
    shared_on: dt.date,
    outcome: str = "shared",
) -> MatchAttempt:
    if not agency.strip():
        raise PipelineError("agency", "Name the fostering agency")
    if not household_ref.strip():
        raise PipelineError("household_ref", "Give the carer household's reference")
    check_happened(shared_on, "shared_on", PipelineError)
    if shared_on < enquiry.enquiry_date:
        raise PipelineError("shared_on", "The profile cannot be shared before the enquiry date")
    Enquiry.objects.select_for_update().filter(pk=enquiry.pk).first()
    if enquiry.matches.filter(
        agency=agency.strip(), household_ref=household_ref.strip(), shared_on=shared_on
    ).filter(outcome=outcome):
        # the same form sent again (the back button, a second tab) is not a second attempt
        raise PipelineError("shared_on", "This match attempt is already recorded")
    attempt = MatchAttempt.objects.create(
        enquiry=enquiry,
        agency=agency.strip(),
        household_ref=household_ref.strip(),
        shared_on=shared_on,
        outcome=outcome,
    )
    _activity(enquiry, shared_on)
    enquiry.save(update_fields=["last_activity"])
    return attempt


@transaction.atomic
def referral_allocate(
    *, referral: Referral, key_worker: Any, by: Any, reason: str = ""
) -> Referral:
    """Allocate a live case to a key worker, or reallocate it to another: the change, who
    made it and why are kept in the referral's history (and so on the case's chronology)."""
    if referral.status != Status.LIVE:
        raise PipelineError("key_worker", "Only a live case can be allocated")
    if key_worker is None or key_worker.role != Role.KEY_WORKER or not key_worker.is_active:
        raise PipelineError("key_worker", "Select an active key worker")
    previous = referral.key_worker
    if previous == key_worker:
        raise PipelineError("key_worker", f"The case is already allocated to {key_worker}")
    referral.key_worker = key_worker
    referral._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
    referral._history_user = by if getattr(by, "pk", None) else None  # type: ignore[attr-defined]
    referral.save(update_fields=["key_worker"])
    _tell_allocated(referral, key_worker, previous)
    return referral
