"""Report pages: the evaluation report (page, XLSX, JSON), scoped to the user's councils."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core.audit import record_access
from stars.core.dates import as_of as as_of_date
from stars.core.documents import download, report_name
from stars.core.permissions import page, scope_of
from stars.reports.services import evaluation_file, evaluation_page_figures, published_for


@page("report_evaluation")
def report_evaluation(request: HttpRequest) -> HttpResponse:
    as_of = as_of_date(request, target="as_of")
    scope = scope_of(request.user)
    fmt = request.GET.get("format", "html")
    if fmt in ("xlsx", "json"):
        record_access(
            user=request.user,
            action="export",
            object_type="report",
            object_id="evaluation",
            path=request.get_full_path(),
            detail=fmt,
        )
    if fmt == "xlsx":
        return download(
            "xlsx", report_name("evaluation", as_of), evaluation_file("xlsx", scope, as_of)
        )
    if fmt == "json":
        return HttpResponse(evaluation_file("json", scope, as_of), content_type="application/json")
    figures = evaluation_page_figures(scope, as_of, published=published_for(scope))
    return render(request, "reports/evaluation.html", figures)
