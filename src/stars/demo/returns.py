"""Demo SSDA903 returns for Derby (called by ``stars demo``): synthetic, shaped like the
seed council (about 500 looked after, most fostered, about 190 starters a year), written as
DfE's CSV files and loaded through the same import as `stars sufficiency import`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from stars.cases.explain import explanation_for
from stars.demo.ssda903 import SyntheticConfig, generate, render_return
from stars.domain.outcomes.reconciliation import episodes_of, reconcile
from stars.domain.sufficiency.figures import without_short_breaks
from stars.partnership.models import Council
from stars.referrals.models import Referral
from stars.sufficiency.models import ChildLink
from stars.sufficiency.services import council_returns, returns_import

DEMO_COUNCIL = "derby"
FIRST_YEAR, LAST_YEAR = 2018, 2024


def write_demo_returns(folder: Path, seed: int) -> Path:
    data = generate(
        SyntheticConfig(seed=seed, first_year=FIRST_YEAR, last_year=LAST_YEAR, scale=1.0)
    )
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        header, episodes = render_return(data, year)
        (folder / str(year)).mkdir(parents=True, exist_ok=True)
        (folder / str(year) / "header.csv").write_text(header, encoding="utf-8")
        (folder / str(year) / "episodes.csv").write_text(episodes, encoding="utf-8")
    return folder


def load_demo(*, seed: int, console: Any) -> None:
    council = Council.objects.filter(code=DEMO_COUNCIL).first()
    if council is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        returns_import(council=council, folder=write_demo_returns(Path(tmp), seed))
    link_demo_referrals(council)


def link_demo_referrals(council: Council, n: int = 8) -> int:
    """Link a few of the council's demo referrals to the returns' children whose episodes fit
    their claimed weeks best, so the reconciliation page has linked cases to show (the
    nearest fits still leave a few discrepancies). Synthetic pairings, for the demo only."""
    merged = council_returns(council)
    if merged is None:
        return 0
    frame = without_short_breaks(merged.episodes)
    children = sorted(set(frame["CHILD"].to_list()))
    by_child = {c: episodes_of(frame, c) for c in children}
    taken: set[str] = set()
    linked = 0
    refs = Referral.objects.filter(council=council, cohort__in=["A", "B", "D"]).order_by(
        "referral_id"
    )
    for referral in refs:
        if linked >= n:
            break
        e = explanation_for(referral)
        claimed = [(p.counted_from, p.counted_until) for p in e.periods if p.days > 0]
        if not claimed:
            continue
        misfit = {
            c: sum(d.days for d in reconcile(e.checked_against, claimed, by_child[c]))
            for c in children
            if c not in taken
        }
        # most links fit exactly; every fourth is the nearest fit with a few weeks astray,
        # the kind of case the page is for
        astray = [c for c, days in misfit.items() if days >= 14]
        if linked % 4 == 3 and astray:
            best = min(astray, key=lambda c: misfit[c])
        else:
            best = min(misfit, key=lambda c: misfit[c])
        taken.add(best)
        ChildLink.objects.create(referral=referral, council_child_id=best)
        linked += 1
    return linked
