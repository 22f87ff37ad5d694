"""Display formatting: money is rounded to pence (half up) only here, when shown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    if value is None or value == "":
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    return f"{sign}£{abs(d):,.2f}"


@register.filter
def rate(value: Any) -> str:
    """A fraction as a percentage with one decimal; blank for none (no denominator)."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(str(value)) * 100:.1f}%"
