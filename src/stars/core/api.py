"""The STARS API (django-ninja; OpenAPI at /api/docs): same permissions and scope as pages.

Every operation calls :func:`require` with a page name of ``stars.core.permissions.PAGES``,
and reads through the same selectors, so the API cannot see more than the pages.
Authentication: the browser session, or HTTP Basic with a STARS user (for a council's
case-management system sending enquiries automatically); failed Basic sign-ins count
towards the same lockout as the sign-in page.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBasicAuth

from stars.core.audit import record_access, record_list
from stars.core.permissions import allowed, scope_of


class SessionAuth(APIKeyCookie):
    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class BasicAuth(HttpBasicAuth):
    def authenticate(self, request: HttpRequest, username: str, password: str) -> Any:
        user = authenticate(request, username=username, password=password)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="STARS API",
    version="1",
    description="Enquiries and referrals of an outcomes programme, scoped like the pages.",
    auth=[SessionAuth(csrf=True), BasicAuth()],
    urls_namespace="api",
)


def require(request: HttpRequest, page_name: str) -> Any:
    user = request.user
    if not allowed(user, page_name):
        raise HttpError(403, f"the {page_name} operation is not open to your role")
    return user


class Problem(Schema):
    detail: str
    field: str | None = None


class EnquiryIn(Schema):
    council: str | None = None
    cohort: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    enquiry_date: dt.date
    social_worker: str = ""
    team: str = ""
    needs: list[str] = []
    papers: list[str] = []
    why_now: str = ""
    outside_criteria: bool = False


class EnquiryOut(Schema):
    enquiry_id: str
    child_ref: str
    council: str
    cohort: str
    enquiry_date: dt.date
    decision: str
    decision_date: dt.date | None
    date_of_birth: dt.date | None = None


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


def _enquiry_out(e: Any, identifiable: bool) -> EnquiryOut:
    return EnquiryOut(
        enquiry_id=e.enquiry_id,
        child_ref=e.child.child_ref,
        council=e.council.code,
        cohort=e.cohort,
        enquiry_date=e.enquiry_date,
        decision=e.decision,
        decision_date=e.decision_date,
        date_of_birth=e.child.date_of_birth if identifiable else None,
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


PAGE_SIZE = 100


@api.get("/enquiries", response=list[EnquiryOut], tags=["enquiries"])
def list_enquiries(request: HttpRequest, page: int = 1) -> list[EnquiryOut]:
    """Enquiries in your scope, oldest first, 100 a page."""
    from stars.referrals.selectors import enquiries_visible

    user = require(request, "enquiry_list")
    start = (max(page, 1) - 1) * PAGE_SIZE
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
    ident = scope_of(user).identifiable
    return [_enquiry_out(e, ident) for e in rows]


@api.get("/enquiries/{enquiry_id}", response={200: EnquiryOut, 404: Problem}, tags=["enquiries"])
def get_enquiry(request: HttpRequest, enquiry_id: str) -> Any:
    from stars.referrals.selectors import enquiries_visible

    user = require(request, "enquiry_detail")
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


@api.post("/enquiries", response={201: EnquiryOut, 422: Problem}, tags=["enquiries"])
def create_enquiry(request: HttpRequest, payload: EnquiryIn) -> Any:
    """Record an enquiry (a council's SPOC); the eligibility rule of its date applies."""
    from stars.partnership.models import Council
    from stars.referrals import services

    user = require(request, "enquiry_new")
    scope = scope_of(user)
    code = (payload.council or (user.council.code if user.council_id else "")).lower()
    if scope.councils is not None and code not in scope.councils:
        return Status(
            422,
            Problem(detail="you can record enquiries for your own council only", field="council"),
        )
    council = Council.objects.filter(code=code).first()
    if council is None:
        return Status(422, Problem(detail=f"unknown council {code!r}", field="council"))
    try:
        e = services.enquiry_record(council=council, **payload.dict(exclude={"council"}))
    except services.PipelineError as exc:
        return Status(422, Problem(detail=exc.message, field=exc.field))
    return Status(201, _enquiry_out(e, True))


@api.get("/referrals", response=list[ReferralOut], tags=["referrals"])
def list_referrals(request: HttpRequest, page: int = 1) -> list[ReferralOut]:
    from stars.referrals.selectors import referrals_visible

    user = require(request, "referral_list")
    start = (max(page, 1) - 1) * PAGE_SIZE
    rows = list(referrals_visible(user)[start : start + PAGE_SIZE])
    record_list(
        user=user,
        object_type="referral",
        object_ids=[r.referral_id for r in rows],
        path=request.get_full_path(),
        detail="API",
    )
    return [_referral_out(r) for r in rows]


@api.get("/referrals/{referral_id}", response={200: ReferralOut, 404: Problem}, tags=["referrals"])
def get_referral(request: HttpRequest, referral_id: str) -> Any:
    from stars.referrals.selectors import referrals_visible

    user = require(request, "referral_detail")
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


@api.get("/eligibility", response=EligibilityOut, tags=["enquiries"])
def eligibility(
    request: HttpRequest, cohort: str, date_of_birth: dt.date, on: dt.date
) -> EligibilityOut:
    """Is a child eligible for a cohort on a date, under the rule in force then, and why."""
    from stars.partnership.selectors import contract_current

    require(request, "enquiry_new")
    v = contract_current().eligibility(cohort, date_of_birth, on)
    return EligibilityOut(eligible=v.eligible, reason=v.reason, age=v.age)


def basic_header(username: str, password: str) -> str:
    """The Authorization header value for HTTP Basic (used by tests and clients)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
