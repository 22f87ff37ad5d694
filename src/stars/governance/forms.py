"""The information governance forms."""

from __future__ import annotations

from django import forms

from stars.core.forms import GovukForm
from stars.referrals.models import Child


class SubjectAccessForm(GovukForm):
    child_ref = forms.CharField(
        label="Child reference",
        max_length=40,
        help_text="as on the child's enquiry or referral, for example C000123",
    )

    def clean_child_ref(self) -> Child:
        ref = self.cleaned_data["child_ref"].strip()
        child = Child.objects.filter(child_ref=ref).select_related("council").first()
        if child is None:
            raise forms.ValidationError(f"No child has the reference {ref}")
        return child
