"""Forms of the finance pages (rendered with the shared GOV.UK field template)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

MONTH = re.compile(r"^\d{4}-\d{2}$")


class OpenClaimForm(forms.Form):
    council = forms.ChoiceField(label="Council")
    month = forms.CharField(
        label="Month", help_text="For example, 2024-03", max_length=7, strip=True
    )

    def __init__(self, *args: Any, councils: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = councils

    def clean_month(self) -> str:
        value: str = self.cleaned_data["month"]
        try:
            if not MONTH.match(value):
                raise ValueError(value)
            dt.date(int(value[:4]), int(value[5:]), 1)
        except ValueError as exc:
            raise forms.ValidationError("Enter a month as year and month, like 2024-03") from exc
        return value


class DisputeForm(forms.Form):
    line = forms.ChoiceField(label="Line disputed")
    reason = forms.CharField(
        label="Why is it disputed?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="The provider sees this and corrects the records or explains the line",
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = lines
