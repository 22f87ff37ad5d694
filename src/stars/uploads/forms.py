"""The upload forms: every file required, none over the size limit."""

from __future__ import annotations

from typing import Any

from django import forms

from stars.core.forms import GovukForm
from stars.core.spool import max_upload_bytes
from stars.partnership.models import Council
from stars.uploads.files import TRACKER_FILES


def _file(label: str, accept: str, hint: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=hint,
        widget=forms.ClearableFileInput(attrs={"accept": accept}),
        error_messages={
            "required": f"Select the {label[0].lower() + label[1:]}",
            "empty": f"The {label[0].lower() + label[1:]} is empty",
            "invalid": f"Select the {label[0].lower() + label[1:]} again",
        },
    )


class SizeLimited(GovukForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        limit = max_upload_bytes()
        for name, field in self.fields.items():
            upload = data.get(name)
            if isinstance(field, forms.FileField) and upload is not None and upload.size > limit:
                self.add_error(
                    name,
                    f"The {str(field.label).lower()} must be smaller than "
                    f"{limit // (1024 * 1024)} MB (it is {upload.size / (1024 * 1024):.1f} MB)",
                )
        return data


HINTS = {
    "contract": "The programme's contract terms, as a TOML file",
    "enquiries": "One row per enquiry",
    "referrals": "One row per referral",
    "periods": "One row per outcome period",
}


class TrackerUploadForm(SizeLimited):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, stored, what in TRACKER_FILES:
            accept = ".toml" if stored.endswith(".toml") else ".csv,text/csv"
            label = what[0].upper() + what[1:] + " file"
            self.fields[field] = _file(label, accept, f"{HINTS[field]}, e.g. {stored}")


class ReturnsUploadForm(SizeLimited):
    council = forms.ModelChoiceField(
        label="Council", queryset=Council.objects.none(), empty_label=None
    )
    archive = _file(
        "Returns ZIP file",
        ".zip,application/zip,.xlsx",
        "A ZIP holding a folder per collection year with DfE's header.csv and episodes.csv, "
        "e.g. 2024/header.csv and 2024/episodes.csv (dates as dd/mm/YYYY), or the tables "
        "kept as Excel workbooks (2024.xlsx with a Header and an Episodes sheet); or one "
        "year's workbook on its own, named by the year",
    )

    action = forms.ChoiceField(
        label="What to do with them",
        choices=[
            ("import", "Import them (all or nothing)"),
            ("validate", "Check them with DfE's full SSDA903 rule set only: nothing is imported"),
        ],
        initial="import",
        required=False,  # importing is what an upload does unless told otherwise
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only_council = councils.first() if councils.count() == 1 else None
        if self.only_council is not None:
            del self.fields["council"]  # a council user loads their own council's returns
        else:
            field = self.fields["council"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = councils.order_by("name")
            field.to_field_name = "code"

    def chosen_council(self) -> Council:
        return self.only_council or self.cleaned_data["council"]
