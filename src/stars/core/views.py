"""The administrators' audit page; the keep-alive of the warning before sign-out.

The audit page's filter is posted (with its CSRF token), as the search is, and its results
are the answer to the post: a record typed into it (often a child's reference) is never in
an address the browser visits, so it stays out of the browser's history, a proxy's log and
the next page's referrer; the filtered results' pages are posted too. A GET shows the whole
log, paged by ``?page=N``, whatever else its query says."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from stars.core import audit as audit_log
from stars.core.forms import AuditForm
from stars.core.permissions import page
from stars.core.sessions import session_refresh, session_seconds_left

AUDIT_PAGE_SIZE = 50


@page("audit")
def audit(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = AuditForm(request.POST if posted else None, auto_id="%s")
    narrowed = form.is_valid()  # a filter posted empty: its error on the page
    who = form.cleaned_data["who"] if narrowed else ""
    record = form.cleaned_data["record"] if narrowed else ""
    asked = (request.POST if posted else request.GET).get("page")
    logged = Paginator(audit_log.reads(who=who, record=record), AUDIT_PAGE_SIZE).get_page(asked)
    context = {
        "form": form,
        "reads": logged,
        "changes": audit_log.recent_changes(who=who, record=record),
        "who": who,
        "record": record,
        "posted": {"who": who, "record": record} if narrowed else None,
    }
    response = render(request, "stars/audit.html", context)
    narrowed_to = f", narrowed to user {who!r} and record {record!r}" if narrowed else ""
    audit_log.record_access(  # after the search, so it does not find itself
        user=request.user,
        action="view",
        object_type="audit",
        path=request.path,
        detail=f"the access log and change history{narrowed_to}, page {logged.number}",
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
