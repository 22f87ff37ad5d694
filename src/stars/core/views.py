"""The administrators' audit page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core import audit as audit_log
from stars.core.permissions import page


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
