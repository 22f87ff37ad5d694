"""Shell pages: home (by role) and the administrators' audit page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from simple_history.utils import get_history_model_for_model

from stars.core.models import AccessLog
from stars.core.permissions import PAGES, allowed, page, scope_of
from stars.partnership.selectors import contract_or_none
from stars.referrals.models import Enquiry, Referral
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


AUDITED_MODELS = (Referral, Enquiry)


@page("audit")
def audit(request: HttpRequest) -> HttpResponse:
    reads = Paginator(AccessLog.objects.select_related("user"), 50).get_page(
        request.GET.get("page")
    )
    changes = []
    for model in AUDITED_MODELS:
        history = get_history_model_for_model(model)
        for h in history.objects.select_related("history_user").order_by("-history_date")[:25]:
            changes.append(
                {
                    "at": h.history_date,
                    "who": h.history_user.username if h.history_user else "system",
                    "what": f"{model._meta.verbose_name} {h.instance}",
                    "type": {"+": "created", "~": "changed", "-": "deleted"}[h.history_type],
                }
            )
    changes.sort(key=lambda c: c["at"], reverse=True)
    return render(request, "stars/audit.html", {"reads": reads, "changes": changes[:50]})
