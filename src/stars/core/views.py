"""The administrators' audit page; the keep-alive of the warning before sign-out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from stars.core import audit as audit_log
from stars.core.permissions import page
from stars.core.sessions import session_refresh, session_seconds_left


@page("audit")
def audit(request: HttpRequest) -> HttpResponse:
    who = request.GET.get("who", "")
    record = request.GET.get("record", "")
    logged = Paginator(audit_log.reads(who=who, record=record), 50).get_page(
        request.GET.get("page")
    )
    changes = audit_log.recent_changes(who=who, record=record)
    query = urlencode({k: v for k, v in {"who": who, "record": record}.items() if v})
    context = {
        "reads": logged,
        "changes": changes,
        "who": who,
        "record": record,
        "query": query,
    }
    response = render(request, "stars/audit.html", context)
    audit_log.record_access(  # after the search, so it does not find itself
        user=request.user,
        action="view",
        object_type="audit",
        path=request.get_full_path(),
        detail="the access log and change history",
    )
    return response


@page("session_keep_alive")
def session_keep_alive(request: HttpRequest) -> HttpResponse:
    """``POST`` (with the CSRF token, as every form): "Stay signed in" of the warning before
    sign-out; the session's expiry moves forward now. Answers JSON ``{"seconds_left": N}``
    (``GET``: the same, a request like any other)."""
    if request.method == "POST":
        session_refresh(request)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return JsonResponse({"seconds_left": session_seconds_left(request)})
