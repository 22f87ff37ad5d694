"""The process's place in the operating system: who runs it."""

from __future__ import annotations

import os
import pwd


def os_user() -> str:
    """The name of the operating-system user running this process (its number when it has
    no name, as a container's user may not)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


# The `stars` command this process runs ("backup", "report evaluation"), when one is: set by
# the command line as it starts (``command_running``).
_RUNNING: dict[str, str] = {}


def command_running(name: str | None = None) -> str:
    """With ``name``, say that this process runs the `stars` command ``name``; the command
    this process runs ("": none said)."""
    if name is not None:
        _RUNNING["command"] = name
    return _RUNNING.get("command", "")
