"""The process's place in the operating system: who runs it."""

from __future__ import annotations

import ctypes
import os
import pwd
import signal
import sys


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


# The process id of the `stars serve` that started this process (its web server, its job
# worker, the development server's reloading child), in the environment it was started with.
SERVE_PID_ENV = "STARS_SERVE_PID"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def children_end_with_me() -> None:
    """Every process this one starts from now on ends when it ends (``die_with_parent``)."""
    os.environ[SERVE_PID_ENV] = str(os.getpid())


def die_with_parent() -> None:
    """End this process (SIGTERM: it finishes the work in hand, as when stopped) when the
    `stars serve` that started it ends, however it ends: killed outright (SIGKILL), it runs
    no code to stop its children, and its web server would go on holding the port. The
    kernel's parent-death signal (Linux; nothing elsewhere); nothing for a process that
    `stars serve` did not start."""
    parent = os.environ.pop(SERVE_PID_ENV, "")
    if not parent.isdigit() or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return
    if os.getppid() != int(parent):  # it ended before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)
