"""What the `stars retention` commands do, once Django is set up (imported only after
:func:`stars.cli.console.setup`, so models and services are imported at module level)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stars.cli.console import fail
from stars.cli.programme import within
from stars.cli.terminal import out
from stars.core.audit import record_access, record_list
from stars.core.templatetags.stars_format import count
from stars.domain.governance.retention import RetentionError
from stars.governance import retention, services
from stars.governance.models import Disposal
from stars.governance.views import LOGGED_AS
from stars.partnership.models import User


def retention_review(*, day: dt.date | None, programme: str | None = None) -> None:
    within(programme)
    today = day or timezone.localdate()
    try:
        kinds = retention.review(today)
    except (RetentionError, OSError) as exc:
        fail(str(exc))
    out.print(f"Retention review on {today:%Y-%m-%d}: {sum(k.count for k in kinds)} due")
    width = max(len(k.rule.label) for k in kinds)
    for k in kinds:
        flag = "  (assumption: to be confirmed)" if k.rule.assumption else ""
        out.print(
            f"  {k.rule.label:<{width}} {k.count:>8} due  kept {k.rule.period} from "
            f"{k.rule.trigger_label}{flag}",
            highlight=False,
            soft_wrap=True,
        )
    for k in kinds:
        if not k.items:
            continue
        more = f" (the first {len(k.items)} of {k.count})" if k.count > len(k.items) else ""
        out.print(f"\n{k.rule.label}{more}:", highlight=False)
        for i in k.items:
            out.print(
                f"  {i.key:<28} {i.council or '-':<16} trigger {i.trigger_date:%Y-%m-%d}  "
                f"due since {i.due_date:%Y-%m-%d}",
                highlight=False,
                soft_wrap=True,
            )
        if k.rule.kind in LOGGED_AS:
            record_list(
                user=None,
                object_type=LOGGED_AS[k.rule.kind],
                object_ids=[i.key for i in k.items],
                path="stars retention review",
                detail="retention review",
            )
    record_access(user=None, action="view", object_type="retention", path="stars retention review")


def _admin(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"--by {username}: no such user")
    return user


def _certificate(d: Disposal) -> None:
    where = f" of {d.programme_name} ({d.programme.code})" if d.programme else ""
    out.print(
        f"Disposal {d.pk}{where}: {count(d.count)} {d.kind_label.lower()} record"
        f"{'s' if d.count != 1 else ''} due on {d.as_of:%Y-%m-%d} ({d.rule})",
        highlight=False,
        soft_wrap=True,
    )
    asked = d.requested_by.username if d.requested_by else "a former user"
    out.print(f"  status: {d.get_status_display()}", highlight=False)
    out.print(f"  asked for by {asked}, {timezone.localtime(d.requested_at):%Y-%m-%d %H:%M}")
    if d.approved_at:
        approver = d.approved_by.username if d.approved_by else "a former user"
        out.print(f"  approved by {approver}, {timezone.localtime(d.approved_at):%Y-%m-%d %H:%M}")
        removed = "; ".join(f"{n} {what}" for what, n in d.removed.items())
        out.print(f"  removed: {removed or 'nothing held personal data'}", highlight=False)


def retention_dispose(
    *, kind: str, by: str, day: dt.date | None, programme: str | None = None
) -> None:
    """Ask for a disposal: the same service as the Retention review page, audited."""
    within(programme)
    user = _admin(by)
    try:
        rule_kinds = retention.schedule().rules
    except (RetentionError, OSError) as exc:
        fail(str(exc))
    if kind not in rule_kinds:
        fail(f"{kind}: not a kind of record; expected one of {', '.join(rule_kinds)}")
    try:
        d = services.disposal_request(kind=kind, by=user, today=day or timezone.localdate())
    except services.DisposalError as exc:
        fail(exc.message)
    record_access(
        user=user,
        action="dispose_request",
        object_type="disposal",
        object_id=str(d.pk),
        path="stars retention dispose",
        detail=f"{d.count} {kind}",
    )
    _certificate(d)
    out.print(f"A second administrator approves it: stars retention approve {d.pk} --by NAME")


def retention_decide(*, disposal: int, by: str, programme: str | None, action: str) -> None:
    """Approve (dispose of the records) or withdraw a disposal: the Disposals page's service."""
    within(programme)
    user = _admin(by)
    d = services.disposals_in_view().filter(pk=disposal).first()
    if d is None:
        fail(f"no disposal {disposal} in this programme")
    do = services.disposal_approve if action == "approve" else services.disposal_withdraw
    try:
        do(disposal=d, by=user)
    except services.DisposalError as exc:
        fail(exc.message)
    record_access(
        user=user,
        action="dispose" if action == "approve" else "dispose_withdraw",
        object_type="disposal",
        object_id=str(d.pk),
        path=f"stars retention {action}",
        detail=f"{d.count} {d.kind}",
    )
    _certificate(d)


def retention_disposals(*, programme: str | None) -> None:
    within(programme)
    shown = list(services.disposals_in_view()[:100])
    if not shown:
        out.print("No disposal yet.")
    for d in shown:
        _certificate(d)
    record_access(
        user=None, action="view", object_type="disposal", path="stars retention disposals"
    )
