"""Forms of the finance pages (rendered with the shared GOV.UK field template)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from stars.core.forms import GovukForm
from stars.domain.calendar import month_parse


class OpenClaimForm(GovukForm):
    council = forms.ChoiceField(label="Council")
    month = forms.CharField(
        label="Month",
        help_text="For example, October 2024",
        max_length=20,
        strip=True,
        error_messages={"required": "Enter the month"},
    )

    def __init__(self, *args: Any, councils: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = councils

    def clean_month(self) -> str:
        """The month as YYYY-MM, typed as "October 2024", "Oct 2024", "10 2024" or "2024-10"."""
        month = month_parse(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Enter the month as a real month, like October 2024")
        return f"{month:%Y-%m}"


class ClaimConfirmForm(GovukForm):
    """A claim step's confirmation: nothing to fill; ``prepared`` carries when the claim
    shown was prepared, so a step taken on a page opened before the claim was prepared
    again is refused rather than applied to figures nobody saw."""

    prepared = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = data.get("prepared") or ""
        try:
            data["prepared"] = dt.datetime.fromisoformat(text) if text else None
        except ValueError:
            message = "Open the claim again: this page was not complete"
            raise forms.ValidationError(message) from None
        return data


class DisputeForm(GovukForm):
    """A line of the claim chosen from radios, one a line, each naming its referral, child
    reference and amount; none chosen by default (``?line=`` on the claim page's link
    checks that line)."""

    line = forms.ChoiceField(label="Line disputed", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Why is it disputed?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="The provider sees this and corrects the records or explains the line",
        error_messages={"required": "Enter why the line is disputed"},
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = lines
