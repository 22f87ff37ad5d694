"""The STARS API (django-ninja; OpenAPI at /api/docs): same permissions and scope as pages.

This module holds the API object, its authentication and what every operation shares (the
Problem answered for every error, bounded text, paging); the operations live with the
records they serve (``stars.referrals.api``: a ninja ``Router``), and the root URLconf
(``stars.web.urls``) adds each router. Every operation calls :func:`require` with a page
name of ``stars.core.permissions.PAGES``, and reads through the same selectors, so the API
cannot see more than the pages.
Authentication: the browser session, or HTTP Basic with a STARS user (for a council's
case-management system sending enquiries automatically); failed Basic sign-ins count
towards the same lockout as the sign-in page. A session's writes need the CSRF token; Basic
requests do not (their credentials travel in a header no other site can make a browser send).

Every error is a ``Problem`` (``detail``, and ``field`` when one field is at fault), as the
OpenAPI document declares for each operation: the operations' own, and what Django or
django-ninja answer before an operation runs (a path the API does not have, a method an
operation does not take, a body that is not a JSON object), through :func:`problem_middleware`
and :class:`ObjectParser`. The docs (Swagger UI, served from our own static
files so the page works under our CSP) and the OpenAPI document need a signed-in user.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ninja import Field, NinjaAPI, Query, Schema
from ninja import Router as NinjaRouter
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBasicAuth
from ninja.utils import check_csrf
from pydantic import BeforeValidator, StringConstraints

from stars.core.permissions import allowed, programme_enter
from stars.core.programmes import programme_set
from stars.core.security import API_PREFIX
from stars.domain.calendar import parse_date

CSRF_REFUSED = (
    "CSRF check failed: a signed-in browser's write sends the csrftoken cookie's value in "
    "the X-CSRFToken header (HTTP Basic needs none)"
)


class SessionAuth(APIKeyCookie):
    """The browser's session; its writes need the CSRF token (checked only when signed in)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # not signed in: nothing to protect, answer 401 rather than a CSRF 403
        if check_csrf(request) is not None:  # django-ninja's own says only "CSRF check Failed"
            raise HttpError(403, CSRF_REFUSED)
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


class BodyError(ValueError):
    """Why a request body is not a JSON object (answered 400 with these words)."""


