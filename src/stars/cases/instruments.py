"""Outcome-measuring instruments are data: defined here for a new programme or the demo."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from stars.cases.models import Instrument, InstrumentArea
from stars.cases.services import CaseError

# -- instruments as data --------------------------------------------------------------------

# Generic area names only: the licensed tools' own wording is not shipped.
DEFAULT_INSTRUMENTS = (
    (
        "Young person's outcome star (generic areas)",
        1,
        5,
        "young_person",
        (
            "Feelings and behaviour",
            "Relationships",
            "Friendships",
            "Confidence",
            "Education and learning",
            "Physical health",
            "Keeping safe",
            "Independence",
        ),
    ),
    (
        "Family outcome star (generic areas)",
        1,
        10,
        "family",
        (
            "Children's behaviour",
            "Emotional wellbeing",
            "Health",
            "Learning",
            "Family routine",
            "Home and money",
            "Boundaries",
            "Community and support",
        ),
    ),
)


@transaction.atomic
def instrument_define(
    *, name: str, scale_min: int, scale_max: int, audience: str, areas: Sequence[str]
) -> Instrument:
    """Create (or return unchanged) an instrument with its areas in order."""
    existing = Instrument.objects.filter(name=name).first()
    if existing is not None:
        return existing
    if scale_max <= scale_min:
        raise CaseError("scale_max", "must be above the scale's minimum")
    if len(set(areas)) != len(areas) or not areas:
        raise CaseError("areas", "Give each area a different name")
    instrument = Instrument.objects.create(
        name=name, scale_min=scale_min, scale_max=scale_max, audience=audience
    )
    for i, area in enumerate(areas, start=1):
        InstrumentArea.objects.create(instrument=instrument, name=area, order=i)
    return instrument


def instruments_ensure_defaults() -> list[Instrument]:
    return [
        instrument_define(name=n, scale_min=lo, scale_max=hi, audience=aud, areas=areas)
        for n, lo, hi, aud, areas in DEFAULT_INSTRUMENTS
    ]
