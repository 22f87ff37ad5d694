"""What a `stars` command does with no STARS user behind it (a backup, a restore, an export,
a report) is in the access log under the operating-system user who ran it, as
`stars createuser` already was: every such entry said "system", so who took a copy of the
whole database, or of the programme's records, could not be told."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from stars.core.system import os_user
from tests.conftest import stars_command


def _stars(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return stars_command(*args, home=home)


def _entries(home: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(home / "stars.sqlite3") as db:
        return db.execute(
            "SELECT username, action, object_type, detail FROM core_accesslog ORDER BY id"
        ).fetchall()


def test_a_backup_and_a_restore_name_the_operating_system_user_who_ran_them(
    tmp_path, migrated_home
):
    home = migrated_home(tmp_path / "home")
    file = tmp_path / "copy.backup"
    done = _stars(home, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert _entries(home) == [
        (
            f"{os_user()} (operating-system user, stars backup)",
            "export",
            "database",
            f"backup to {file.resolve()}",
        )
    ]
    other = migrated_home(tmp_path / "other")
    done = _stars(other, "restore", str(file))
    assert done.returncode == 0, done.stderr
    who, action, kind, _ = _entries(other)[-1]
    assert (who, action, kind) == (
        f"{os_user()} (operating-system user, stars restore)",
        "import",
        "database",
    )
