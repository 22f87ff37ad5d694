"""The home page: what the signed-in user's role may open, and a figure or two."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core.permissions import PAGES, allowed, page, scope_of
from stars.partnership.selectors import contract_or_none
from stars.referrals.selectors import referrals_visible


@page("home")
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    links = [
        {"label": p.nav, "name": name}
        for name, p in PAGES.items()
        if p.nav and name != "home" and allowed(request.user, name)
    ]
    context = {"contract": contract_or_none(), "links": links, "scope": scope}
    if scope.child_level:
        context["live_cases"] = referrals_visible(request.user).filter(status="live").count()
    return render(request, "stars/home.html", context)
