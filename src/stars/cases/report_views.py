"""The key worker's caseload and the outcomes report (page, XLSX, PDF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from stars.cases.outcomes import Filters, add_charts, outcomes_report
from stars.cases.selectors import caseload
from stars.core.audit import record_access
from stars.core.permissions import page, scope_of
from stars.domain.calendar import parse_date
from stars.partnership.models import Council, Role
from stars.partnership.selectors import contract_current

# -- caseload and outcomes ------------------------------------------------------------------


@page("case_caseload")
def case_caseload(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    kw = user.pk if user.role == Role.KEY_WORKER else None
    rows = caseload(user, key_worker_id=kw)
    record_access(
        user=user, action="view", object_type="caseload", path=request.path, detail=f"{len(rows)}"
    )
    today = timezone.localdate()
    return render(
        request,
        "cases/caseload.html",
        {"rows": rows, "today": today, "overdue": sum(1 for r in rows if r.overdue(today))},
    )


@page("cases_outcomes")
def cases_outcomes(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    contract = contract_current()
    councils = scope.council_codes(contract.council_codes)
    g = request.GET
    filters = Filters(
        council=g.get("council", "") if g.get("council", "") in councils else "",
        cohort=g.get("cohort", "") if g.get("cohort", "") in contract.cohort_codes else "",
        date_from=parse_date(g.get("from")),
        date_to=parse_date(g.get("to")),
    )
    suppressed = not scope.child_level
    tables = outcomes_report(scope, filters, suppressed=suppressed)
    fmt = g.get("format", "html")
    if fmt in ("xlsx", "pdf"):
        record_access(
            user=request.user,
            action="export",
            object_type="report",
            object_id="outcomes",
            path=request.get_full_path(),
        )
    if fmt == "xlsx":
        from stars.reports.exports import xlsx

        body = xlsx({t.key: (t.headers, t.rows) for t in tables})
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="outcomes.xlsx"'
        return response
    context = {
        "tables": add_charts(tables),
        "filters": filters,
        "suppressed": suppressed,
        "councils": list(
            Council.objects.filter(code__in=councils).order_by("name").values_list("code", "name")
        ),
        "cohorts": contract.cohort_codes,
        "query": g.urlencode(),
    }
    if fmt == "pdf":
        from stars.reports.exports import pdf

        html = render_to_string("cases/outcomes_doc.html", context)
        response = HttpResponse(pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="outcomes.pdf"'
        return response
    return render(request, "cases/outcomes.html", context)
