"""What an operator sees when the service is set up wrong: one line saying what is wrong,
exit code 2, no traceback, nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys


def _stars(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    drop = ("DATABASE_URL", "STARS_ENV", "STARS_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "stars.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_a_database_that_does_not_answer_is_one_line(tmp_path):
    # a port nothing listens on
    url = "postgres://stars@127.0.0.1:9/stars"
    for command in (["check"], ["worker", "--batch"], ["createuser", "a", "--role", "admin"]):
        line = _one_error_line(_stars({"STARS_HOME": str(tmp_path), "DATABASE_URL": url}, *command))
        assert line.startswith("error: cannot use the database (DATABASE_URL): "), line
        assert "127.0.0.1" in line and "9" in line


def test_a_data_directory_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    home = blocker / "stars"
    line = _one_error_line(_stars({"STARS_HOME": str(home)}, "check"))
    assert line == (
        f"error: STARS_HOME: cannot make the data directory {home} (Not a directory); "
        "refusing to start."
    )
