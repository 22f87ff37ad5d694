"""The information governance pages (administrators only): the retention review, where a
disposal is asked for, and the disposals, where a second administrator approves one; each
carried-out disposal is shown as its certificate (and downloadable as a PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from stars.core.audit import record_access, record_list
from stars.core.documents import download, pdf
from stars.core.errors import RuleError
from stars.core.forms import form_step
from stars.core.permissions import page
from stars.core.templatetags.stars_format import count
from stars.domain.calendar import month_parse
from stars.domain.governance.retention import KINDS
from stars.governance import access_review, processing, retention, services
from stars.governance.corrections import child_restrict, record_correct
from stars.governance.forms import (
    AgreementForm,
    CorrectionForm,
    RestrictionForm,
    SubjectAccessForm,
)
from stars.governance.models import DataSharingAgreement, DisposalStatus
from stars.governance.subject_access import subject_access_zip
from stars.referrals.models import Child

# The object type each kind's items are logged as (a list shown names records).
LOGGED_AS = {
    "enquiry_not_progressed": "enquiry",
    "referral_and_case": "referral",
    "claim": "claim",
}


# The pages of information governance, as the home page lists them.
SECTIONS = [
    (
        "governance_retention",
        "Retention review",
        "What the retention schedule makes due, with counts per kind; ask for a disposal.",
    ),
    (
        "governance_disposals",
        "Disposals",
        "Approve a disposal another administrator asked for; each is a certificate.",
    ),
    (
        "governance_subject_access",
        "Subject access",
        "Everything held about one child, as a PDF and a JSON file, with third parties to redact.",
    ),
    (
        "governance_correct",
        "Correct a record",
        "Change a name, date of birth or free text; the old value stays in history.",
    ),
    (
        "governance_restrict",
        "Restrict a record",
        "A restricted child's records are seen by administrators only and left out of exports.",
    ),
    (
        "governance_agreements",
        "Data-sharing agreements",
        "The register per council: parties, lawful basis, purpose, dates; the DPIA.",
    ),
    (
        "privacy_notice",
        "Privacy notice",
        "What STARS holds, why, for how long, and people's rights, from the configuration.",
    ),
    (
        "governance_access_review",
        "Access review",
        "A month's unusual reads: outside council or caseload, many records, odd hours.",
    ),
]


@page("governance_home")
def governance_home(request: HttpRequest) -> HttpResponse:
    links = [(reverse(name), label, about) for name, label, about in SECTIONS]
    _, warnings = processing.agreements(timezone.localdate())
    return render(request, "governance/home.html", {"links": links, "warnings": warnings})


@page("governance_retention")
def governance_retention(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in KINDS:
            raise Http404("no such kind of record")
        try:
            d = services.disposal_request(kind=kind, by=request.user, today=today)
        except RuleError as exc:
            messages.error(request, exc.message)
            return redirect("governance_retention")
        messages.success(
            request,
            f"Disposal of {count(d.count)} {d.kind_label.lower()} "
            f"record{'s' if d.count != 1 else ''} "
            "asked for: a second administrator approves it on the Disposals page.",
        )
        return redirect("governance_disposals")
    kinds = retention.review(today)
    pending = set(
        services.disposals_in_view()
        .filter(status=DisposalStatus.REQUESTED)
        .values_list("kind", flat=True)
    )
    response = render(
        request,
        "governance/retention.html",
        {
            "today": today,
            "kinds": kinds,
            "pending": pending,
            "shown": retention.SHOWN,
            "total": sum(k.count for k in kinds),
            "assumptions": sum(k.rule.assumption for k in kinds),
        },
    )
    for k in kinds:
        if k.rule.kind in LOGGED_AS and k.items:
            record_list(
                user=request.user,
                object_type=LOGGED_AS[k.rule.kind],
                object_ids=[i.key for i in k.items],
                path=request.get_full_path(),
                detail="retention review",
            )
    record_access(
        user=request.user, action="view", object_type="retention", path=request.get_full_path()
    )
    return response


ACTIONS = {"approve": services.disposal_approve, "withdraw": services.disposal_withdraw}


@page("governance_disposals")
def governance_disposals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        d = services.disposals_in_view().filter(pk=_int(request.POST.get("disposal"))).first()
        if action is None or d is None:
            raise Http404("no such disposal or action")
        try:
            action(disposal=d, by=request.user)
        except RuleError as exc:
            messages.error(request, exc.message)
        else:
            done = "carried out" if d.status == DisposalStatus.CARRIED_OUT else "withdrawn"
            messages.success(request, f"Disposal {d.pk} {done}.")
        return redirect(reverse("governance_disposals") + f"#disposal-{d.pk}")
    disposals = services.disposals_in_view()
    wanted = request.GET.get("disposal")
    if request.GET.get("format") == "pdf" and wanted:
        d = disposals.filter(pk=_int(wanted), status=DisposalStatus.CARRIED_OUT).first()
        if d is None:
            raise Http404("no such certificate")
        html = render_to_string("governance/certificate.html", {"d": d, "document": True})
        record_access(
            user=request.user,
            action="export",
            object_type="disposal",
            object_id=str(d.pk),
            path=request.get_full_path(),
            detail="disposal certificate",
        )
        return download("pdf", f"disposal-certificate-{d.pk}", pdf(html))
    record_access(
        user=request.user, action="view", object_type="disposal", path=request.get_full_path()
    )
    return render(
        request, "governance/disposals.html", {"disposals": disposals[:100], "me": request.user}
    )


def _int(text: str | None) -> int:
    try:
        return int(text or "")
    except ValueError:
        return 0


@page("governance_subject_access")
def governance_subject_access(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        child = form.cleaned_data["child_ref"]
        name, body = subject_access_zip(child, by=request.user)
        record_access(
            user=request.user,
            action="subject_access",
            object_type="child",
            object_id=child.child_ref,
            path=request.get_full_path(),
            detail="everything held about the child (PDF and JSON)",
        )
        return download("zip", name, body)
    return render(request, "governance/subject_access.html", {"form": form})


@page("governance_access_review")
def governance_access_review(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("month", "").strip()
    month = month_parse(typed) if typed else access_review.last_month(timezone.localdate())
    error = "" if month else f"Enter a month like October 2024, not {typed!r}"
    month = month or access_review.last_month(timezone.localdate())
    configured = processing.thresholds()
    findings, reads = access_review.access_review(month, configured.access)
    record_access(
        user=request.user,
        action="view",
        object_type="access_review",
        object_id=f"{month:%Y-%m}",
        path=request.get_full_path(),
    )
    return render(
        request,
        "governance/access_review.html",
        {
            "month": month,
            "typed": typed,
            "error": error,
            "findings": findings,
            "reads": reads,
            "users": len({f.username for f in findings}),
            "thresholds": configured.access,
            "assumption": configured.access_assumption,
        },
    )


@page("governance_agreements")
def governance_agreements(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        a = DataSharingAgreement.objects.create(**form.cleaned_data, recorded_by=request.user)
        messages.success(request, f"Agreement recorded: {a.title} ({a.council.name}).")
        return redirect("governance_agreements")
    rows, warnings = processing.agreements(timezone.localdate())
    return render(
        request,
        "governance/agreements.html",
        {
            "rows": rows,
            "warnings": warnings,
            "form": form,
            "privacy": processing.privacy(),
            "warn_days": processing.thresholds().warn_days,
        },
    )


@page("privacy_notice")
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/privacy_notice.html",
        {
            "privacy": processing.privacy(),
            "schedule": retention.schedule().rules.values(),
            "bases": processing.lawful_bases(),
        },
    )


@page("governance_correct")
def governance_correct(request: HttpRequest) -> HttpResponse:
    form = CorrectionForm(request.POST or None)
    return form_step(
        request,
        form,
        lambda d: record_correct(by=request.user, **d),
        done=lambda obj: (f"Corrected: {obj}. The old value is in its history.", request.path),
        template="governance/record_form.html",
        heading="Correct a record",
        caption="Information governance",
        intro="The old value stays in the record's change history (the Audit page), with the "
        "reason. Dates of the case that pay for outcomes are corrected on the case's own pages.",
        submit="Correct",
    )


@page("governance_restrict")
def governance_restrict(request: HttpRequest) -> HttpResponse:
    form = RestrictionForm(request.POST or None)
    restricted = list(Child.objects.filter(restricted=True).order_by("child_ref"))
    if restricted and request.method == "GET":
        record_list(
            user=request.user,
            object_type="child",
            object_ids=[c.child_ref for c in restricted],
            path=request.get_full_path(),
            detail="restricted children",
        )
    return form_step(
        request,
        form,
        lambda d: child_restrict(by=request.user, **d),
        done=lambda c: (
            f"{c.child_ref}: {'restricted' if c.restricted else 'restriction lifted'}.",
            request.path,
        ),
        template="governance/record_form.html",
        heading="Restrict a record",
        caption="Information governance",
        intro="While a child's processing is restricted, their enquiries, referrals and case "
        "record are seen by administrators only and left out of the tracker export and the "
        "evaluator's extract; the programme's figures still count them. Restricted now: "
        + (", ".join(c.child_ref for c in restricted) or "none")
        + ".",
        submit="Save",
    )
