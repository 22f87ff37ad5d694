"""What the `stars retention` commands do, once Django is set up (imported only after
:func:`stars.cli.console.setup`, so models and services are imported at module level)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from stars.cli.console import fail, out
from stars.core.audit import record_access, record_list
from stars.domain.governance.retention import RetentionError
from stars.governance import retention
from stars.governance.views import LOGGED_AS


def retention_review(*, day: dt.date | None) -> None:
    today = day or timezone.localdate()
    try:
        kinds = retention.review(today)
    except (RetentionError, OSError) as exc:
        fail(str(exc))
    out.print(f"Retention review on {today:%Y-%m-%d}: {sum(k.count for k in kinds)} due")
    for k in kinds:
        flag = "  (assumption: to be confirmed)" if k.rule.assumption else ""
        out.print(
            f"  {k.rule.label:<32} {k.count:>8} due  kept {k.rule.period} from "
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
