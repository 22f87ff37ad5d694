"""The sufficiency pages' forms: the forecast's scenario, and the link from a referral to
the council's identifier of the child."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import forms

from stars.core.forms import GovukForm, number_field
from stars.sufficiency.forecasting import Choices


class ForecastForm(GovukForm):
    """The forecast's scenario, asked for in the page's address (a GET): a box left empty,
    or not sent, takes its default, so the page with no query shows the forecast as is."""

    years = number_field("Years ahead", "1 to 5", min_value=1, max_value=5, example=3)
    residential_entries = number_field(
        "Change in residential entries (%)",
        "For example -20 for a fifth fewer",
        min_value=-100,
        max_value=100,
        subject="Change in residential entries",
        example=-20,
    )
    to_inhouse = number_field(
        "Agency fostering placed in-house instead (%)",
        "More in-house carers: 0 to 100",
        min_value=0,
        max_value=100,
        subject="Share moved in-house",
        example=25,
    )

    def __init__(self, query: Any) -> None:
        defaults = asdict(Choices())
        data = {name: (query.get(name) or "").strip() or defaults[name] for name in defaults}
        super().__init__(data, auto_id="%s")

    def choices(self) -> Choices:
        """What the forecast is worked out for: each value typed in range, the default for
        one in error (the page shows the forecast beside the error, as typed)."""
        self.is_valid()
        return Choices(**self.cleaned_data)  # a field in error is not in cleaned_data


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
