"""Report pages: the evaluation report (page, XLSX, JSON), scoped to the user's councils."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from stars.core.audit import record_access
from stars.core.permissions import page, scope_of
from stars.domain.calendar import parse_date
from stars.reports.services import evaluation_context, evaluation_json, evaluation_xlsx


def _as_of(request: HttpRequest) -> dt.date:
    return parse_date(request.GET.get("as_of")) or timezone.localdate()


@page("report_evaluation")
def report_evaluation(request: HttpRequest) -> HttpResponse:
    as_of = _as_of(request)
    scope = scope_of(request.user)
    fmt = request.GET.get("format", "html")
    if fmt == "xlsx":
        record_access(
            user=request.user,
            action="export",
            object_type="report",
            object_id="evaluation",
            path=request.get_full_path(),
        )
        response = HttpResponse(
            evaluation_xlsx(scope=scope, as_of=as_of),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="evaluation-{as_of}.xlsx"'
        return response
    if fmt == "json":
        return HttpResponse(
            evaluation_json(scope=scope, as_of=as_of), content_type="application/json"
        )
    context: dict[str, Any] = evaluation_context(scope=scope, as_of=as_of)
    return render(request, "reports/evaluation.html", context)
