"""Report pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stars.core.permissions import page


@page("report_evaluation")
def report_evaluation(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/evaluation.html", {})
