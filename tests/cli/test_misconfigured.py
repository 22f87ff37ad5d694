"""What an operator sees when the service is set up wrong: one line saying what is wrong,
exit code 2, no traceback, nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.conftest import stars_command


def _stars(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return stars_command(*args, env=env_extra, timeout=120)


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


def test_services_started_together_on_a_new_database_migrate_one_at_a_time(tmp_path):
    # after an upgrade (or on a new database) the web server's check and the job workers
    # start at once, each bringing the schema up to date
    pg = os.environ.get("STARS_TEST_PG", "postgres://postgres@127.0.0.1:5432")
    name = f"stars_mig_{uuid.uuid4().hex[:10]}"
    subprocess.run(["psql", f"{pg}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        drop = ("DATABASE_URL", "STARS_ENV", "STARS_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(STARS_HOME=str(tmp_path), DATABASE_URL=f"{pg}/{name}")
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "stars.cli", "worker", "--batch"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for process in started:
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
    finally:
        subprocess.run(
            ["psql", f"{pg}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
            check=True,
        )


def test_a_malformed_number_or_switch_setting_is_one_line_for_every_command(tmp_path):
    # every numeric and on/off setting, for a command with its own database and for the web
    # server (`stars serve` stops before it listens)
    bad = {
        "STARS_UPLOAD_MAX_MB": ("fifty", "expected a whole number, 1 or more"),
        "STARS_LOCKOUT_FAILURES": ("5.5", "expected a whole number, 1 or more"),
        "STARS_PROXY_COUNT": ("0", "expected a whole number, 1 or more"),
        "STARS_SESSION_SECONDS": ("30m", "expected a whole number, 1 or more"),
        "STARS_DEBUG": ("yes", "expected 1 (on) or 0 (off)"),
        "STARS_LOG_LEVEL": ("LOUD", "expected DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    }
    for name, (value, expected) in bad.items():
        for command in (["check"], ["serve", "--port", "9", "--no-worker"]):
            line = _one_error_line(_stars({"STARS_HOME": str(tmp_path), name: value}, *command))
            assert line == f"error: {name}={value!r}: {expected}; refusing to start.", line
    production = {
        "STARS_HOME": str(tmp_path),
        "STARS_ENV": "production",
        "STARS_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdef",
        "STARS_PSEUDONYM_KEY": "a-long-random-production-pseudonym-key-0123456789-abc",
        "STARS_SSL_REDIRECT": "true",
    }
    line = _one_error_line(_stars(production, "worker", "--batch"))
    expected = "STARS_SSL_REDIRECT='true': expected 1 (on) or 0 (off); refusing to start."
    assert line == f"error: {expected}"


def test_the_data_directory_and_database_are_the_service_user_s_only(tmp_path):
    # started with the usual umask (022), a command still leaves nothing another account on
    # the machine can read: the database holds children's records
    home = tmp_path / "stars-home"
    drop = ("DATABASE_URL", "STARS_ENV", "STARS_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["STARS_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "stars.cli", "backup", str(tmp_path / "first.backup")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,  # it migrates a new database first: minutes on a busy machine
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    made = [home, *home.rglob("*")]
    assert {"stars.sqlite3", "tmp"} <= {p.name for p in made}
    assert {str(p): p.stat().st_mode & 0o077 for p in made} == {str(p): 0 for p in made}


def test_a_stars_env_that_is_neither_production_nor_development_refuses_to_start(tmp_path):
    # "prod" ran as development: the development secret key, no secure cookies, and
    # `stars demo`, which erases the database, no longer refused
    for value in ("prod", "Production"):
        done = _stars(
            {"STARS_HOME": str(tmp_path), "STARS_ENV": value, "STARS_SECRET_KEY": "k" * 50},
            "demo",
        )
        assert _one_error_line(done) == (
            f"error: STARS_ENV={value!r}: expected production or development; refusing to start."
        )
    assert not (tmp_path / "stars.sqlite3").exists()  # nothing made, nothing erased
