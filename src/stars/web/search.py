"""Search: enquiries, referrals and cases by child's name, child reference or id, within the
user's scope. Every search is in the access log, with each record it showed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core.audit import record_access, record_list
from stars.core.permissions import allowed, page, scope_of
from stars.referrals.selectors import SEARCH_LIMIT, search_enquiries, search_referrals

MAX_QUERY = 100


@page("search")
def search(request: HttpRequest) -> HttpResponse:
    text = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    user = request.user
    enquiries = search_enquiries(user, text) if allowed(user, "enquiry_detail") else []
    referrals = search_referrals(user, text)
    if text:
        record_access(
            user=user,
            action="search",
            object_type="search",
            object_id="",
            path=request.path,
            detail=f"{text!r}: {len(enquiries)} enquiries, {len(referrals)} referrals",
        )
        for kind, ids in (
            ("enquiry", [e.enquiry_id for e in enquiries]),
            ("referral", [r.referral_id for r in referrals]),
        ):
            record_list(
                user=user, object_type=kind, object_ids=ids, path=request.path, detail="search"
            )
    return render(
        request,
        "stars/search.html",
        {
            "q": text,
            "enquiries": enquiries,
            "referrals": referrals,
            "searched_enquiries": allowed(user, "enquiry_detail"),
            "can_open_case": allowed(user, "case_detail"),
            "scope": scope_of(user),
            "limit": SEARCH_LIMIT,
        },
    )
