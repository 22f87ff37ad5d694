"""Referral pages: the scoped list and a child's referral record (every read audited)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core.audit import record_access
from stars.core.permissions import page, scope_of
from stars.referrals.selectors import referral_get, referrals_visible

PAGE_SIZE = 50


@page("referral_list")
def referral_list(request: HttpRequest) -> HttpResponse:
    qs = referrals_visible(request.user)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    referrals = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/referral_list.html",
        {"referrals": referrals, "status": status, "scope": scope_of(request.user)},
    )


@page("referral_detail")
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_get(request.user, referral_id)
    record_access(
        user=request.user,
        action="view",
        object_type="referral",
        object_id=referral.referral_id,
        path=request.path,
    )
    return render(
        request,
        "referrals/referral_detail.html",
        {"referral": referral, "periods": referral.periods.all(), "scope": scope_of(request.user)},
    )
