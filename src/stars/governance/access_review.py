"""The monthly access review: the access log's reads of children's records in a month, with
each record's council and key worker and each user's role and council, through the rules of
``stars.domain.governance.access_review``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stars.core.audit import flush_pending
from stars.core.models import AccessLog
from stars.domain.calendar import next_month
from stars.domain.governance.access_review import Finding, Read, Thresholds, review_access
from stars.governance.processing import thresholds

__all__ = ["Thresholds", "access_review", "last_month", "month_reads"]
from stars.partnership.models import User
from stars.referrals.models import Child, Enquiry, Referral

# access-log object types that name a child's record, and the id each holds (a claim's
# entries, with the referrals they showed linked, are reads of the claim: not counted)
CHILD_LEVEL = {"referral": "referral", "case": "referral", "enquiry": "enquiry", "child": "child"}


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_reads(month: dt.date) -> list[Read]:
    """Every read of a child's record logged in ``month`` (its first day), by a user (with
    those kept while an import held the write lock, written in first)."""
    flush_pending()
    rows = list(
        AccessLog.objects.filter(
            at__gte=_aware(month),
            at__lt=_aware(next_month(month)),
            object_type__in=CHILD_LEVEL,
            user__isnull=False,
        ).values_list("username", "at", "object_type", "object_id")
    )
    ids: dict[str, set[str]] = {"referral": set(), "enquiry": set(), "child": set()}
    for _, _, kind, oid in rows:
        ids[CHILD_LEVEL[kind]].add(oid)
    owners: dict[tuple[str, str], tuple[str, str | None]] = {}
    for rid, code, kw in Referral.objects.filter(referral_id__in=ids["referral"]).values_list(
        "referral_id", "council__code", "key_worker__username"
    ):
        owners[("referral", rid)] = (code, kw)
    for eid, code in Enquiry.objects.filter(enquiry_id__in=ids["enquiry"]).values_list(
        "enquiry_id", "council__code"
    ):
        owners[("enquiry", eid)] = (code, None)
    for ref, code in Child.objects.filter(child_ref__in=ids["child"]).values_list(
        "child_ref", "council__code"
    ):
        owners[("child", ref)] = (code, None)
    users: dict[str, tuple[str, str | None]] = {
        u: (role, code)
        for u, role, code in User.objects.filter(username__in={r[0] for r in rows}).values_list(
            "username", "role", "council__code"
        )
    }
    reads = []
    for username, at, kind, oid in rows:
        role, user_council = users.get(username, ("", None))
        council, key_worker = owners.get((CHILD_LEVEL[kind], oid), (None, None))
        reads.append(
            Read(
                username,
                role,
                user_council,
                timezone.localtime(at).replace(tzinfo=None),
                f"{kind} {oid}",
                council,
                key_worker,
            )
        )
    return reads


def access_review(month: dt.date, t: Thresholds | None = None) -> tuple[list[Finding], int]:
    """The findings of a month and how many reads it held, by the configured thresholds
    (``config/privacy.toml``) unless others are given."""
    reads = month_reads(month)
    return review_access(reads, t or thresholds().access), len(reads)


def last_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)
