"""`stars demo`: the whole demo programme, loaded in order through the services."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from stars.demo import case_records, claims, governance, returns, stepdown
from stars.demo.programme import DemoUser, programme_load
from stars.notifications.models import Notification


def demo_load(
    *,
    contract_path: Path,
    seed: int,
    console: Console,
    n_referrals: int = 228,
    second_programme: bool = False,
) -> list[DemoUser]:
    """Reset the database and load the demo: the programme and its users, then case
    records, monthly claims and a council's SSDA903 returns; with ``second_programme``, the
    step-down programme beside it (``stars demo``). Returns the demo users."""
    users = programme_load(
        contract_path=contract_path, seed=seed, console=console, n_referrals=n_referrals
    )
    case_records.load_demo(seed=seed, console=console)
    claims.load_demo(seed=seed, console=console)
    returns.load_demo(seed=seed, console=console)
    governance.load_demo(console=console)
    if second_programme:
        users += stepdown.load_demo(seed=seed, console=console)
    # the demo's past went through the services, which told users as they went (four years
    # of claims submitted and approved): the demo starts with nobody's list full of them
    Notification.objects.all().delete()
    return users
