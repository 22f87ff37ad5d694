"""Upload pages: the form, then one page per upload that shows its progress while the job
runs (a bar, moved by polling ``?format=json``; without JavaScript a "Check now" link
reloads the page) and its outcome when done: a summary, or every problem with a CSV of
them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from stars.core.audit import record_access
from stars.core.documents import download
from stars.core.permissions import allowed, page
from stars.core.programmes import programme_active
from stars.core.sessions import session_seconds_left
from stars.core.spool import NOT_STORED, max_upload_bytes
from stars.domain.spreadsheet_text import csv_bytes
from stars.domain.tracker.parsing import tracker_columns
from stars.jobs.selectors import worker_health
from stars.uploads.files import read_progress
from stars.uploads.forms import ReturnsUploadForm, TrackerUploadForm
from stars.uploads.models import Upload
from stars.uploads.selectors import councils_for_returns, upload_for, uploads_visible
from stars.uploads.services import NotStored, upload_returns, upload_tracker

RECENT = 10


def _recent(request: HttpRequest, kind: str) -> list[Upload]:
    return list(uploads_visible(request.user, kind)[:RECENT])


def _programme_rule(user: Any) -> str:
    """Which programme a tracker's contract may name: the one worked in, or (for those the
    policy lets add one: the upload job asks the same) one not held yet. Nothing is said
    outside a programme (the first tracker of a new service makes its programme)."""
    active = programme_active()
    if active is None:
        return ""
    if not active.code:  # the service holds programmes, and this user works in none
        if allowed(user, "programme_add"):
            return " Its contract must be for a programme the service does not hold yet."
        return (
            " You work in none of the service's programmes, so a tracker cannot be imported:"
            " ask an administrator to add you to the programme it is for."
        )
    if allowed(user, "programme_add"):
        return (
            f" Its contract is for {active.name}, the programme you work in, or for a "
            "programme the service does not hold yet, which the import adds."
        )
    return f" Its contract must be for {active.name}, the programme you work in."


@page("upload_tracker")
def tracker_form(request: HttpRequest) -> HttpResponse:
    form = TrackerUploadForm(request.POST or None, request.FILES or None)
    stored = True
    if request.method == "POST" and form.is_valid():
        try:
            upload = upload_tracker(by=request.user, files=form.cleaned_data)
        except NotStored as exc:
            form.add_error(None, NOT_STORED.format(why=exc))
            stored = False
        else:
            return redirect("tracker_upload", tracker_upload=upload.pk)
    return render(
        request,
        "uploads/form.html",
        {
            "form": form,
            "heading": "Upload a tracker",
            "intro": "The contract and three CSV files, each with the columns listed under "
            "\u201cWhat each CSV file holds\u201d below. They are checked, then imported all or "
            "nothing: if any row has a problem, nothing is imported and every problem is "
            "listed. Re-importing updates records by id." + _programme_rule(request.user),
            "columns": tracker_columns(),
            "limit_mb": max_upload_bytes() // (1024 * 1024),
            "recent": _recent(request, Upload.Kind.TRACKER),
            "detail": "tracker_upload",
            "arg": "tracker_upload",
        },
        status=503 if not stored else 400 if form.errors else 200,
    )


@page("upload_returns")
def returns_form(request: HttpRequest) -> HttpResponse:
    councils = councils_for_returns(request.user)
    form = ReturnsUploadForm(request.POST or None, request.FILES or None, councils=councils)
    stored = True
    if request.method == "POST" and form.is_valid():
        try:
            upload = upload_returns(
                by=request.user,
                council=form.chosen_council(),
                archive=form.cleaned_data["archive"],
                check_only=form.cleaned_data["action"] == "validate",
            )
        except NotStored as exc:
            form.add_error(None, NOT_STORED.format(why=exc))
            stored = False
        else:
            return redirect("returns_upload", returns_upload=upload.pk)
    only = form.only_council
    return render(
        request,
        "uploads/form.html",
        {
            "form": form,
            "heading": "Upload SSDA903 returns",
            "caption": only.name if only else "",
            "intro": "A council's children-looked-after returns, in DfE's layout. Every file "
            "is checked, then the returns are imported all or nothing: if any row has a "
            "problem, nothing is imported and every problem is listed. Re-importing a "
            "collection year replaces it. Or check them with DfE's full rule set "
            "(csc-validator-be-903) without importing them.",
            "limit_mb": max_upload_bytes() // (1024 * 1024),
            "recent": _recent(request, Upload.Kind.RETURNS),
            "detail": "returns_upload",
            "arg": "returns_upload",
        },
        status=503 if not stored else 400 if form.errors else 200,
    )


def _status(upload: Upload) -> dict[str, Any]:
    progress = read_progress(upload)
    return {
        "status": upload.status,
        "label": "Checked"
        if upload.kind == Upload.Kind.VALIDATE and upload.status == Upload.Status.DONE
        else upload.get_status_display(),
        "finished": upload.finished,
        "stage": progress.stage,
        "done": progress.done,
        "total": progress.total,
        "percent": 100 if upload.finished else progress.percent,
    }


@never_cache
def _detail(request: HttpRequest, upload: Upload, form_page: str) -> HttpResponse:
    kind = f"upload {upload.kind}"
    fmt = request.GET.get("format", "")
    if fmt == "json":
        record_access(
            user=request.user,
            action="view",
            object_type=kind,
            object_id=str(upload.pk),
            path=request.path,
            detail="progress",
        )
        # the seconds the session has left: the page's warning before sign-out counts
        # from it, so watching a running import keeps the session alive
        return JsonResponse({**_status(upload), "seconds_left": session_seconds_left(request)})
    if fmt == "csv" and upload.finished:
        record_access(
            user=request.user,
            action="export",
            object_type=kind,
            object_id=str(upload.pk),
            path=request.path,
            detail="problems CSV",
        )
        rows = [[line] for line in (upload.lines if upload.problems else [])]
        return download("csv", f"upload-{upload.pk}-problems", csv_bytes(["problem"], rows))
    record_access(
        user=request.user,
        action="view",
        object_type=kind,
        object_id=str(upload.pk),
        path=request.path,
    )
    return render(
        request,
        "uploads/detail.html",
        {
            "upload": upload,
            # a failed upload's lines say what went wrong on the server (its folders)
            "lines": upload.lines
            if upload.status != Upload.Status.FAILED or allowed(request.user, "server_faults")
            else [],
            "state": _status(upload),
            "form_page": form_page,
            "worker": worker_health() if not upload.finished else None,
        },
    )


@page("tracker_upload")
def tracker_detail(request: HttpRequest, tracker_upload: int) -> HttpResponse:
    upload = upload_for(request.user, Upload.Kind.TRACKER, tracker_upload)
    return _detail(request, upload, reverse("upload_tracker"))


@page("returns_upload")
def returns_detail(request: HttpRequest, returns_upload: int) -> HttpResponse:
    upload = upload_for(request.user, Upload.Kind.RETURNS, returns_upload)
    return _detail(request, upload, reverse("upload_returns"))
