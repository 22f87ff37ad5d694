"""The retention review: which records each rule of the schedule makes due, as of a day.

The schedule is configuration (``settings.STARS_RETENTION_CONFIG``, by default
``config/retention.toml``) read by ``stars.domain.governance.retention``; the rule says how
long, this module finds the records: each kind's trigger date, compared in the database with
the latest trigger date due (so a review of a large programme reads only counts and ids).

A review is of the programme worked in (``stars.core.programmes``): its enquiries, referrals
and claims; its access-log entries and files loaded in the browser, with those made outside
any programme; the SSDA903 returns of its councils.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from stars.core.models import AccessLog
from stars.core.programmes import programme_active
from stars.domain.calendar import month_start, next_month
from stars.domain.governance.retention import (
    RetentionRule,
    RetentionSchedule,
    contract_end,
    parse_retention,
)
from stars.finance.models import ClaimStatus, OutcomeClaim
from stars.governance.models import DisposedRecord
from stars.partnership.selectors import contract_or_none
from stars.referrals.models import OPEN_DECISIONS, Enquiry, Referral, Status
from stars.sufficiency.models import SufficiencyReturn
from stars.uploads.models import Upload

SHOWN = 50  # items listed per kind on the page and by the command (the count is complete)


def schedule(path: Path | None = None) -> RetentionSchedule:
    """The retention schedule in force (raises ``RetentionError`` naming file and line)."""
    source = Path(path or settings.STARS_RETENTION_CONFIG)
    return parse_retention(source.read_text(encoding="utf-8"), str(source))


def programme_end() -> dt.date | None:
    """The contract's end for the ``contract_end`` trigger (None without a contract)."""
    terms = contract_or_none()
    if terms is None:
        return None
    return contract_end(terms.referral_period_end, terms.programme_weeks)


@dataclass(frozen=True)
class Item:
    """One record due: what it is, its council, the day its trigger fell, the day it fell due."""

    key: str
    council: str
    trigger_date: dt.date
    due_date: dt.date


@dataclass
class KindDue:
    rule: RetentionRule
    count: int
    items: list[Item] = field(default_factory=list)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _trigger_q(rule: RetentionRule, latest: dt.date, end: dt.date | None, field: str) -> Q:
    """Records whose trigger (held in ``field``) fell on or before ``latest``."""
    if rule.trigger == "contract_end":
        return Q() if end is not None and end <= latest else Q(pk__in=[])
    return Q(**{f"{field}__lte": latest})


# Per kind: the records it covers, the field holding each trigger, how an item is named.
def enquiries_not_progressed() -> QuerySet[Any]:
    """Enquiries closed without becoming a referral: decided otherwise than progressed, and
    not on the waiting list (still open, waiting for a place or a match)."""
    return Enquiry.objects.exclude(decision__in=OPEN_DECISIONS).filter(referrals__isnull=True)


def closed_referrals() -> QuerySet[Any]:
    """Referrals whose case has ended (a live case is never due)."""
    return Referral.objects.exclude(status=Status.LIVE)


def approved_claims() -> QuerySet[Any]:
    """Approved claims (a draft, submitted or disputed claim is still open)."""
    return OutcomeClaim.objects.filter(status=ClaimStatus.APPROVED)


