"""The terminal side of the `stars` command: where it writes, how it fails, Django set-up.

Every command parses its options, calls :func:`setup` (Django configured and, for commands
that touch the database, the schema brought up to date) and only then imports the module
that does its work (``stars.cli.run``, ``stars.cli.sufficiency_run``), which imports models
and services at module level. See docs/decisions/0004-layers.md.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import NoReturn

import django
import typer
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from rich.console import Console

from stars.domain.calendar import parse_date

console = Console(stderr=True)  # progress, problems and warnings
out = Console()  # results


def setup(migrate: bool = True) -> None:
    """Configure Django and bring the schema up to date; a configuration error is one line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stars.core.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        fail(str(exc))
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)


def fail(message: str, code: int = 2) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def as_of(value: str) -> dt.date:
    """An ``--as-of`` option: a YYYY-MM-DD date, or fail naming the option."""
    day = parse_date(value)
    if day is None:
        fail(f"--as-of {value!r} is not a date; expected YYYY-MM-DD")
    return day
