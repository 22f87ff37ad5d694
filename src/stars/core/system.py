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
