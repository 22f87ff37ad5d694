"""The demo programme: reset, load the sample contract, one user per role, synthetic data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from rich.console import Console
from rich.progress import Progress

from stars.partnership.models import Role
from stars.partnership.services import contract_load_file, user_create

DEMO_PASSWORD = "stars-demo-password"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    council: str


def demo_users(council_codes: tuple[str, ...]) -> list[DemoUser]:
    first = council_codes[0]
    return [
        DemoUser("spoc", DEMO_PASSWORD, Role.SPOC, first),
        DemoUser("commissioner", DEMO_PASSWORD, Role.COMMISSIONER, first),
        DemoUser("manager", DEMO_PASSWORD, Role.PROVIDER_MANAGER, ""),
        DemoUser("keyworker", DEMO_PASSWORD, Role.KEY_WORKER, ""),
        DemoUser("investor", DEMO_PASSWORD, Role.INVESTOR, ""),
        DemoUser("evaluator", DEMO_PASSWORD, Role.EVALUATOR, ""),
        DemoUser("admin", DEMO_PASSWORD, Role.ADMIN, ""),
    ] + [DemoUser(f"spoc-{c}", DEMO_PASSWORD, Role.SPOC, c) for c in council_codes[1:]]


def demo_load(*, contract_path: Path, seed: int, console: Console) -> list[DemoUser]:
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("Resetting the database", total=3)
        call_command("flush", interactive=False, verbosity=0)
        progress.update(task, advance=1, description="Loading the contract")
        terms = contract_load_file(path=contract_path)
        progress.update(task, advance=1, description="Creating demo users")
        users = demo_users(terms.council_codes)
        for u in users:
            user_create(
                username=u.username,
                role=u.role,
                council=u.council or None,
                password=u.password,
                first_name="Demo",
                last_name=Role(u.role).label,
            )
        progress.update(task, advance=1, description="Demo ready")
    return users
