"""The information governance forms."""

from __future__ import annotations

from typing import Any

from django import forms

from stars.core.forms import GovukForm, date_field
from stars.governance.corrections import FIELD_CHOICES
from stars.governance.models import LawfulBasis
from stars.partnership.models import Council
from stars.partnership.selectors import programme_councils
from stars.referrals.models import Child
from stars.referrals.selectors import child_named


class SubjectAccessForm(GovukForm):
    child_ref = forms.CharField(
        label="Child reference",
        max_length=40,
        help_text="as on the child's enquiry or referral, for example C000123",
    )

    def clean_child_ref(self) -> Child:
        ref = self.cleaned_data["child_ref"].strip()
        child = child_named(ref)
        if child is None:
            raise forms.ValidationError(f"No child has the reference {ref}")
        return child


class AgreementForm(GovukForm):
    council = forms.ModelChoiceField(
        queryset=Council.objects.all(), label="Council", empty_label="Select a council"
    )
    title = forms.CharField(label="Title", max_length=200)
    parties = forms.CharField(
        label="Parties", widget=forms.Textarea(attrs={"rows": 3}), help_text="one a line"
    )
    lawful_basis = forms.ChoiceField(label="Lawful basis", choices=LawfulBasis.choices)
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea(attrs={"rows": 3}))
    start = date_field("Start date")
    review = date_field("Review date")
    end = date_field("End date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the councils of the programme worked in
        field = self.fields["council"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programme_councils(Council.objects.all())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, review, end = data.get("start"), data.get("review"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "End date must be on or after the start date")
        if start and review and review < start:
            self.add_error("review", "Review date must be on or after the start date")
        elif review and end and review > end:
            self.add_error("review", "Review date must be on or before the end date")
        return data


class CorrectionForm(GovukForm):
    field = forms.ChoiceField(label="Field to correct", choices=FIELD_CHOICES)
    record = forms.CharField(
        label="Record", max_length=40, help_text="the child's reference or the enquiry's id"
    )
    value = forms.CharField(
        label="Correct value", max_length=2000, help_text="dates as 27 3 2012 or 2012-03-27"
    )
    reason = forms.CharField(
        label="Reason for the correction",
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="kept in the record's history with the old value",
    )


class RestrictionForm(GovukForm):
    child_ref = forms.CharField(label="Child reference", max_length=40)
    restricted = forms.TypedChoiceField(
        label="Processing",
        choices=[("yes", "Restrict"), ("no", "Lift the restriction")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason", max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )
