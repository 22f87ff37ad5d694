"""The administrators' audit page; the keep-alive of the warning before sign-out.

The audit page's filter is posted (with its CSRF token), as the search is, and its results
are the answer to the post: a record typed into it (often a child's reference) is never in
an address the browser visits, so it stays out of the browser's history, a proxy's log and
the next page's referrer; the filtered results' pages are posted too. A GET shows the whole
log, paged by ``?page=N``, whatever else its query says."""

from __future__ import annotations

import logging
import sys

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from stars.core import audit as audit_log
from stars.core.busy import BUSY, RETRY_AFTER, database_busy, write_lock_free
from stars.core.forms import AuditForm
from stars.core.permissions import page
from stars.core.security import API_PREFIX
from stars.core.sessions import session_refresh, session_seconds_left

AUDIT_PAGE_SIZE = 50
logger = logging.getLogger(__name__)


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
    (``GET``: the same, a request like any other). While an import holds SQLite's write
    lock (``stars.core.busy``) the page does not wait for it: the move is kept in a file
    (``stars.core.sessions``), at most once a minute, and the answer is the time left."""
    if request.method == "POST":
        if write_lock_free():
            session_refresh(request)
    elif request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return JsonResponse({"seconds_left": session_seconds_left(request)})


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to an error no page handled (``handler500``). A write that found SQLite's
    write lock held by an import for longer than it waits (``stars.core.busy``) is 503 with
    ``Retry-After``: the service is busy importing, nothing was saved, try again in a
    minute; in JSON to the API and to a page's script asking for JSON, logged as one
    warning line (the method, the path, "busy importing"), not a traceback: nothing is
    wrong with the service. Anything else is Django's 500 page (``500.html``)."""
    error = sys.exc_info()[1]
    if error is None or not database_busy(error):
        return defaults.server_error(request)
    wants_json = request.path.startswith(API_PREFIX) or "json" in (
        request.headers.get("Accept", "") + request.GET.get("format", "")
    )
    if wants_json:
        response: HttpResponse = JsonResponse({"detail": BUSY}, status=503)
    else:  # rendered without the page's context, as Django's 500 page is
        response = HttpResponse(loader.get_template("503_busy.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    logger.warning("%s %s: busy importing", request.method, request.path)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django logs it no more
    return response
