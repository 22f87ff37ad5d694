"""Display formatting: money is rounded to pence (half up) only here, when shown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from stars.core.forms import DateBox, DateBoxes
from stars.core.forms import date_boxes as boxes_of
from stars.domain.disclosure import SUPPRESSED
from stars.domain.money import ROUNDING_NOTE
from stars.domain.vocabulary import label

register = template.Library()

MINUS = "\u2212"  # the minus sign, read as "minus" (a hyphen is read as "dash" or nothing)
JOIN = "\u2060"  # word joiner: no line break between a sign and its amount


def signed(sign: str, amount: str) -> str:
    """A sign kept on the line of its amount (a browser may break after "-", "−" or "+")."""
    return f"{sign}{JOIN}{amount}" if sign else amount


@register.filter
def money(value: Any) -> str:
    """An amount in pounds and pence; a hidden amount ("c", as a hidden count) as it is."""
    if value is None or value == "":
        return ""
    if value == SUPPRESSED:
        return SUPPRESSED
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return signed(MINUS if d < 0 else "", f"£{abs(d):,.2f}")


@register.simple_tag
def rounding_note() -> SafeString:
    """What a report of exact figures says beside its money, once: each amount is rounded on
    its own, so its parts may not add up to its totals (docs/decisions/0017)."""
    return format_html('<p class="govuk-body-s" data-testid="rounding-note">{}</p>', ROUNDING_NOTE)


@register.filter
def money_change(value: Any) -> str:
    """A change of money since before: "+£13,300.00", "−£5.00" or "no change"."""
    if value == SUPPRESSED:  # a change that would give a hidden amount away
        return SUPPRESSED
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if d == 0:
        return "no change"
    return signed("+" if d > 0 else MINUS, f"£{abs(d):,.2f}")


@register.filter
def count(value: Any) -> str:
    """A count or other plain number with its thousands separated: "17,742", "−5"; text
    (a suppressed "c", a dash) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    return signed(MINUS if value < 0 else "", f"{abs(value):,}")


@register.filter
def count_change(value: int) -> str:
    """A change of a count since before: "+1,286", "−5" or "no change"."""
    if value == 0:
        return "no change"
    return f"{'+' if value > 0 else MINUS}{count(abs(value))}"


@register.filter
def code_label(value: Any) -> str:
    """A record code (decision, funding, status, closure reason) by its one label."""
    return label(str(value)) if value else ""


@register.filter
def error_anchor(field: Any) -> str:
    """Where an error summary's link for a field goes: the field itself, or, for radios and
    checkboxes (a group has no element of its own), its first option, and for a date its
    first box in error, as GOV.UK does."""
    widget = field.field.widget
    if getattr(widget, "input_type", "") in ("radio", "checkbox") and hasattr(widget, "choices"):
        return f"{field.auto_id}_0"
    if isinstance(widget, DateBoxes):
        boxes = boxes_of(field)
        return next((b.id for b in boxes if b.error), boxes[0].id)
    return str(field.auto_id)


@register.filter(name="date_boxes")
def date_boxes(field: Any) -> list[DateBox]:
    """The Day, Month and Year boxes of a date field (``stars.core.forms.date_boxes``)."""
    return boxes_of(field)


@register.filter
def described_by(field: Any) -> str:
    """The ids a field's input (or, for radios and checkboxes, its fieldset) is described by:
    its hint and its error message, so a screen reader reads both on reaching it, as GOV.UK
    does; blank when it has neither."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def rate(value: Any) -> str:
    """A fraction as a percentage with one decimal; blank for none (no denominator)."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(str(value)) * 100:.1f}%"


class _Scrollable(template.Node):
    def __init__(self, label: FilterExpression, nodelist: NodeList) -> None:
        self.label, self.nodelist = label, nodelist

    def render(self, context: template.Context) -> SafeString:
        return format_html(
            '<div class="stars-table-wrap" role="region" aria-label="Table: {}" tabindex="0">'
            "{}</div>",
            self.label.resolve(context),
            mark_safe(self.nodelist.render(context)),  # already rendered (and escaped)
        )


@register.tag
def scrollable(parser: Parser, token: Token) -> _Scrollable:
    """``{% scrollable LABEL %}<table>…</table>{% endscrollable %}``: a wide table scrolls
    inside its own box (a labelled region, reachable by keyboard) instead of pushing the
    whole page sideways on a narrow screen. Every table is wrapped so."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% scrollable LABEL %} takes the region's label")
    nodelist = parser.parse(("endscrollable",))
    parser.delete_first_token()
    return _Scrollable(parser.compile_filter(bits[1]), nodelist)
