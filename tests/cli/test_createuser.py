"""`stars createuser` as an administrator meets it: a name taken in any case is refused, and
each refusal names the option at fault, with nothing made."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stars.cli import app
from stars.core.models import AccessLog
from stars.partnership.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "long-enough-Pass-1"


def _createuser(*args: str):
    return CliRunner().invoke(app, ["createuser", *args])


def test_a_user_name_taken_in_another_case_is_refused(users):
    # "Admin" beside "admin" would read as one person in the audit and the access review
    before = (User.objects.count(), AccessLog.objects.count())
    done = _createuser("SPOC", "--role", "admin", "--password", PASSWORD)
    assert done.exit_code == 2, done.output
    assert "a user called 'spoc' already exists" in done.output
    assert (User.objects.count(), AccessLog.objects.count()) == before


def test_a_user_name_that_is_not_valid_is_refused_naming_the_user_name(users):
    done = _createuser("bad name!", "--role", "admin", "--password", PASSWORD)
    assert done.exit_code == 2, done.output
    assert "error: username: Enter a valid username" in done.output
    assert "password" not in done.output
    assert not User.objects.filter(username="bad name!").exists()


def test_a_password_like_the_user_name_is_refused(users):
    done = _createuser("quinnfallowfield", "--role", "admin", "--password", "quinnfallowfield1")
    assert done.exit_code == 2, done.output
    assert "error: password: The password is too similar to the username." in done.output
    assert not User.objects.filter(username="quinnfallowfield").exists()