def _enquiries(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    field = {"decision_date": "decision_date", "date_of_birth": "child__date_of_birth"}
    return enquiries_not_progressed().filter(
        _trigger_q(rule, latest, end, field.get(rule.trigger, ""))
    )


def _referrals(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    field = {"case_end": "end_date", "date_of_birth": "child__date_of_birth"}
    return closed_referrals().filter(_trigger_q(rule, latest, end, field.get(rule.trigger, "")))


def _claims(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    if rule.trigger == "claim_month":  # the month's last day on or before ``latest``
        return approved_claims().filter(month__lt=month_start(latest + dt.timedelta(days=1)))
    return approved_claims().filter(_trigger_q(rule, latest, end, ""))


def _in_programme(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Rows naming the programme worked in by its code, or none (logged, or loaded, outside
    any programme); every row when no programme is active."""
    choice = programme_active()
    return qs if choice is None else qs.filter(programme__in=[choice.code, ""])


def access_log_entries() -> QuerySet[Any]:
    """The access log of the programme worked in (and the entries of no programme)."""
    return _in_programme(AccessLog.objects.all())


def ssda903_returns() -> QuerySet[Any]:
    """The SSDA903 returns of the councils of the programme worked in (every council's when
    no programme is active)."""
    choice = programme_active()
    qs = SufficiencyReturn.objects.all()
    return qs if choice is None else qs.filter(council__programmes__id=choice.id)


def _access_log(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    if rule.trigger == "logged":
        return access_log_entries().filter(at__lt=_aware(latest + dt.timedelta(days=1)))
    return access_log_entries().filter(_trigger_q(rule, latest, end, ""))


def _uploads(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    if rule.trigger == "year_end":  # 31 March of the collection year
        year = latest.year if (latest.month, latest.day) >= (3, 31) else latest.year - 1
        return ssda903_returns().filter(collection_year__lte=year)
    if rule.trigger == "uploaded":
        return ssda903_returns().filter(imported_at__lt=_aware(latest + dt.timedelta(1)))
    return ssda903_returns().filter(_trigger_q(rule, latest, end, ""))


def browser_uploads() -> QuerySet[Any]:
    """Files loaded in the browser whose import has finished (one waiting or running is
    never due)."""
    return _in_programme(
        Upload.objects.filter(
            status__in=[Upload.Status.DONE, Upload.Status.REJECTED, Upload.Status.FAILED]
        )
    )


def _browser_uploads(rule: RetentionRule, latest: dt.date, end: dt.date | None) -> QuerySet[Any]:
    if rule.trigger == "uploaded":
        return browser_uploads().filter(uploaded_at__lt=_aware(latest + dt.timedelta(days=1)))
    return browser_uploads().filter(_trigger_q(rule, latest, end, ""))


def _trigger_of(kind: str, trigger: str, row: Any, end: dt.date | None) -> dt.date:
    """The trigger date of one record due (for the listing)."""
    if trigger == "contract_end" and end is not None:
        return end
    if kind == "enquiry_not_progressed":
        return row.decision_date if trigger == "decision_date" else row.child.date_of_birth
    if kind == "referral_and_case":
        return row.end_date if trigger == "case_end" else row.child.date_of_birth
    if kind == "claim":
        return next_month(row.month) - dt.timedelta(days=1)
    if kind == "access_log":
        return timezone.localdate(row.at)
    if kind == "browser_uploads":
        return timezone.localdate(row.uploaded_at)
    if trigger == "year_end":
        return dt.date(row.collection_year, 3, 31)
    return timezone.localdate(row.imported_at)


def item_name(kind: str, row: Any) -> tuple[str, str]:
    """An item's key and council code."""
    if kind == "enquiry_not_progressed":
        return row.enquiry_id, row.council.code
    if kind == "referral_and_case":
        return row.referral_id, row.council.code
    if kind == "claim":
        return f"{row.council.code}/{row.month:%Y-%m}", row.council.code
    if kind == "access_log":
        return f"{row.pk}", ""
    if kind == "browser_uploads":
        council = row.council.code if row.council else ""
        return f"upload {row.pk} ({row.get_kind_display().lower()})", council
    return f"{row.council.code}/{row.collection_year}/{row.kind}", row.council.code


FINDERS: dict[str, Callable[[RetentionRule, dt.date, dt.date | None], QuerySet[Any]]] = {
    "enquiry_not_progressed": _enquiries,
    "referral_and_case": _referrals,
    "claim": _claims,
    "access_log": _access_log,
    "uploads": _uploads,
    "browser_uploads": _browser_uploads,
}
RELATED = {
    "enquiry_not_progressed": ("child", "council"),
    "referral_and_case": ("child", "council"),
    "claim": ("council",),
    "access_log": (),
    "uploads": ("council",),
    "browser_uploads": ("council",),
}


OLDEST_FIRST = {
    "enquiry_not_progressed": ("decision_date", "pk"),
    "referral_and_case": ("end_date", "pk"),
    "claim": ("month", "council__code"),
    "access_log": ("at", "pk"),
    "uploads": ("collection_year", "council__code", "kind"),
    "browser_uploads": ("uploaded_at", "pk"),
}


def due(rule: RetentionRule, today: dt.date, end: dt.date | None = None) -> QuerySet[Any]:
    """The records of ``rule``'s kind due for disposal on ``today`` and not yet disposed of,
    oldest first."""
    qs = FINDERS[rule.kind](rule, rule.latest_trigger_due(today), end)
    qs = qs.exclude(pk__in=DisposedRecord.objects.filter(kind=rule.kind).values("object_pk"))
    return qs.select_related(*RELATED[rule.kind]).order_by(*OLDEST_FIRST[rule.kind])


def review(
    today: dt.date, *, plan: RetentionSchedule | None = None, shown: int = SHOWN
) -> list[KindDue]:
    """Every kind of the schedule with its count due on ``today`` and the first ``shown``."""
    plan = plan or schedule()
    end = programme_end()
    found = []
    for rule in plan.rules.values():
        qs = due(rule, today, end)
        items = []
        for row in qs[:shown]:
            key, council = item_name(rule.kind, row)
            trigger = _trigger_of(rule.kind, rule.trigger, row, end)
            items.append(Item(key, council, trigger, rule.due_on(trigger)))
        found.append(KindDue(rule, qs.count(), items))
    return found
