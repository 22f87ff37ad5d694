"""The API's enquiries and referrals (mounted at /api/ by ``stars.web.urls``): the same
pages' permissions (``require``) and the same selectors as the pages, so the API cannot see
more than they do. Text is bounded as the records keep it, and every error is a Problem
(``stars.core.api``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Schema, Status

from stars.core.api import (
    PAGE_SIZE,
    IsoDate,
    PageNumber,
    Problem,
    Router,
    answers,
    bounded_text,
    column_length,
    require,
)
from stars.core.audit import record_access, record_list
from stars.core.idempotency import (
    REPLAYED_RESPONSE_HEADER,
    IdempotencyKeyHeader,
    IdempotencyKeyValue,
    idempotent,
    one_at_a_time,
)
from stars.core.permissions import scope_of
from stars.domain.calendar import long_date
from stars.domain.idempotency import HEADER, RESENT_WITHIN, minutes_ago
from stars.domain.pipeline import (
    NEED_LABELS,
    PAPER_LABELS,
    WHY_NOW_MAX_LENGTH,
    enquiry_period_warning,
)
from stars.domain.references import id_from_address
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current, council_named, programme_councils
from stars.referrals import services
from stars.referrals.forms import child_described
from stars.referrals.models import Child, Enquiry
from stars.referrals.selectors import (
    child_visible,
    children_alike,
    children_alike_restricted,
    enquiries_visible,
    enquiry_resent,
    referrals_visible,
)

router = Router()


class EnquiryIn(Schema):
    council: bounded_text(column_length(Council, "code")) | None = None
    cohort: bounded_text(column_length(Enquiry, "cohort"))
    given_name: bounded_text(column_length(Child, "given_name"))
    family_name: bounded_text(column_length(Child, "family_name"))
    date_of_birth: IsoDate
    enquiry_date: IsoDate
    social_worker: bounded_text(column_length(Enquiry, "social_worker")) = ""
    team: bounded_text(column_length(Enquiry, "team")) = ""
    needs: list[str] = Field(
        [], json_schema_extra={"items": {"type": "string", "enum": list(NEED_LABELS)}}
    )
    papers: list[str] = Field(
        [], json_schema_extra={"items": {"type": "string", "enum": list(PAPER_LABELS)}}
    )
    why_now: bounded_text(WHY_NOW_MAX_LENGTH) = ""
    outside_criteria: bool = False
    child_ref: bounded_text(column_length(Child, "child_ref")) | None = Field(
        None,
        description="the reference (`child_ref`, as the API answers it) of a child already "
        "recorded in your scope, when the enquiry is for them: no new child is recorded. "
        "The child must be of the enquiry's council, with the same name (case and spaces "
        "aside) and date of birth",
    )
    new_child: bool = Field(
        False,
        description="`true`: the enquiry is for a child not yet recorded, although a child "
        "of the same name and date of birth is (answered 409 without it)",
    )


class ChildrenAlike(Problem):
    child_refs: list[str] = Field(
        [],
        description="when children of the same name and date of birth are already recorded "
        "in your scope: their references (send one as `child_ref`, or `new_child: true`)",
    )


class EnquiryOut(Schema):
    enquiry_id: str
    child_ref: str
    council: str
    cohort: str
    enquiry_date: dt.date
    decision: str
    decision_date: dt.date | None
    date_of_birth: dt.date | None = None
    warnings: list[Problem] = Field(
        [],
        description="what the enquiry's page warns of, in its words, each with the field it "
        "is about: an enquiry dated after the contract's referral period (`enquiry_date`) is "
        "recorded but cannot become a referral; none: `[]`",
    )


class ReferralOut(Schema):
    referral_id: str
    enquiry_id: str | None
    child_ref: str
    council: str
    cohort: str
    funding: str
    referral_date: dt.date
    status: str
    end_date: dt.date | None
    closure_reason: str | None


class EligibilityOut(Schema):
    eligible: bool
    reason: str
    age: int | None


def _enquiry_out(e: Any, identifiable: bool, contract: Any = None) -> EnquiryOut:
    late = enquiry_period_warning(e.enquiry_date, contract or contract_current())
    return EnquiryOut(
        enquiry_id=e.enquiry_id,
        child_ref=e.child.child_ref,
        council=e.council.code,
        cohort=e.cohort,
        enquiry_date=e.enquiry_date,
        decision=e.decision,
        decision_date=e.decision_date,
        date_of_birth=e.child.date_of_birth if identifiable else None,
        warnings=[Problem(detail=late, field="enquiry_date")] if late else [],
    )


def _referral_out(r: Any) -> ReferralOut:
    return ReferralOut(
        referral_id=r.referral_id,
        enquiry_id=r.enquiry.enquiry_id if r.enquiry else None,
        child_ref=r.child.child_ref,
        council=r.council.code,
        cohort=r.cohort,
        funding=r.funding,
        referral_date=r.referral_date,
        status=r.status,
        end_date=r.end_date,
        closure_reason=r.closure_reason or None,
    )


@router.get("/enquiries", response=answers({200: list[EnquiryOut]}), tags=["enquiries"])
def list_enquiries(request: HttpRequest, page: int = PageNumber) -> list[EnquiryOut]:
    """Enquiries in your scope, oldest first, 100 a page."""
    user = require(request, "enquiry_list")
    start = (page - 1) * PAGE_SIZE
    rows = list(
        enquiries_visible(user).order_by("enquiry_date", "enquiry_id")[start : start + PAGE_SIZE]
    )
    record_list(
        user=user,
        object_type="enquiry",
        object_ids=[e.enquiry_id for e in rows],
        path=request.get_full_path(),
        detail="API",
    )
    ident, contract = scope_of(user).identifiable, contract_current()
    return [_enquiry_out(e, ident, contract) for e in rows]


@router.get("/enquiries/{enquiry_id}", response=answers({200: EnquiryOut}, 404), tags=["enquiries"])
def get_enquiry(request: HttpRequest, enquiry_id: str) -> Any:
    user = require(request, "enquiry_detail")
    enquiry_id = id_from_address(enquiry_id)  # an id holding "/" is written "~" in an address
    e = enquiries_visible(user).filter(enquiry_id=enquiry_id).first()
    if e is None:
        return Status(404, Problem(detail="no such enquiry in your scope"))
    record_access(
        user=user,
        action="view",
        object_type="enquiry",
        object_id=enquiry_id,
        path=request.path,
        detail="API",
    )
    return Status(200, _enquiry_out(e, scope_of(user).identifiable))


@router.post(
    "/enquiries",
    response={**answers({201: EnquiryOut}, 400, 413), 409: ChildrenAlike},
    tags=["enquiries"],
    openapi_extra={"responses": {201: {"headers": REPLAYED_RESPONSE_HEADER}}},
)
def create_enquiry(
    request: HttpRequest,
    response: HttpResponse,
    payload: EnquiryIn,
    idempotency_key: IdempotencyKeyValue = IdempotencyKeyHeader,
) -> Any:
    """Record an enquiry (a council's SPOC); the eligibility rule of its date applies.

    Sent again (no answer seen): with the same `Idempotency-Key`, the first answer is given
    again and nothing is recorded. Without a key, an enquiry identical to one you recorded
    in the last 10 minutes (the same child by name and date of birth, and every other
    field the same) is refused with 409 naming it.

    The same child again: when a child of the same name and date of birth is already
    recorded in your scope, the enquiry is refused with 409 naming their references
    (`child_refs`): send the enquiry again with the child's `child_ref`, or with
    `new_child: true` for a different child."""
    user = require(request, "enquiry_new")
    answer = idempotent(
        request,
        response,
        user=user,
        key=idempotency_key,
        object_type="enquiry",
        create=lambda: _enquiry_create(user, payload, resent_refused=idempotency_key is None),
        created_id=lambda value: str(value.enquiry_id),
        replay=lambda enquiry_id, status: _enquiry_replay(request, user, enquiry_id, status),
    )
    if isinstance(answer.value, ChildrenAlike) and answer.value.child_refs:
        # logged here, once the write's transaction (rolled back: nothing recorded) is over
        record_list(
            user=user,
            object_type="child",
            object_ids=answer.value.child_refs,
            path=request.path,
            detail="API: a child of the same name and date of birth, named in a 409",
        )
    return answer


def _enquiry_create(user: Any, payload: EnquiryIn, *, resent_refused: bool) -> Status[Any]:
    scope = scope_of(user)
    code = (payload.council or (user.council.code if user.council_id else "")).strip()
    if not code:
        return Status(422, Problem(detail="Give the council's code, e.g. derby", field="council"))
    council = council_named(code, programme_councils(Council.objects.all()))
    if not scope.covers(council.code if council else code.lower()):
        return Status(
            422,
            Problem(detail="you can record enquiries for your own council only", field="council"),
        )
    if council is None:
        return Status(422, Problem(detail=f"unknown council {code.lower()!r}", field="council"))
    code = council.code  # as the contract spells it
    if payload.child_ref is not None and payload.new_child:
        return Status(
            422,
            Problem(detail="send child_ref or new_child: true, not both", field="new_child"),
        )
    fields = payload.dict(exclude={"council", "child_ref", "new_child"})
    with one_at_a_time(user):  # two requests at once cannot both pass the checks
        now = timezone.now()
        if resent_refused:
            compared = {k: v for k, v in fields.items() if k != "outside_criteria"}
            same = enquiry_resent(user, since=now - RESENT_WITHIN, council_code=code, **compared)
            if same is not None:
                return Status(409, Problem(detail=_resent(same, now)))
        alike = children_alike(
            user,
            council_code=code,
            given_name=payload.given_name,
            family_name=payload.family_name,
            date_of_birth=payload.date_of_birth,
        )
        child = None
        if payload.child_ref is not None:
            child = child_visible(user, payload.child_ref)
            if child is None:
                return Status(422, _no_such_child(payload.child_ref))
            if child not in alike:
                return Status(422, _not_alike(child, council))
        elif not payload.new_child:
            hidden = children_alike_restricted(
                user,
                council_code=code,
                given_name=payload.given_name,
                family_name=payload.family_name,
                date_of_birth=payload.date_of_birth,
            )
            if alike or hidden:
                return Status(409, _children_alike(alike, hidden))
        try:
            e = services.enquiry_record(council=council, child=child, **fields)
        except services.PipelineError as exc:
            return Status(422, Problem(detail=exc.message, field=exc.field))
        return Status(201, _enquiry_out(e, True))


def _no_such_child(child_ref: str) -> Problem:
    """The same words for a child that does not exist and one outside the user's scope."""
    return Problem(detail=f"no child {child_ref!r} in your scope", field="child_ref")


def _not_alike(child: Child, council: Council) -> Problem:
    if child.council_id != council.pk:
        return Problem(
            detail=f"child {child.child_ref} is recorded for {child.council.name}, "
            f"not {council.name}",
            field="child_ref",
        )
    return Problem(
        detail=f"child {child.child_ref} is recorded with another name or date of birth: "
        "send the name and date of birth as recorded, or new_child: true without child_ref "
        "for a different child",
        field="child_ref",
    )


def _children_alike(alike: list[Child], hidden: int) -> ChildrenAlike:
    """The 409 for a child who may already be recorded: who, and how to go on."""
    if alike:
        detail = (
            f"Already recorded for {alike[0].council.name}: "
            + "; ".join(child_described(c) for c in alike)
            + ". Nothing was recorded. Send the enquiry again with child_ref set to the "
            "child's reference if it is for them, or with new_child: true if it is for a "
            "different child"
        )
    else:
        detail = (
            "A possible duplicate exists: a record of this council that only administrators "
            "can see may be this child. Nothing was recorded. Ask an administrator, then send "
            "the enquiry again with new_child: true if it is for a different child"
        )
    return ChildrenAlike(detail=detail, field="child_ref", child_refs=[c.child_ref for c in alike])


def _resent(e: Enquiry, now: dt.datetime) -> str:
    return (
        f"You recorded this enquiry {minutes_ago(e.created_at, now)}: {e.enquiry_id} "
        f"(/api/enquiries/{e.enquiry_id}), for the same child, born "
        f"{long_date(e.child.date_of_birth)}, with every field the same. Nothing was "
        "recorded: an answer lost on the way is read with GET. To send a write again "
        f"safely, send an {HEADER} header with it"
    )


def _enquiry_replay(request: HttpRequest, user: Any, enquiry_id: str, status: int) -> Status[Any]:
    """The answer to an enquiry's creation, given again: the enquiry as it is now."""
    e = enquiries_visible(user).filter(enquiry_id=enquiry_id).first()
    if e is None:
        return Status(
            409,
            Problem(
                detail=f"This {HEADER} recorded enquiry {enquiry_id}, which is no longer "
                "in your scope",
                field=HEADER,
            ),
        )
    record_access(
        user=user,
        action="view",
        object_type="enquiry",
        object_id=enquiry_id,
        path=request.path,
        detail=f"API: the answer to a POST with the same {HEADER}, given again",
    )
    return Status(status, _enquiry_out(e, True))


@router.get("/referrals", response=answers({200: list[ReferralOut]}), tags=["referrals"])
def list_referrals(request: HttpRequest, page: int = PageNumber) -> list[ReferralOut]:
    user = require(request, "referral_list")
    start = (page - 1) * PAGE_SIZE
    rows = list(referrals_visible(user)[start : start + PAGE_SIZE])
    record_list(
        user=user,
        object_type="referral",
        object_ids=[r.referral_id for r in rows],
        path=request.get_full_path(),
        detail="API",
    )
    return [_referral_out(r) for r in rows]


@router.get(
    "/referrals/{referral_id}", response=answers({200: ReferralOut}, 404), tags=["referrals"]
)
def get_referral(request: HttpRequest, referral_id: str) -> Any:
    user = require(request, "referral_detail")
    referral_id = id_from_address(referral_id)  # an id holding "/" is written "~" in an address
    r = referrals_visible(user).filter(referral_id=referral_id).first()
    if r is None:
        return Status(404, Problem(detail="no such referral in your scope"))
    record_access(
        user=user,
        action="view",
        object_type="referral",
        object_id=referral_id,
        path=request.path,
        detail="API",
    )
    return Status(200, _referral_out(r))


@router.get("/eligibility", response=answers({200: EligibilityOut}), tags=["enquiries"])
def eligibility(
    request: HttpRequest,
    cohort: bounded_text(column_length(Enquiry, "cohort")),
    date_of_birth: IsoDate,
    on: IsoDate,
) -> EligibilityOut:
    """Is a child eligible for a cohort on a date, under the rule in force then, and why."""
    require(request, "enquiry_new")
    v = contract_current().eligibility(cohort, date_of_birth, on)
    return EligibilityOut(eligible=v.eligible, reason=v.reason, age=v.age)
