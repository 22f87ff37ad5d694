"""The programme a command works in (imported only after :func:`stars.cli.console.setup`)."""

from __future__ import annotations

from stars.cli.console import fail
from stars.core.programmes import programme_set
from stars.partnership.selectors import ProgrammeUnknown, programme_choose


def within(programme: str | None) -> None:
    """Work inside the programme named by ``--programme`` (needed only when the service
    holds several; the error lists their codes)."""
    try:
        programme_set(programme_choose(programme))
    except ProgrammeUnknown as exc:
        fail(str(exc))
