"""The information governance pages (administrators only): the retention review."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from stars.core.audit import record_access, record_list
from stars.core.permissions import page
from stars.governance import retention

# The object type each kind's items are logged as (a list shown names records).
LOGGED_AS = {
    "enquiry_not_progressed": "enquiry",
    "referral_and_case": "referral",
    "claim": "claim",
}


@page("governance_retention")
def governance_retention(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    kinds = retention.review(today)
    response = render(
        request,
        "governance/retention.html",
        {
            "today": today,
            "kinds": kinds,
            "shown": retention.SHOWN,
            "total": sum(k.count for k in kinds),
            "assumptions": sum(k.rule.assumption for k in kinds),
        },
    )
    for k in kinds:
        if k.rule.kind in LOGGED_AS and k.items:
            record_list(
                user=request.user,
                object_type=LOGGED_AS[k.rule.kind],
                object_ids=[i.key for i in k.items],
                path=request.get_full_path(),
                detail="retention review",
            )
    record_access(
        user=request.user, action="view", object_type="retention", path=request.get_full_path()
    )
    return response
