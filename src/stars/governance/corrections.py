"""Correction and restriction of a child's records (UK GDPR articles 16 and 18).

A correction changes one field of one record; the old value stays in the record's change
history, with the reason given (simple-history's change reason), so the audit shows who
changed what, when and why. A restriction marks the child: their records are then seen by
administrators only (``stars.core.permissions.Scope.filter``) and left out of every export
of child-level rows (the tracker export, the evaluator's extract) and of notifications (no new
one names them to anyone else, and those already made are withdrawn from others' lists);
figures still count them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse

from stars.core.errors import RuleError
from stars.core.permissions import allowed
from stars.notifications.services import notifications_withdraw
from stars.referrals.models import Child, Enquiry
from stars.referrals.selectors import child_named

# What may be corrected here: personal data and free text, by record kind. Dates and
# statuses that pay for outcomes are corrected on the case's own pages (claims then adjust).
CORRECTABLE: dict[str, tuple[type[Model], str, dict[str, str]]] = {
    "child": (
        Child,
        "child_ref",
        {
            "given_name": "Given name",
            "family_name": "Family name",
            "date_of_birth": "Date of birth",
        },
    ),
    "enquiry": (
        Enquiry,
        "enquiry_id",
        {
            "social_worker": "Social worker",
            "team": "Team",
            "why_now": "Why now",
            "decision_reason": "Reason for the decision",
        },
    ),
}
FIELD_CHOICES = [
    (f"{kind}.{name}", f"{kind.capitalize()}: {label}")
    for kind, (_, _, fields) in CORRECTABLE.items()
    for name, label in fields.items()
]


def _check_allowed(user: Any, action: str) -> None:
    if not allowed(user, action):
        raise RuleError(None, "Only an administrator may do this")


def record_correct(*, field: str, record: str, value: str, reason: str, by: Any) -> Model:
    """Correct ``field`` ("child.given_name") of the record named ``record`` to ``value``."""
    _check_allowed(by, "record_correct")
    kind, _, name = field.partition(".")
    if kind not in CORRECTABLE or name not in CORRECTABLE[kind][2]:
        raise RuleError("field", "Select a field that can be corrected here")
    model, key, labels = CORRECTABLE[kind]
    if model is Child:  # typed as on subject access and restriction
        obj: Model | None = child_named(record)
    else:
        obj = model.objects.filter(**{key: record.strip()}).first()  # type: ignore[attr-defined]
    if obj is None:
        raise RuleError("record", f"No {kind} has the id {record.strip()}")
    if not reason.strip():
        raise RuleError("reason", "Enter the reason for the correction")
    f = model._meta.get_field(name)
    try:
        new = f.clean(value.strip(), obj)
    except ValidationError as exc:
        raise RuleError("value", f"{labels[name]}: {' '.join(exc.messages)}") from exc
    if getattr(obj, name) == new:
        raise RuleError("value", f"{labels[name]} is already {value.strip()}")
    with transaction.atomic():
        setattr(obj, name, new)
        obj._change_reason = f"correction: {reason.strip()}"  # type: ignore[attr-defined]
        obj.save()
    return obj


def child_restrict(*, child_ref: str, restricted: bool, reason: str, by: Any) -> Child:
    """Restrict (or lift the restriction of) the processing of a child's records."""
    _check_allowed(by, "child_restrict")
    child = child_named(child_ref)
    if child is None:
        raise RuleError("child_ref", f"No child has the reference {child_ref.strip()}")
    if not reason.strip():
        raise RuleError("reason", "Enter the reason")
    if child.restricted == restricted:
        state = "already restricted" if restricted else "not restricted"
        raise RuleError("restricted", f"The child is {state}")
    with transaction.atomic():
        child.restricted = restricted
        child._change_reason = (  # type: ignore[attr-defined]
            f"{'restriction' if restricted else 'restriction lifted'}: {reason.strip()}"
        )
        child.save()
        if restricted:  # what others were told about the child leaves their lists too
            notifications_withdraw(urls=_pages_of(child))
    return child


def _pages_of(child: Child) -> list[str]:
    """The pages of a child's enquiries, referrals and cases (where notifications point)."""
    pages = [
        reverse("enquiry_detail", args=[e])
        for e in child.enquiries.values_list("enquiry_id", flat=True)
    ]
    for rid in child.referrals.values_list("referral_id", flat=True):
        pages += [reverse("referral_detail", args=[rid]), reverse("case_detail", args=[rid])]
    return pages
