"""The form linking a referral to the council's identifier of the child."""

from __future__ import annotations

from django import forms

from stars.core.forms import GovukForm


class ChildLinkForm(GovukForm):
    council_child_id = forms.RegexField(
        label="The council's child identifier (SSDA903 CHILD)",
        regex=r"^[A-Za-z0-9_-]{1,40}$",
        max_length=40,
        error_messages={
            "required": "Enter the council's child identifier",
            "invalid": "Enter the identifier as in the SSDA903 return: letters, digits, - or _",
        },
        help_text="As in the council's SSDA903 returns; only your council's users see it.",
    )

    def __init__(self, *args: object, known: set[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.known = known

    def clean_council_child_id(self) -> str:
        value = str(self.cleaned_data["council_child_id"]).strip()
        if self.known is not None and value not in self.known:
            raise forms.ValidationError(
                f"No child {value} in the council's SSDA903 returns; check the identifier, or "
                "import the latest returns first"
            )
        return value
