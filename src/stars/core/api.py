"""The STARS API (django-ninja; OpenAPI at /api/docs): same permissions and scope as pages.

This module holds the API object, its authentication and what every operation shares; the
operations live with the records they serve (``stars.referrals.api``: a ninja ``Router``),
and the root URLconf (``stars.web.urls``) adds each router. Every operation calls
:func:`require` with a page name of ``stars.core.permissions.PAGES``, and reads through the
same selectors, so the API cannot see more than the pages.
Authentication: the browser session, or HTTP Basic with a STARS user (for a council's
case-management system sending enquiries automatically); failed Basic sign-ins count
towards the same lockout as the sign-in page.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBasicAuth

from stars.core.permissions import allowed


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


class StarsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        """Operation ids as first published (``stars_core_api_<function>``), wherever the
        operation's code lives, so that clients generated from the document keep working."""
        return f"stars_core_api_{operation.view_func.__name__}"


api = StarsAPI(
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


def basic_header(username: str, password: str) -> str:
    """The Authorization header value for HTTP Basic (used by tests and clients)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
