"""`stars createuser` as an administrator meets it: a name taken in any case is refused, and
each refusal names the option at fault, with nothing made; the password never travels on the
command line, where every user of the machine reads it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from stars.cli import app
from stars.core.models import AccessLog
from stars.partnership.models import User
from tests.conftest import NOT_INHERITED

pytestmark = pytest.mark.django_db

PASSWORD = "long-enough-Pass-1"


def _createuser(*args: str, password: str = PASSWORD):
    return CliRunner().invoke(app, ["createuser", *args], env={"STARS_PASSWORD": password})


def test_a_user_name_taken_in_another_case_is_refused(users):
    # "Admin" beside "admin" would read as one person in the audit and the access review
    before = (User.objects.count(), AccessLog.objects.count())
    done = _createuser("SPOC", "--role", "admin")
    assert done.exit_code == 2, done.output
    assert "a user called 'spoc' already exists" in done.output
    assert (User.objects.count(), AccessLog.objects.count()) == before


def test_a_user_name_that_is_not_valid_is_refused_naming_the_user_name(users):
    done = _createuser("bad name!", "--role", "admin")
    assert done.exit_code == 2, done.output
    assert "error: username: Enter a valid username" in done.output
    assert "password" not in done.output
    assert not User.objects.filter(username="bad name!").exists()


def test_a_password_like_the_user_name_is_refused(users):
    done = _createuser("quinnfallowfield", "--role", "admin", password="quinnfallowfield1")
    assert done.exit_code == 2, done.output
    assert "error: password: The password is too similar to the username." in done.output
    assert not User.objects.filter(username="quinnfallowfield").exists()


def test_a_council_given_to_a_role_without_one_is_refused_naming_the_option(users):
    # kept, it was ignored by every page yet read in the audit as a council's user
    before = (User.objects.count(), AccessLog.objects.count())
    done = _createuser("ops-derby", "--role", "admin", "--council", "derby")
    assert done.exit_code == 2, done.output
    line = "error: the admin role takes no --council (only commissioner and spoc users belong"
    assert done.output.startswith(line), done.output
    assert len(done.output.strip().splitlines()) == 1
    assert (User.objects.count(), AccessLog.objects.count()) == before


def test_a_password_on_the_command_line_is_refused_with_nothing_made(users):
    done = CliRunner().invoke(
        app, ["createuser", "ops-ps", "--role", "admin", "--password", PASSWORD]
    )
    assert done.exit_code == 2, done.output
    assert "error: --password shows the password to every user of this machine (ps)" in done.output
    assert "--password-stdin" in done.output and "STARS_PASSWORD" in done.output
    assert not User.objects.filter(username="ops-ps").exists()


def test_a_password_read_from_standard_input(users):
    done = CliRunner().invoke(
        app,
        ["createuser", "ops-stdin", "--role", "admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output
    assert User.objects.get(username="ops-stdin").check_password(PASSWORD)


def test_no_password_and_no_terminal_to_ask_at_is_refused(users):
    done = CliRunner().invoke(app, ["createuser", "ops-none", "--role", "admin"], input="")
    assert done.exit_code == 2, done.output
    assert "error: no password: with no terminal to ask at" in done.output
    assert not User.objects.filter(username="ops-none").exists()


def test_the_command_as_run_takes_its_password_from_standard_input(tmp_path, migrated_home):
    # as an operator runs it: the password is in no process's arguments
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.pop("STARS_PASSWORD", None)
    env["STARS_HOME"] = str(migrated_home(tmp_path))
    stars = [sys.executable, "-m", "stars.cli"]
    args = ["createuser", "ops-piped", "--role", "admin", "--password-stdin"]
    done = subprocess.run(
        [*stars, *args], input=PASSWORD + "\n", env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created ops-piped (admin")
    again = subprocess.run(
        [*stars, "createuser", "ops-argv", "--role", "admin", "--password", PASSWORD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 2 and "--password-stdin" in again.stderr


def test_a_council_named_before_any_programme_is_loaded_says_to_load_the_tracker_first():
    # on a new service no council exists yet: "expected one of: none loaded" left the
    # administrator guessing; the councils come from a contract, loaded with its tracker
    done = _createuser("spoc-derby", "--role", "spoc", "--council", "derby")
    assert done.exit_code == 2, done.output
    said = "error: unknown council 'derby': no programme is loaded yet: load the programme's"
    assert done.output.startswith(f"{said} tracker first"), done.output
    assert "Upload a tracker" in done.output and "stars import-tracker" in done.output
    assert "none loaded" not in done.output
    assert not User.objects.filter(username="spoc-derby").exists()
