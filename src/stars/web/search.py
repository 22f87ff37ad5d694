"""Search: enquiries, referrals and cases by child's name, child reference or id, and claims
and uploads by their references, within the user's scope; a link to a record's page finds
that record too (stars.domain.references). Every search is in the access log, with each
record it showed.

A search is posted (with its CSRF token) and its results are the answer to the post: what
was typed (often a child's name) is never in an address the browser visits, so it stays out
of the browser's history, the address bar, a proxy's log and the next page's referrer. A
GET shows the empty form, whatever its query says."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from stars.core.audit import record_access, record_list
from stars.core.forms import GovukForm
from stars.core.permissions import allowed, page, scope_of
from stars.domain.references import CLAIM, ENQUIRY, REFERRAL, UPLOAD, reference_parse
from stars.finance.selectors import claims_visible
from stars.referrals.selectors import SEARCH_LIMIT, search_enquiries, search_referrals
from stars.uploads.models import Upload
from stars.uploads.selectors import uploads_visible

MAX_QUERY = 100
UPLOAD_PAGES = {Upload.Kind.TRACKER: "tracker_upload", Upload.Kind.RETURNS: "returns_upload"}


class SearchForm(GovukForm):
    """What was typed: a search posted with nothing in it is answered with GOV.UK's error."""

    q = forms.CharField(
        label="Search",
        error_messages={"required": "Enter a name, a child reference or an id to search for"},
    )


def _claims(user: Any, council: str, month: Any) -> list[Any]:
    if not allowed(user, "claim_detail"):
        return []
    # a reference names the council in capitals (CLAIM-NORTHBAY-2024-10): any case matches
    found = claims_visible(user).filter(council__code__iexact=council, month=month)
    return list(found.select_related("council"))


def _uploads(user: Any, number: str) -> list[Upload]:
    return [
        u
        for kind, name in UPLOAD_PAGES.items()
        if allowed(user, name)
        for u in uploads_visible(user, kind).filter(pk=int(number))
    ]


def _upload_url(u: Upload) -> str:
    name = UPLOAD_PAGES.get(u.kind, "returns_upload")  # checked-only returns: the returns page
    return reverse(name, kwargs={name: u.pk})


@page("search")
def search(request: HttpRequest) -> HttpResponse:
    typed = request.POST.get("q", "") if request.method == "POST" else ""
    form = SearchForm(request.POST if request.method == "POST" else None, auto_id="%s")
    form.is_valid()  # a posted empty search: its error on the page
    text = " ".join(typed.split())[:MAX_QUERY]
    user = request.user
    ref = reference_parse(text)
    terms = ref.key if ref is not None and ref.kind in (ENQUIRY, REFERRAL) else text
    claims = _claims(user, ref.key, ref.month) if ref is not None and ref.kind == CLAIM else []
    uploads = _uploads(user, ref.key) if ref is not None and ref.kind == UPLOAD else []
    by_id = ref is not None and ref.kind in (CLAIM, UPLOAD)  # a claim or upload, not a child
    searched_enquiries = allowed(user, "enquiry_detail") and not by_id
    enquiries = search_enquiries(user, terms) if searched_enquiries else []
    referrals = [] if by_id else search_referrals(user, terms)
    if text:
        record_access(
            user=user,
            action="search",
            object_type="search",
            object_id="",
            path=request.path,
            detail=f"{text!r}: {len(enquiries)} enquiries, {len(referrals)} referrals, "
            f"{len(claims)} claims, {len(uploads)} uploads",
        )
        for kind, ids in (
            ("enquiry", [e.enquiry_id for e in enquiries]),
            ("referral", [r.referral_id for r in referrals]),
        ):
            record_list(
                user=user, object_type=kind, object_ids=ids, path=request.path, detail="search"
            )
    return render(
        request,
        "stars/search.html",
        {
            "q": text,
            "form": form,
            "enquiries": enquiries,
            "referrals": referrals,
            "claims": claims,
            "uploads": [(u, _upload_url(u)) for u in uploads],
            "by_id": by_id,
            "found": len(claims) + len(uploads),
            "searched_enquiries": searched_enquiries,
            "can_open_case": allowed(user, "case_detail"),
            "scope": scope_of(user),
            "limit": SEARCH_LIMIT,
        },
    )
