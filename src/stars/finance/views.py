"""Finance pages: claims, money, the investor's view and the evaluator's extract. Thin views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from stars.core.audit import record_access
from stars.core.dates import as_of as as_of_date
from stars.core.documents import download, report_name
from stars.core.forms import form_step
from stars.core.listing import page_of, query_without_page
from stars.core.permissions import allowed, page, programme_options, scope_of
from stars.core.programmes import programme_active
from stars.core.templatetags.stars_format import money
from stars.domain.calendar import month_label
from stars.domain.references import claim_reference
from stars.finance import documents, figures, selectors, services
from stars.finance.cached import evaluator_extract, investor_page_figures, money_page_figures
from stars.finance.forms import ClaimConfirmForm, DisputeForm, OpenClaimForm
from stars.finance.models import ClaimLine, ClaimStatus, OutcomeClaim
from stars.partnership.models import Council
from stars.partnership.selectors import contract_current, programme_parties

PAGE_SIZE = 50
DOCUMENTS: dict[str, Callable[..., str | bytes]] = {
    "xlsx": documents.claim_xlsx,
    "pdf": documents.claim_pdf,
    "csv": documents.claim_csv,
}


def _claim_view_logged(
    request: HttpRequest,
    council: Council,
    month: str,
    detail: str,
    shown: Iterable[tuple[str, str]],
    *,
    action: str = "view",
) -> None:
    """A view of a claim (its page, a document, a step's page, the dispute form) in the
    access log: one entry naming the claim, linked to the referrals whose lines or earlier
    disputes it showed (``record_access(shown=...)``). Called once the page is made, never
    for a step that went on to another page (it showed nothing)."""
    record_access(
        user=request.user,
        action=action,
        object_type="claim",
        object_id=f"{council.code}/{month}",
        path=request.get_full_path(),
        detail=detail,
        shown=shown,
    )


def _need(claim: OutcomeClaim | None) -> OutcomeClaim:
    if claim is None:
        raise services.ClaimError(None, "No claim has been prepared for this month")
    return claim


# -- claims ---------------------------------------------------------------------------------


@page("finance_claims")
def finance_claims(request: HttpRequest) -> HttpResponse:
    councils = [(c.code, c.name) for c in selectors.councils_visible(request.user)]
    form = OpenClaimForm(request.GET or None, councils=councils)
    if request.GET and form.is_valid():
        d = form.cleaned_data
        return redirect("claim_detail", d["council"], d["month"])
    claims = Paginator(selectors.claims_visible(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    claims.object_list = selectors.claims_totalled(claims.object_list)
    return render(
        request,
        "finance/claims.html",
        {"claims": claims, "page_obj": claims, "form": form},
    )


@page("claim_detail")
def claim_detail(request: HttpRequest, council: str, month: str) -> HttpResponse:
    council_obj, month_date, claim = selectors.claim_find(request.user, council, month)
    fmt = request.GET.get("format", "html")
    name = f"claim-{council_obj.code}-{month}"
    user = request.user
    if claim is not None and fmt in DOCUMENTS:  # every line, with its referral
        shown = selectors.claim_referrals(claim)
        _claim_view_logged(request, council_obj, month, fmt, shown, action="export")
        return download(fmt, name, DOCUMENTS[fmt](claim, viewer=user))
    lines = page_of(request, selectors.claim_lines_of(claim, viewer=user) if claim else [])
    before = selectors.claim_disputes_before(claim, viewer=user) if claim else []
    if claim is not None:  # the page shows a page of its lines and the earlier disputes
        shown = selectors.lines_shown(lines) + selectors.disputes_shown(before)
        _claim_view_logged(request, council_obj, month, fmt, shown)
    status = claim.status if claim else ""
    return render(
        request,
        "finance/claim_detail.html",
        {
            "council": council_obj,
            "month": month_date,
            "month_key": month,
            "month_name": month_label(month_date),
            "reference": claim_reference(council_obj.code, month_date),
            "claim": claim,
            "lines": lines,
            "disputes_before": before,
            "query": query_without_page(request),
            "totals": selectors.claim_totals_of(claim) if claim else None,
            "can_prepare": allowed(user, "claim_prepare") and status in ("", "draft", "disputed"),
            "can_submit": allowed(user, "claim_submit") and status == ClaimStatus.DRAFT,
            "can_review": allowed(user, "claim_approve")
            and status in (ClaimStatus.SUBMITTED, ClaimStatus.DISPUTED),
        },
    )


def _step(
    request: HttpRequest,
    council: str,
    month: str,
    *,
    heading: str,
    intro: str,
    submit: str,
    run: Callable[[Any, OutcomeClaim | None, dt.datetime | None], Any],
    done: str,
    shows_claim: bool = True,
    shows_disputes: bool = False,
) -> HttpResponse:
    """A claim step's confirmation page: the claim's totals as they stand (what is submitted
    or approved), and, sent back with the step, when the claim shown was prepared."""
    council_obj, month_date, claim = selectors.claim_find(request.user, council, month)
    back = reverse("claim_detail", args=[council_obj.code, month])
    prepared = claim.prepared_at.isoformat() if claim and claim.prepared_at else ""
    before = (
        selectors.claim_disputes_before(claim, viewer=request.user)
        if claim and shows_disputes
        else []
    )
    confirm = ClaimConfirmForm(
        request.POST if request.method == "POST" else None, initial={"prepared": prepared}
    )
    response = form_step(
        request,
        confirm,
        lambda d: run(council_obj, claim, d["prepared"]),
        done=lambda _: (done, back),
        template="finance/confirm.html",
        heading=heading,
        caption=f"{council_obj.name}, {month_label(month_date)}",
        intro=intro,
        submit=submit,
        back=back,
        claim=claim,
        totals=selectors.claim_totals_of(claim) if claim and shows_claim else None,
        line_count=claim.lines.count() if claim and shows_claim else 0,
        disputes_before=before,
    )
    if before and response.status_code == 200:  # the page names the referrals disputed before
        shown = selectors.disputes_shown(before)
        _claim_view_logged(request, council_obj, month, "earlier disputes", shown)
    return response


@page("claim_prepare")
def claim_prepare(request: HttpRequest, council: str, month: str) -> HttpResponse:
    def prepare(council_obj: Any, claim: OutcomeClaim | None, seen: Any) -> Any:
        return services.claim_prepare(
            council=council_obj, month=selectors.parse_month(month), by=request.user
        )

    return _step(
        request,
        council,
        month,
        heading="Prepare the claim",
        intro="The claim is worked out from the records as they stand now: the payable weeks "
        "that fell in the month, guaranteed-funding fees due, and adjustments for any "
        "correction to months already claimed.",
        submit="Prepare the claim",
        run=prepare,
        done="Claim prepared",
        shows_claim=False,
    )


@page("claim_submit")
def claim_submit(request: HttpRequest, council: str, month: str) -> HttpResponse:
    def submit(council_obj: Any, claim: OutcomeClaim | None, seen: Any) -> Any:
        return services.claim_submit(claim=_need(claim), by=request.user)

    return _step(
        request,
        council,
        month,
        heading="Submit the claim to the council",
        intro="The council's commissioner will review it and approve it or dispute lines.",
        submit="Submit the claim",
        run=submit,
        done="Claim submitted to the council",
    )


@page("claim_approve")
def claim_approve(request: HttpRequest, council: str, month: str) -> HttpResponse:
    def approve(council_obj: Any, claim: OutcomeClaim | None, seen: Any) -> Any:
        return services.claim_approve(claim=_need(claim), by=request.user, prepared_at=seen)

    return _step(
        request,
        council,
        month,
        heading="Approve the claim",
        intro="Once approved the claim is locked: later corrections appear as adjustments "
        "on a later claim.",
        submit="Approve the claim",
        run=approve,
        done="Claim approved",
        shows_disputes=True,
    )


def _line_choice(line: ClaimLine) -> str:
    """A line as the dispute form offers it: "R-DER (C-R-DER): Outcome payment, £400.00"."""
    referral, child = selectors.line_names(line)
    named = "Restricted record" if referral == selectors.RESTRICTED else f"{referral} ({child})"
    what = selectors.line_label(line.kind, line.component)
    return f"{named}: {what}, {money(line.amount)}"


@page("claim_dispute")
def claim_dispute(request: HttpRequest, council: str, month: str) -> HttpResponse:
    council_obj, month_date, claim = selectors.claim_find(request.user, council, month)
    back = reverse("claim_detail", args=[council_obj.code, month])
    lines = list(selectors.claim_lines_of(claim, viewer=request.user)) if claim else []
    choices = [(str(x.pk), _line_choice(x)) for x in lines]
    form = DisputeForm(
        request.POST or None, lines=choices, initial={"line": request.GET.get("line", "")}
    )
    response = form_step(
        request,
        form,
        lambda d: services.claim_dispute_line(
            line=next(x for x in lines if str(x.pk) == d["line"]),
            by=request.user,
            reason=d["reason"],
        ),
        done=lambda line: (f"Line for {selectors.line_names(line)[0]} disputed", back),
        heading="Dispute a line",
        caption=f"{council_obj.name}, {month_label(month_date)}",
        intro="" if lines else "There are no lines to dispute on this claim.",
        submit="Dispute the line",
        back=back,
    )
    if lines and response.status_code == 200:  # the form lists the claim's lines, by referral
        _claim_view_logged(
            request, council_obj, month, "dispute form", selectors.lines_shown(lines)
        )
    return response


# -- money ----------------------------------------------------------------------------------


@page("finance_money")
def finance_money(request: HttpRequest) -> HttpResponse:
    as_of = as_of_date(request, target="as_of")
    contract = contract_current()
    figures = money_page_figures(contract, scope_of(request.user), as_of)
    return render(
        request,
        "finance/money.html",
        {
            "as_of": as_of,
            "contract": contract,
            "scope_note": selectors.scope_note(request.user),
            "headroom": selectors.headroom(request.user),
            "approved": selectors.approved_total(request.user, as_of=as_of),
            "beside": selectors.claims_beside_reports(
                request.user,
                as_of=as_of,
                payable=figures["total"].outcome_payments,
                above_maximum=figures["total"].above_maximum,
            ),
            **figures,
        },
    )


@page("finance_contract")
def finance_contract(request: HttpRequest) -> HttpResponse:
    """The programme's contract terms: each cohort's terms as written and in force on the
    as-of date, and the log of contract variations (date, reason, what changed)."""
    as_of = as_of_date(request, target="as_of", records=False)  # the terms: any day
    contract = contract_current()
    gf = contract.guaranteed_funding_on(as_of)
    return render(
        request,
        "finance/contract.html",
        {
            "as_of": as_of,
            "contract": contract,
            "parties": programme_parties(getattr(programme_active(), "id", None)),
            "cohorts": [(c, contract.terms_on(c.code, as_of)) for c in contract.cohorts],
            "guaranteed": (contract.guaranteed_funding, gf),
            "log": contract.variation_log(),
        },
    )


@page("finance_investor")
def finance_investor(request: HttpRequest) -> HttpResponse:
    as_of = as_of_date(request, target="as_of")
    contract = contract_current()
    several = len(programme_options(request.user) or []) > 1
    return render(
        request,
        "finance/investor.html",
        {
            "as_of": as_of,
            "several": several,
            "approved": selectors.programme_approved_total(as_of),
            **investor_page_figures(contract, as_of),
        },
    )


@page("finance_portfolio")
def finance_portfolio(request: HttpRequest) -> HttpResponse:
    """The programmes the user belongs to, side by side, in aggregate."""
    as_of = as_of_date(request, target="as_of")
    mine = programme_options(request.user) or []
    return render(
        request,
        "finance/portfolio.html",
        {"as_of": as_of, **figures.investor_portfolio(mine, as_of)},
    )


@page("finance_extract")
def finance_extract(request: HttpRequest) -> HttpResponse:
    as_of = as_of_date(request, target="as_of")
    fmt = request.GET.get("format", "html")
    if fmt in ("csv", "xlsx"):
        scope = scope_of(request.user)
        recipient = request.user.get_username()  # pseudonyms are the recipient's own
        count, body = evaluator_extract(
            contract_current(), scope, as_of, recipient=recipient, fmt=fmt
        )
        record_access(
            user=request.user,
            action="export",
            object_type="evaluator_extract",
            object_id=str(as_of),
            path=request.get_full_path(),
            detail=f"{count} rows pseudonymised for {recipient}, {fmt}",
        )
        return download(fmt, report_name("extract", as_of), body)
    return render(
        request,
        "finance/extract.html",
        {"as_of": as_of, "columns": figures.EXTRACT_COLUMNS},
    )
