"""Reads of uploads, narrowed to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from stars.core.permissions import programme_options, scope_of
from stars.core.programmes import programme_active
from stars.partnership.models import Council
from stars.uploads.models import Upload


def uploads_visible(user: Any, kind: str) -> QuerySet[Upload]:
    """Uploads of one kind: SSDA903 returns (imported or only checked) of the user's own
    council (every council's for programme-wide roles); trackers are the programme's (the
    one worked in) and those with none (stored before programmes existed, with several
    programmes: docs/decisions/0010-uploads-without-a-programme.md), shown as "No
    programme"."""
    kinds = [kind, Upload.Kind.VALIDATE] if kind == Upload.Kind.RETURNS else [kind]
    rows = Upload.objects.filter(kind__in=kinds).select_related("council")
    if kind == Upload.Kind.RETURNS:
        rows = scope_of(user).within_councils(rows)
    active = programme_active()
    if kind == Upload.Kind.TRACKER and active is not None:
        rows = rows.filter(programme__in=[active.code, ""])
    return rows


def upload_for(user: Any, kind: str, upload_id: int) -> Upload:
    """One upload the user may see: as listed, and a tracker of any programme they work
    in (one that made a new programme has moved to it while its page was open)."""
    rows = uploads_visible(user, kind)
    options = programme_options(user)
    if kind == Upload.Kind.TRACKER and options:
        rows = Upload.objects.filter(kind=kind, programme__in=[o.code for o in options] + [""])
    try:
        return rows.get(pk=upload_id)
    except Upload.DoesNotExist as exc:
        raise Http404("no such upload") from exc


def councils_for_returns(user: Any) -> QuerySet[Council]:
    """The councils whose returns the user may load: their own, or every one."""
    return scope_of(user).within_councils(Council.objects.all(), council="code")