class ObjectParser(Parser):
    """Request bodies are JSON objects: anything else is refused with where and why."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise BodyError(
                f"The request body is not UTF-8: byte {exc.start + 1} cannot be read"
            ) from exc
        except RecursionError as exc:
            raise BodyError("The request body is nested too deeply") from exc
        except json.JSONDecodeError as exc:
            raise BodyError(
                f"The request body is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc
        if not isinstance(data, dict):
            raise BodyError("Send a JSON object as the request body")
        return data


PROGRAMME_PARAMETER = {
    "in": "query",
    "name": "programme",
    "required": False,
    "schema": {"type": "string"},
    "description": "the code of the programme to work in, for a user of several (404 for "
    "one they do not belong to); without it, the one chosen in the switcher of a signed-in "
    "browser, else their first by name",
}


class Router(NinjaRouter):
    """The API's routers: a GET operation answers HEAD too, as GET without the body (what
    HTTP asks of every GET resource; django-ninja answered 405). The body is left out by the
    server (gunicorn, Django's), which keeps the GET's Content-Length."""

    def get(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return self.api_operation(["GET", "HEAD"], path, **kwargs)


class StarsAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The document, declaring ``?programme=CODE`` on every operation (``require``
        reads it for them all, so no operation's signature names it). HEAD, answered by
        every GET operation (``Router``), is left out: HTTP implies it, and listed it would
        repeat each GET's operation id."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            operations.pop("head", None)
            for operation in operations.values():
                operation.setdefault("parameters", []).append(PROGRAMME_PARAMETER)
                operation["responses"][409]["description"] = CONFLICT
        return schema

    def get_openapi_operation_id(self, operation: Any) -> str:
        """Operation ids as first published (``stars_core_api_<function>``), wherever the
        operation's code lives, so that clients generated from the document keep working."""
        return f"stars_core_api_{operation.view_func.__name__}"


api = StarsAPI(
    title="STARS API",
    version="1",
    description="Enquiries and referrals of an outcomes programme, scoped like the pages. "
    "Every error answers a Problem: `detail`, and `field` when one field is at fault. "
    "A user of several programmes adds `?programme=CODE` to any operation (404 for a "
    "programme they do not belong to); without it, the one chosen in the switcher of a "
    "signed-in browser, else their first programme by name.",
    # Basic first: a request that carries its credentials in the Authorization header cannot
    # be forged cross-site, so it needs no CSRF token; a session request still does.
    auth=[basic_auth, SessionAuth(csrf=False)],  # SessionAuth checks CSRF itself
    urls_namespace="api",
    docs=LocalSwagger(),
    docs_decorator=signed_in,
    parser=ObjectParser(),
)


def require(request: HttpRequest, page_name: str) -> Any:
    user = request.user
    if not allowed(user, page_name):
        raise HttpError(403, f"the {page_name} operation is not open to your role")
    programme_set(programme_enter(request, user, remember=False))  # ?programme=CODE
    return user


class Problem(Schema):
    detail: str = Field(description="what is wrong, in words")
    field: str | None = Field(None, description="the field at fault, when there is one")


def answers(ok: dict[int, Any], *more: int) -> dict[int, Any]:
    """An operation's responses: its own, and a Problem for every error it can answer (any
    operation: 404 for a programme the user does not belong to, 409 while no contract is
    loaded, 429 when locked out)."""
    return {**ok, **{code: Problem for code in sorted({401, 403, 404, 409, 422, 429, *more})}}


# What the document says of every operation's 409 (``stars.web.no_contract`` answers it).
CONFLICT = (
    "Conflict: no contract is loaded yet (a new service), so the operation cannot run until "
    "an administrator loads the programme's tracker; an operation's own conflicts, if any, "
    "are in its description"
)


NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store the NUL character in text


def bounded_text(max_length: int) -> Any:
    """Text of at most ``max_length`` characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL)]


def _iso_date(value: Any) -> dt.date:
    """A date as the document declares it (``format: date``, ``2012-02-02``): pydantic on
    its own also took a number (seconds since 1970, so 1328140800 was 2 February 2012) and
    a date and time at midnight."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    found = parse_date(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError("must be a date as YYYY-MM-DD, e.g. 2012-02-02")
    return found


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def column_length(model: Any, name: str) -> int:
    """The length a model's text column keeps (so a schema refuses longer text with 422)."""
    return int(model._meta.get_field(name).max_length)


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
    elif kind == "value_error":
        detail = f"{field} {ctx['error']}"
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


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals; a body it could not parse says why (``ObjectParser``)."""
    cause = exc.__cause__
    detail = str(cause) if isinstance(cause, BodyError) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401: no credentials, or wrong ones (a wrong password counts towards the lockout)."""
    if request.headers.get("Authorization", "").lower().startswith("basic"):
        detail = "The user name or password is wrong"
    else:
        detail = "Send your STARS user name and password with HTTP Basic, or sign in"
    return api.create_response(request, {"detail": detail}, status=401)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found"}, status=404)


api.add_exception_handler(ValidationError, _invalid)
api.add_exception_handler(RequestDataTooBig, _too_big)
api.add_exception_handler(HttpError, _http_error)
api.add_exception_handler(AuthenticationError, _unauthenticated)
api.add_exception_handler(Http404, _not_found)


def problem_middleware(get_response: Callable[[HttpRequest], Any]) -> Callable[..., Any]:
    """Under /api/, an error answered before any operation runs (Django's 404 for a path the
    API does not have, django-ninja's 405 for a method an operation does not take, a 500) is
    a Problem too, never an HTML page. The docs page is HTML and left alone."""

    def middleware(request: HttpRequest) -> Any:
        response = get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 404:
            detail = f"The API has no {request.path}: its operations are in /api/openapi.json"
        elif response.status_code == 405:
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            response["Allow"] = allowed  # django-ninja's comes from a set, in any order
            detail = f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
        else:
            detail = response.reason_phrase
        problem = JsonResponse({"detail": detail}, status=response.status_code)
        for header in ("Allow", "Retry-After"):
            if header in response:
                problem[header] = response[header]
        return problem

    return middleware


PAGE_SIZE = 100
MAX_PAGE = 100_000
PageNumber = Query(1, ge=1, le=MAX_PAGE, description=f"1 to {MAX_PAGE}, {PAGE_SIZE} a page")


def basic_header(username: str, password: str) -> str:
    """The Authorization header value for HTTP Basic (used by tests and clients)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
