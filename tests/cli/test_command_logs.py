"""What a command writes to the log: its own lines, not a library's greeting on each start,
while the web server still logs the sign-in lockout's records."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import PASSWORD, stars_command


def test_a_command_at_info_prints_no_line_of_the_sign_in_lockout(tmp_path, migrated_home):
    home = migrated_home(tmp_path / "home")
    done = stars_command(
        "sufficiency",
        "import",
        str(tmp_path),
        "--council",
        "nosuch",
        home=home,
        env={"STARS_LOG_LEVEL": "INFO"},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "AXES" not in done.stderr and "axes" not in done.stderr, done.stderr


@pytest.mark.django_db
def test_the_server_still_logs_repeated_failed_sign_ins(client, users, caplog, settings):
    username = users["provider_manager"].username
    with caplog.at_level(logging.WARNING):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/sign-in/", {"username": username, "password": PASSWORD + "x"})
    lockouts = [r for r in caplog.records if r.name.startswith("axes")]
    assert any("Locking out" in r.getMessage() for r in lockouts), caplog.text
