"""Reads of enquiries and referrals, always narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from stars.core.permissions import scope_of
from stars.referrals.models import Enquiry, Referral


def referrals_visible(user: Any) -> QuerySet[Referral]:
    qs = Referral.objects.select_related("council", "child", "key_worker", "enquiry")
    return scope_of(user).filter(qs)


def referral_get(user: Any, referral_id: str) -> Referral:
    """One referral the user may see; 404 (not 403) for anything outside their scope."""
    return get_object_or_404(referrals_visible(user), referral_id=referral_id)


def enquiries_visible(user: Any) -> QuerySet[Enquiry]:
    qs = Enquiry.objects.select_related("council", "child")
    return scope_of(user).filter(qs, key_worker="referrals__key_worker_id").distinct()
