"""The STARS API (django-ninja; OpenAPI at /api/docs): same permissions and scope as pages.

Every operation calls :func:`require` with a page name of ``stars.core.permissions.PAGES``,
and reads through the same selectors, so the API cannot see more than the pages.
Authentication: the browser session, or HTTP Basic with a STARS user (for a council's
case-management system sending enquiries automatically); failed Basic sign-ins count
towards the same lockout as the sign-in page. A session's writes need the CSRF token; Basic
requests do not (their credentials travel in a header no other site can make a browser send).

Every error is a ``Problem`` (``detail``, and ``field`` when one field is at fault), as the
OpenAPI document declares for each operation. The docs (Swagger UI, served from our own static
files so the page works under our CSP) and the OpenAPI document need a signed-in user.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import APIKeyCookie, HttpBasicAuth
from pydantic import StringConstraints

from stars.core.audit import record_access, record_list
from stars.core.permissions import allowed, scope_of
from stars.domain.pipeline import NEED_LABELS, PAPER_LABELS, WHY_NOW_MAX_LENGTH
from stars.partnership.models import Council
from stars.referrals.models import Child, Enquiry


class SessionAuth(APIKeyCookie):
    """The browser's session; its writes need the CSRF token (checked only when signed in)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # not signed in: nothing to protect, answer 401 rather than a CSRF 403
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user


class BasicAuth(HttpBasicAuth):
    def authenticate(self, request: HttpRequest, username: str, password: str) -> Any:
        user = authenticate(request, username=username, password=password)
        if user is not None:
            request.user = user
        return user


basic_auth = BasicAuth()


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs and the OpenAPI document: a signed-in user (session or Basic), else sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and not basic_auth(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


class LocalSwagger(DocsBase):
    """Swagger UI from our static files (npm's swagger-ui-dist, copied by `make setup`).

    django-ninja's own page loads Swagger UI from a CDN with an inline script: both are
    refused by our content security policy, which left the page blank.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(
            request,
            "stars/api_docs.html",
            {"api": api, "openapi_url": self.get_openapi_url(api, kwargs)},
        )


api = NinjaAPI(
    title="STARS API",
    version="1",
    description="Enquiries and referrals of an outcomes programme, scoped like the pages. "
    "Every error answers a Problem: `detail`, and `field` when one field is at fault.",
    # Basic first: a request that carries its credentials in the Authorization header cannot
    # be forged cross-site, so it needs no CSRF token; a session request still does.
    auth=[basic_auth, SessionAuth(csrf=True)],
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_decorator=signed_in,
)


def require(request: HttpRequest, page_name: str) -> Any:
    user = request.user
    if not allowed(user, page_name):
        raise HttpError(403, f"the {page_name} operation is not open to your role")
    return user


class Problem(Schema):
    detail: str = Field(description="what is wrong, in words")
    field: str | None = Field(None, description="the field at fault, when there is one")


def answers(ok: dict[int, Any], *more: int) -> dict[int, Any]:
    """An operation's responses: its own, and a Problem for every error it can answer."""
    return {**ok, **{code: Problem for code in sorted({401, 403, 422, *more})}}


NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store the NUL character in text


def _text(max_length: int) -> Any:
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]


def _column(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


class EnquiryIn(Schema):
    council: _text(_column(Council, "code")) | None = None
    cohort: _text(_column(Enquiry, "cohort"))
    given_name: _text(_column(Child, "given_name"))
    family_name: _text(_column(Child, "family_name"))
    date_of_birth: dt.date
    enquiry_date: dt.date
    social_worker: _text(_column(Enquiry, "social_worker")) = ""
    team: _text(_column(Enquiry, "team")) = ""
    needs: list[str] = Field(
        [], json_schema_extra={"items": {"type": "string", "enum": list(NEED_LABELS)}}
    )
    papers: list[str] = Field(
        [], json_schema_extra={"items": {"type": "string", "enum": list(PAPER_LABELS)}}
    )
    why_now: _text(WHY_NOW_MAX_LENGTH) = ""
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


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A request that does not fit the schema: 422, the first problem as a Problem."""
    error = exc.errors[0]
    loc = [str(part) for part in error.get("loc", ())]
    path = loc[2:] if loc[:1] == ["body"] else loc[1:]  # body: ("body", "payload", field, …)
    field = path[0] if path else None
    kind, ctx = error.get("type", ""), error.get("ctx", {})
    if field is None:
        detail = "Send a JSON object as the request body"
    elif kind == "missing":
        detail = f"{field} is required"
    elif kind == "string_too_long":
        detail = f"{field} must be {ctx['max_length']} characters or fewer"
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        detail = f"{field} must not contain the NUL character"
    elif kind == "less_than_equal":
        detail = f"{field} must be {ctx['le']} or less"
    elif kind == "greater_than_equal":
        detail = f"{field} must be {ctx['ge']} or more"
    else:
        detail = f"{field}: {error.get('msg', 'not valid')}"
    return api.create_response(request, {"detail": detail, "field": field}, status=422)


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"The request body is over the limit of {limit} bytes"}, status=413
    )


api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(RequestDataTooBig, _too_big)

PAGE_SIZE = 100
MAX_PAGE = 100_000
PageNumber = Query(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}, {PAGE_SIZE} a page")


@api.get("/enquiries", response=answers({200: list[EnquiryOut]}), tags=["enquiries"])
def list_enquiries(request: HttpRequest, page: int = PageNumber) -> list[EnquiryOut]:
    """Enquiries in your scope, oldest first, 100 a page."""
    from stars.referrals.selectors import enquiries_visible

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
    ident = scope_of(user).identifiable
    return [_enquiry_out(e, ident) for e in rows]


@api.get("/enquiries/{enquiry_id}", response=answers({200: EnquiryOut}, 404), tags=["enquiries"])
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


@api.post("/enquiries", response=answers({201: EnquiryOut}, 400, 413), tags=["enquiries"])
def create_enquiry(request: HttpRequest, payload: EnquiryIn) -> Any:
    """Record an enquiry (a council's SPOC); the eligibility rule of its date applies."""
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


@api.get("/referrals", response=answers({200: list[ReferralOut]}), tags=["referrals"])
def list_referrals(request: HttpRequest, page: int = PageNumber) -> list[ReferralOut]:
    from stars.referrals.selectors import referrals_visible

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


@api.get("/referrals/{referral_id}", response=answers({200: ReferralOut}, 404), tags=["referrals"])
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


@api.get("/eligibility", response=answers({200: EligibilityOut}), tags=["enquiries"])
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
