"""The home page: today's work for the signed-in user's role, and what the role may open."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from stars.core.audit import record_list
from stars.core.permissions import PAGES, allowed, page, scope_of
from stars.partnership.selectors import contract_or_none
from stars.referrals.selectors import referrals_visible
from stars.web.today import administration, at_a_glance, today_work_cached


@page("home")
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    links = [
        {"label": p.nav, "name": name}
        for name, p in PAGES.items()
        if p.nav and name != "home" and allowed(request.user, name)
    ]
    contract = contract_or_none()
    today = timezone.localdate()
    sections = today_work_cached(request.user, today) if contract else []
    sections = [*administration(request.user, today), *sections]
    glance = at_a_glance(request.user, today, contract)
    shown: dict[str, list[str]] = {}
    for s in sections:
        for item in s.shown:
            if item.logged:
                shown.setdefault(item.logged[0], []).append(item.logged[1])
    for object_type, ids in shown.items():
        record_list(
            user=request.user,
            object_type=object_type,
            object_ids=ids,
            path=request.path,
            detail="home: today's work",
        )
    context = {
        "contract": contract,
        "links": links,
        "scope": scope,
        "sections": sections or glance,
        "sections_heading": "Today's work" if sections else "At a glance",
        "today": today,
        "can_search": allowed(request.user, "search"),
        "can_upload_tracker": allowed(request.user, "upload_tracker"),
    }
    if scope.child_level:
        context["live_cases"] = referrals_visible(request.user).filter(status="live").count()
    return render(request, "stars/home.html", context)
