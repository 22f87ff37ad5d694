"""`stars explain`: the engine's explanation of one referral, and what claims held back of
its outcome payments over a maximum outcome payment."""

from __future__ import annotations

import datetime as dt

from stars.cases.explain import explanation_for, explanation_text
from stars.core.templatetags.stars_format import money
from stars.finance.selectors import held_back_for
from stars.referrals.models import Referral


def explanation_with_claims(referral: Referral, as_of: dt.date) -> str:
    """The explanation as plain text, with a last line for what claims held back of the
    referral's outcome payments over a maximum (none when nothing was held back)."""
    text = explanation_text(explanation_for(referral, as_of))
    held = held_back_for(referral)
    if held:
        text += (
            f"\nHeld back by claims over the maximum outcome payment (not payable): {money(held)}"
        )
    return text
