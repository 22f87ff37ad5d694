"""Cached figures are kept per programme: a user who works in two programmes (and their
councils, scope and data version alike in both) never sees one programme's figures in the
other, whichever cached page or list asks."""

from __future__ import annotations

import uuid

from stars.core.cache import cached_figures
from stars.core.programmes import ProgrammeChoice, programme_use

FIRST = ProgrammeChoice(1, "dn2", "DN2 STARS")
SECOND = ProgrammeChoice(2, "step", "Step-down")


def test_the_same_figures_asked_in_two_programmes_are_kept_apart():
    name = f"figures-{uuid.uuid4()}"  # nothing cached before
    with programme_use(FIRST):
        assert cached_figures(name, "v1", (("derby",), "2024-11"), lambda: "first") == "first"
    with programme_use(SECOND):
        assert cached_figures(name, "v1", (("derby",), "2024-11"), lambda: "second") == "second"
    with programme_use(FIRST):  # still the first programme's, from the cache
        assert cached_figures(name, "v1", (("derby",), "2024-11"), lambda: "again") == "first"
