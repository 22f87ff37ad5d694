"""The board report card page (and its PDF and XLSX), scoped like the evaluation report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from stars.core.audit import record_access
from stars.core.documents import download, report_name
from stars.core.permissions import page, scope_of
from stars.domain.calendar import QuarterError, last_complete, parse_quarter, quarters_reported
from stars.partnership.selectors import contract_current
from stars.reports.card import card_context, card_pdf, card_xlsx


@page("report_board")
def report_board(request: HttpRequest) -> HttpResponse:
    contract = contract_current()
    latest = last_complete(timezone.localdate())
    quarters = quarters_reported(contract.start, timezone.localdate())
    error = ""
    try:
        quarter = parse_quarter(request.GET["quarter"]) if "quarter" in request.GET else latest
    except QuarterError as exc:
        quarter, error = latest, str(exc)
    if quarter not in quarters and not error:
        error = f"{quarter.label} is outside the programme; choose a quarter from the list"
        quarter = latest
    scope = scope_of(request.user)
    suppressed = not scope.child_level  # every role of aggregate figures only, as elsewhere
    context = card_context(scope=scope, quarter=quarter, suppressed=suppressed)
    fmt = request.GET.get("format", "html")
    if fmt in ("pdf", "xlsx") and not error:
        record_access(
            user=request.user,
            action="export",
            object_type="report",
            object_id=f"board {quarter.label}",
            path=request.get_full_path(),
        )
        body = card_pdf(context) if fmt == "pdf" else card_xlsx(context)
        return download(fmt, report_name("board-report-card", quarter.label), body)
    context.update(quarters=quarters, error=error)
    return render(request, "reports/board.html", context, status=400 if error else 200)
