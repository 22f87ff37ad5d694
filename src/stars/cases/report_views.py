"""The key worker's caseload and the outcomes report (page, XLSX, PDF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from stars.cases.outcomes import outcomes_as_of, outcomes_tables, outcomes_xlsx
from stars.cases.selectors import (
    CASELOAD_SORTS,
    DUE_FILTERS,
    NO_KEY_WORKER,
    Filters,
    caseload_listed,
    caseload_overdue,
    caseload_summary,
    meeting_every_weeks,
)
from stars.core.audit import record_access, record_list
from stars.core.dates import date_range
from stars.core.documents import download, pdf, report_name
from stars.core.listing import Filter, filters_from, page_of, query_without_page
from stars.core.permissions import page, scope_of
from stars.domain.measures import every_weeks
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current, key_worker_choices
from stars.referrals.models import Status

# -- caseload and outcomes ------------------------------------------------------------------


@page("case_caseload")
def case_caseload(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    scope = scope_of(user)
    today = timezone.localdate()
    specs = []
    if not scope.own_caseload_only:  # a key worker's caseload is their own
        specs.append(
            Filter(
                "key_worker", "Key worker", [*key_worker_choices(), (NO_KEY_WORKER, "Nobody yet")]
            )
        )
    specs += [
        Filter("status", "Status", Status.choices, Status.LIVE, all_label="Every status"),
        Filter("cohort", "Cohort", [(c, c) for c in contract_current().cohort_codes]),
        Filter("due", "What is due", list(DUE_FILTERS.items()), all_label="Anything"),
        Filter("sort", "Sort", list(CASELOAD_SORTS.items()), "newest", all_label=""),
    ]
    filters = filters_from(request, *specs)
    chosen = {f.name: f.value for f in filters}
    shown = page_of(request, caseload_listed(user, today, **chosen))
    record_list(
        user=user,
        object_type="case",
        object_ids=[r.referral.referral_id for r in shown],
        path=request.get_full_path(),
        detail="caseload",
    )
    return render(
        request,
        "cases/caseload.html",
        {
            "rows": shown,
            "page_obj": shown,
            "total": shown.paginator.count,
            "filters": filters,
            "query": query_without_page(request),
            "today": today,
            "overdue": caseload_overdue(user, today, **chosen),
            "scope": scope,
            "loads": caseload_summary(user, today) if not scope.own_caseload_only else [],
            "meetings_every": every_weeks(meeting_every_weeks()),
        },
    )


@page("cases_outcomes")
def cases_outcomes(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    contract = contract_current()
    councils = scope.council_codes(contract.council_codes)
    g = request.GET
    date_from, date_to = date_range(
        request, targets=("f-from", "f-to"), labels=("Referred from", "Referred to")
    )
    suppressed = not scope.child_level
    # figures only: the whole of the councils in view, never a council's or a cohort's part
    # beside it, whose small counts the whole less the part would give away (decision 0008)
    parts = [] if suppressed else ["council", "cohort"]
    # a council or cohort not among the form's own options (another council's, or none at
    # all: one answer for both, which says nothing of councils beyond the user's) is refused
    # as a part is for figures only, by the field's name, and the page shows all of them
    offered = {"council": councils, "cohort": contract.cohort_codes}
    refused = [
        (
            name,
            f"'{label}' cannot be chosen: figures only are shown for the whole programme, "
            "since one part beside the whole would give its small counts away. The page "
            "shows the whole programme instead, and no download was made."
            if name not in parts
            else f"Select a {label.lower()} from the list: '{g[name]}' is not one of the "
            f"{label.lower()}s you can choose. The page shows them all instead, and no "
            "download was made.",
        )
        for name, label in (("council", "Council"), ("cohort", "Cohort"))
        if g.get(name) and (name not in parts or g[name] not in offered[name])
    ]
    chosen = {
        name: g.get(name, "") if name in parts and g.get(name) in offered[name] else ""
        for name in ("council", "cohort")
    }
    filters = Filters(
        council=chosen["council"],
        cohort=chosen["cohort"],
        date_from=date_from,
        date_to=date_to,
        as_of=outcomes_as_of(scope, timezone.localdate()),
    )
    tables = outcomes_tables(scope, filters, suppressed=suppressed)  # with their charts
    fmt = g.get("format", "html")
    if refused:
        fmt = "html"  # no download: the page says why
    if fmt in ("xlsx", "pdf"):
        record_access(
            user=request.user,
            action="export",
            object_type="report",
            object_id="outcomes",
            path=request.get_full_path(),
        )
    # the page's figures are as of today, within its filters
    name = report_name(
        "outcomes",
        filters.council,
        filters.cohort,
        filters.date_from and f"from-{filters.date_from}",
        filters.date_to and f"to-{filters.date_to}",
        timezone.localdate(),
    )
    if fmt == "xlsx":
        return download("xlsx", name, outcomes_xlsx(tables))
    context = {
        "tables": tables,
        "filters": filters,
        "filters_description": filters.describe(contract),
        "suppressed": suppressed,
        "councils": list(
            Council.objects.filter(code__in=councils).order_by("name").values_list("code", "name")
        ),
        "cohorts": contract.cohort_codes,
        "query": g.urlencode(),
        "parts": parts,
        "refused_filters": refused,
    }
    if fmt == "pdf":
        return download("pdf", name, pdf(render_to_string("cases/outcomes_doc.html", context)))
    return render(request, "cases/outcomes.html", context, status=400 if refused else 200)
