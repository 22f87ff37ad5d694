"""Placement sufficiency pages: a council's dashboard from its SSDA903 returns."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from stars.core.audit import record_access
from stars.core.dates import as_of as as_of_date
from stars.core.documents import download
from stars.core.permissions import allowed, page
from stars.domain.sufficiency.ssda903 import FORECAST_COLUMNS, RECONCILIATION_COLUMNS
from stars.partnership.models import Council
from stars.partnership.selectors import councils_in_scope
from stars.referrals.selectors import referral_get
from stars.sufficiency.dashboard import dashboard_context, dashboard_pdf, dashboard_xlsx
from stars.sufficiency.forecasting import (
    forecast_context,
    forecast_pdf,
    forecast_xlsx,
)
from stars.sufficiency.forms import ChildLinkForm, ForecastForm
from stars.sufficiency.models import ChildLink
from stars.sufficiency.reconcile import council_reconciliation, findings_csv
from stars.sufficiency.services import council_returns, council_years


def _councils(request: HttpRequest) -> list[Council]:
    return list(councils_in_scope(request.user))


@page("sufficiency_home")
def sufficiency_home(request: HttpRequest) -> HttpResponse:
    councils = _councils(request)
    if len(councils) == 1:  # a council's own users go straight to its dashboard
        return _dashboard(request, councils[0])
    return render(request, "sufficiency/home.html", {"councils": councils})


@page("sufficiency_dashboard")
def sufficiency_dashboard(request: HttpRequest, council: str) -> HttpResponse:
    mine = {c.code: c for c in _councils(request)}
    if council not in mine:
        raise Http404("no such council")
    return _dashboard(request, mine[council])


def _download(
    request: HttpRequest, council: Council, what: str, body: bytes, fmt: str
) -> HttpResponse:
    """An export of a council's sufficiency figures, audited like every export."""
    record_access(
        user=request.user,
        action="export",
        object_type="sufficiency",
        object_id=council.code,
        path=request.get_full_path(),
    )
    return download(fmt, f"{what}-{council.code}", body)


def _dashboard(request: HttpRequest, council: Council) -> HttpResponse:
    context = dashboard_context(council)
    fmt = request.GET.get("format")
    if fmt == "pdf" and context["tables"]:
        return _download(request, council, "sufficiency", dashboard_pdf(context), fmt)
    if fmt == "xlsx" and context["tables"]:
        return _download(request, council, "sufficiency", dashboard_xlsx(context), fmt)
    return render(request, "sufficiency/dashboard.html", context)


@page("sufficiency_forecast")
def sufficiency_forecast(request: HttpRequest, council: str) -> HttpResponse:
    mine = {c.code: c for c in _councils(request)}
    if council not in mine:
        raise Http404("no such council")
    la = mine[council]
    form = ForecastForm(request.GET)
    choices = form.choices()
    errors = form.errors
    merged = council_returns(la, FORECAST_COLUMNS)  # only what the forecast reads
    context: dict[str, object] = {"council": la, "choices": choices, "form": form}
    if merged is not None:
        context.update(forecast_context(merged, council_years(la)[-1], choices))
    fmt = request.GET.get("format")
    if not errors and context.get("tables") and fmt in ("xlsx", "pdf"):
        make = forecast_xlsx if fmt == "xlsx" else forecast_pdf
        return _download(request, la, "sufficiency-forecast", make(context), fmt)
    return render(request, "sufficiency/forecast.html", context, status=400 if errors else 200)


@page("sufficiency_link")
def sufficiency_link(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The council's commissioner links a referral to the council's child identifier."""
    referral = referral_get(request.user, referral_id)  # 404 outside the user's councils
    record_access(
        user=request.user,
        action="view",
        object_type="referral",
        object_id=referral.referral_id,
        path=request.path,
        detail="link to the council's child record",
    )
    link = ChildLink.objects.filter(referral=referral).first()
    # the reconciliation's reading: the page it goes on to finds it read already
    merged = council_returns(referral.council, RECONCILIATION_COLUMNS)
    known = set(merged.headers["CHILD"].to_list()) if merged is not None else set()
    initial = {"council_child_id": link.council_child_id} if link else None
    form = ChildLinkForm(request.POST or None, initial=initial, known=known)
    if request.method == "POST" and form.is_valid():
        link = link or ChildLink(referral=referral)
        link.council_child_id = form.cleaned_data["council_child_id"]
        link.linked_by = request.user
        link._history_user = request.user  # type: ignore[attr-defined]
        link.save()
        messages.success(request, f"{referral.referral_id} linked to {link.council_child_id}")
        return redirect("sufficiency_reconcile", council=referral.council.code)
    return render(
        request,
        "stars/form_page.html",
        {
            "form": form,
            "heading": "Link to the council's child record",
            "caption": f"{referral.referral_id} · {referral.council.name}",
            "intro": "Claimed weeks of this referral are then checked against the child's "
            "episodes of care in the council's SSDA903 returns.",
            "back": reverse("referral_detail", args=[referral.referral_id]),
            "submit": "Save the link",
        },
    )


@page("sufficiency_reconcile")
def sufficiency_reconcile(request: HttpRequest, council: str) -> HttpResponse:
    mine = {c.code: c for c in _councils(request)}
    if council not in mine:
        raise Http404("no such council")
    as_of = as_of_date(request)
    context = council_reconciliation(mine[council], as_of)
    as_csv = request.GET.get("format") == "csv"
    # the referrals it shows: the findings', and (on the page) the links not in the returns
    shown = [f.referral for f in context["findings"]]
    shown += [] if as_csv else [m.referral for m in context["missing"]]
    record_access(
        user=request.user,
        action="export" if as_csv else "view",
        object_type="reconciliation",
        object_id=council,
        path=request.get_full_path(),
        detail=f"{len(context['findings'])} findings for {context['linked']} linked referrals",
        shown=[("referral", r.referral_id) for r in shown],
    )
    if as_csv:
        return download("csv", f"reconciliation-{council}", findings_csv(context))
    context["can_open_claims"] = allowed(request.user, "claim_detail")
    return render(request, "sufficiency/reconcile.html", context)
